/**
 * The build description Jenkins shows (currentBuild.description): the report's one-line description, then links to the
 * status chart and page archived with the build. Jenkins renders a description through its markup formatter: the
 * default one (plain text) escapes HTML, so `<a href>` would show raw; the OWASP Markup Formatter ("Safe HTML") keeps it
 * clickable. `text` therefore writes `label: <url>` (readable and copyable under both), `html` writes the description
 * escaped and `<a href>` links. Pure.
 */
import type { DescriptionFormat, Link } from '../../contract/index.js';
import { escapeXml as escapeHtml } from './junit.js';

/**
 * `OK 3/3 regions, 36 parameters | chart: https://.../parameters.svg | status: https://.../status.html` (text), or
 * `OK 3/3 regions, 36 parameters | <a href="https://...">chart</a> | ...` (html). Without links: the description
 * (escaped in html).
 */
export function buildPageDescription(description: string, links: readonly Link[], format: DescriptionFormat = 'text'): string {
  if (format === 'html') {
    return [escapeHtml(description), ...links.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a>`)].join(' | ');
  }
  return [description, ...links.map((l) => `${l.label}: ${l.url}`)].join(' | ');
}
