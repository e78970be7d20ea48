/**
 * JUnit XML of a backup run: one test case per region, so Jenkins' JUnit plugin draws per-region trends.
 * Format: the de-facto JUnit/Ant schema the plugin reads (testsuite > testcase > failure | skipped, system-out).
 * FAILED and TIMED_OUT (and any status this code does not know) are failures, SKIPPED is skipped.
 */
import { formatCount, formatDrift, FAILED_STATUSES, type RegionReport } from './backup.js';

/** Characters XML 1.0 does not allow at all are dropped; the five special ones are escaped. */
export function escapeXml(text: string): string {
  return (
    text
      // XML 1.0 Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
      // eslint-disable-next-line no-control-regex -- the control characters are what this removes
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

function caseOutput(s: RegionReport): string {
  const lines = [`status=${s.status}`, `parameters=${s.parameterCount ?? 0}`];
  const drift = formatDrift(s.drift);
  if (drift) lines.push(`change=${drift}${s.drift?.previousCount != null ? ` (previous ${formatCount(s.drift.previousCount)})` : ''}`);
  if (s.artifactPath) lines.push(`artifact=${s.artifactPath}`);
  if (s.archiveBytes !== undefined) lines.push(`archiveBytes=${s.archiveBytes}`);
  if (s.dryRun) lines.push('dryRun=true (nothing uploaded)');
  for (const w of s.warnings ?? []) lines.push(`warning: ${w}`);
  if (s.vanished?.length) lines.push(`vanished: ${s.vanished.join(', ')}`);
  return lines.join('\n');
}

function testCase(classname: string, region: string, s: RegionReport): string {
  const time = Number.isFinite(s.executionTimeSec) ? Number(s.executionTimeSec).toFixed(3) : '0.000';
  const message = escapeXml(s.failureMessage ?? '');
  let outcome = '';
  if (s.status === 'SKIPPED') outcome = `\n      <skipped message="${message}"/>`;
  else if (s.status !== 'SUCCESS') {
    const category = s.failureCategory ? `category: ${s.failureCategory}\n` : '';
    const kind = (FAILED_STATUSES as readonly string[]).includes(s.status) ? s.status : `unknown status ${s.status}`;
    outcome = `\n      <failure type="${escapeXml(kind)}" message="${message}">${escapeXml(`${category}${s.failureMessage ?? kind}`)}</failure>`;
  }
  return (
    `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(region)}" time="${time}">${outcome}\n` +
    `      <system-out>${escapeXml(caseOutput(s))}</system-out>\n    </testcase>`
  );
}

/**
 * One `testsuite` named `ssm-backup.<environment>` (plus ` (dry run)`), one `testcase` per region with
 * classname `ssm-backup.<environment>` and name = the region, time = executionTimeSec.
 */
export function junitXml(summaries: Record<string, RegionReport>, opts: { environment?: string; dryRun?: boolean; timestamp?: string }): string {
  const classname = `ssm-backup.${opts.environment ?? 'unknown'}`;
  const entries = Object.entries(summaries);
  const failures = entries.filter(([, s]) => s.status !== 'SUCCESS' && s.status !== 'SKIPPED').length;
  const skipped = entries.filter(([, s]) => s.status === 'SKIPPED').length;
  const time = entries.reduce((t, [, s]) => t + (Number.isFinite(s.executionTimeSec) ? Number(s.executionTimeSec) : 0), 0);
  const name = `${classname}${opts.dryRun ? ' (dry run)' : ''}`;
  const stamp = opts.timestamp ? ` timestamp="${escapeXml(opts.timestamp)}"` : '';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ssm-backup" tests="${entries.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}">`,
    `  <testsuite name="${escapeXml(name)}" tests="${entries.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}"${stamp}>`,
    // Multi-account: one class per account (`ssm-backup.<env>.<accountId>`), the region as the name.
    ...entries.map(([key, s]) => (s.accountId ? testCase(`${classname}.${s.accountId}`, s.region ?? key, s) : testCase(classname, key, s))),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
