/**
 * `status` as text (a table, then one line per region that is not OK), as JSON, and as one self-contained HTML page
 * (inline CSS and the SVG chart; no JavaScript, no external resource).
 */
import { escapeXml, parameterChartSvg } from './chart.js';
import { unitLabel, type RegionStatusView } from './status.js';

const count = (n: number | null | undefined) => (n === null || n === undefined ? '?' : String(n));
const minute = (iso: string) => `${iso.slice(0, 16)}Z`;

/** Rows of a multi-account status (status --accounts) start with an ACCOUNT column. */
const withAccounts = (regions: RegionStatusView[]) => regions.some((r) => r.accountId);

/** The cells of one region's row, shared by the table and the page. */
function cells(r: RegionStatusView, accounts: boolean): string[] {
  const counts = r.recent.map((p) => p.parameterCount).filter((n): n is number => n !== null);
  return [
    ...(accounts ? [r.alias ? `${r.accountId} (${r.alias})` : (r.accountId ?? '-')] : []),
    r.region,
    r.verdict,
    r.latest ? minute(r.latest.createdAt) : '-',
    r.latest ? `${r.latest.ageHours}h` : '-',
    r.latest ? count(r.latest.parameterCount) : '-',
    r.latest ? count(r.latest.formatVersion) : '-',
    r.latest ? r.latest.encryption : '-',
    counts.length ? `${Math.min(...counts)}-${Math.max(...counts)} (${r.recent.length})` : '-',
    String(r.archiveCount),
    r.oldest ? minute(r.oldest.createdAt) : '-',
    r.oldest ? (r.oldest.expiresAt === null ? 'never' : r.oldest.expiresAt === 'unknown' ? 'unknown' : minute(r.oldest.expiresAt)) : '-',
    String(r.refused.length),
  ];
}

const REGION_HEADERS = [
  'REGION',
  'VERDICT',
  'LATEST',
  'AGE',
  'PARAMETERS',
  'FORMAT',
  'ENCRYPTION',
  'LAST N (min-max)',
  'ARCHIVES',
  'OLDEST',
  'EXPIRES',
  'REFUSED',
];

const headers = (accounts: boolean) => (accounts ? ['ACCOUNT', ...REGION_HEADERS] : REGION_HEADERS);

/** `dev: 1/2 regions OK`, or with accounts `dev: 5/6 units OK in 3 accounts`. */
function tally(environment: string, regions: RegionStatusView[]): string {
  const ok = regions.filter((r) => r.verdict === 'OK').length;
  if (!withAccounts(regions)) return `${environment}: ${ok}/${regions.length} regions OK`;
  return `${environment}: ${ok}/${regions.length} units OK in ${new Set(regions.map((r) => r.accountId)).size} accounts`;
}

/**
 * The text table (an ACCOUNT column first when the rows are of accounts), then `<region>: <VERDICT>: <reason>`
 * (`<account> <region>: ...`) for every row that is not OK, then the tally.
 */
export function formatStatusTable(environment: string, regions: RegionStatusView[]): string {
  const accounts = withAccounts(regions);
  const HEADERS = headers(accounts);
  const rows = [HEADERS, ...regions.map((r) => cells(r, accounts))];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
  for (const r of regions) if (r.verdict !== 'OK') lines.push(`${unitLabel(r)}: ${r.verdict}: ${r.reason}`);
  lines.push(tally(environment, regions));
  return lines.join('\n') + '\n';
}

/** One HTML page: the table, the reasons, the chart. */
export function statusHtml(environment: string, regions: RegionStatusView[], generatedAt: Date): string {
  const title = `SSM Parameter Store backups of ${environment}`;
  const accounts = withAccounts(regions);
  const verdictColumn = accounts ? 3 : 2;
  const row = (r: RegionStatusView) =>
    `<tr class="${r.verdict}">${cells(r, accounts)
      .map((c) => `<td>${escapeXml(c)}</td>`)
      .join('')}</tr>`;
  const reasons = regions.map((r) => `<li class="${r.verdict}"><b>${escapeXml(unitLabel(r))}</b> ${r.verdict}: ${escapeXml(r.reason)}</li>`).join('\n');
  const chart = parameterChartSvg(regions, `Parameters per archive, ${environment}`).replace(/^<\?xml[^>]*>\n/, '');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>
body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
tr.OK td:nth-child(${verdictColumn}){color:#1a7f37}tr.STALE td:nth-child(${verdictColumn}),li.STALE{color:#9a6700}tr.FAILING td:nth-child(${verdictColumn}),li.FAILING{color:#cf222e}
</style></head><body>
<h1>${escapeXml(title)}</h1>
<p>${escapeXml(tally(environment, regions))}, ${escapeXml(generatedAt.toISOString())}</p>
<table><thead><tr>${headers(accounts)
    .map((h) => `<th>${escapeXml(h)}</th>`)
    .join('')}</tr></thead>
<tbody>
${regions.map(row).join('\n')}
</tbody></table>
<ul>
${reasons}
</ul>
${chart}</body></html>
`;
}
