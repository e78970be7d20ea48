/**
 * An SVG line chart of the parameter count per region over its newest archives (from object metadata, `status`):
 * one polyline per region on a shared time axis, a legend, no script (viewable as a Jenkins artifact or inline in
 * the HTML page; browsers run no JavaScript from it).
 */
import { unitLabel, type RegionStatusView } from './status.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const W = 720;
const H = 300;
const PAD = { left: 60, right: 150, top: 30, bottom: 40 };

export const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/**
 * The chart as a standalone SVG document (UTF-8 text). Archives without a count (older versions) are left out. One
 * series per row, labelled with its region, or `ACCOUNT REGION` (the account's alias when it has one) with accounts.
 */
export function parameterChartSvg(regions: RegionStatusView[], title: string): string {
  const series = regions.map((r) => ({
    region: unitLabel(r, 'alias'),
    points: r.recent
      .filter((p) => p.parameterCount !== null)
      .map((p) => ({ t: new Date(p.createdAt).getTime(), n: p.parameterCount as number }))
      .sort((a, b) => a.t - b.t),
  }));
  const all = series.flatMap((s) => s.points);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${PAD.left}" y="18" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  if (!all.length) {
    out.push(`<text x="${PAD.left}" y="${H / 2}">No archive with a parameter count</text>`, '</svg>');
    return out.join('\n') + '\n';
  }
  const [t0, t1] = [Math.min(...all.map((p) => p.t)), Math.max(...all.map((p) => p.t))];
  const [n0, n1] = [Math.min(...all.map((p) => p.n)), Math.max(...all.map((p) => p.n))];
  const lo = Math.max(0, n0 - Math.ceil((n1 - n0) * 0.1) - 1);
  const hi = n1 + Math.ceil((n1 - n0) * 0.1) + 1;
  const x = (t: number) => PAD.left + (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (n: number) => H - PAD.bottom - ((n - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const r1 = (v: number) => Math.round(v * 10) / 10;
  out.push(
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#999"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#999"/>`,
    `<text x="${PAD.left - 6}" y="${r1(y(hi)) + 4}" text-anchor="end">${hi}</text>`,
    `<text x="${PAD.left - 6}" y="${r1(y(lo)) + 4}" text-anchor="end">${lo}</text>`,
    `<text x="${PAD.left}" y="${H - PAD.bottom + 16}">${new Date(t0).toISOString().slice(0, 16)}Z</text>`,
    `<text x="${W - PAD.right}" y="${H - PAD.bottom + 16}" text-anchor="end">${new Date(t1).toISOString().slice(0, 16)}Z</text>`,
    `<text x="14" y="${(H - PAD.bottom + PAD.top) / 2}" transform="rotate(-90 14 ${(H - PAD.bottom + PAD.top) / 2})" text-anchor="middle">parameters</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.map((p) => `${r1(x(p.t))},${r1(y(p.n))}`).join(' ');
    if (s.points.length) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>`);
    for (const p of s.points)
      out.push(
        `<circle cx="${r1(x(p.t))}" cy="${r1(y(p.n))}" r="2.5" fill="${color}"><title>${escapeXml(s.region)} ${new Date(p.t).toISOString()}: ${p.n}</title></circle>`,
      );
    const last = s.points[s.points.length - 1];
    out.push(
      `<rect x="${W - PAD.right + 12}" y="${PAD.top + i * 16}" width="10" height="10" fill="${color}"/>`,
      `<text x="${W - PAD.right + 26}" y="${PAD.top + i * 16 + 9}">${escapeXml(s.region)}${last ? ` (${last.n})` : ' (no data)'}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
