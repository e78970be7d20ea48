/**
 * CSV files for Jenkins' Plot plugin, one per measure, written by `notify --out-dir` for a backup: the first line names
 * the series (one per region), the second holds this build's values (the Plot plugin's CSV layout: "the first row
 * are the series labels, the second the values"), so each build adds one point per region. The files, their titles
 * and y-axis labels are contract/report.ts PLOT_FILES: plot-parameters.csv, plot-duration-seconds.csv, plot-archive-bytes.csv
 * A region that did not succeed has an empty cell (no point), not a 0 that would plot as a collapse.
 */
import { PLOT_FILES } from '../../contract/index.js';
import type { RegionReport } from './backup.js';

/** The measure each file of contract PLOT_FILES plots. */
const MEASURES: Record<string, (s: RegionReport) => number | undefined> = {
  'plot-parameters.csv': (s) => s.parameterCount,
  'plot-duration-seconds.csv': (s) => s.executionTimeSec,
  'plot-archive-bytes.csv': (s) => s.archiveBytes,
};

/** A CSV cell: quoted when it holds a comma, quote or line break (RFC 4180). */
const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** File name -> CSV text (regions in summary order). Dry runs upload nothing: their files have no values. */
export function plotCsvs(summaries: Record<string, RegionReport>): Record<string, string> {
  const regions = Object.keys(summaries);
  const out: Record<string, string> = {};
  for (const { file } of PLOT_FILES) {
    const measure = MEASURES[file];
    const values = regions.map((r) => {
      const s = summaries[r];
      const v = s.status === 'SUCCESS' && !s.dryRun ? measure?.(s) : undefined;
      return typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
    });
    out[file] = `${regions.map(cell).join(',')}\n${values.join(',')}\n`;
  }
  return out;
}
