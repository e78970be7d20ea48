import { changedFields, describeFields, type LiveFacts, type ParameterDigest } from './plan.js';

export interface ArchiveDiff {
  /** In the archive, not live: a restore would create them. */
  created: string[];
  changed: { name: string; fields: string[] }[];
  unchanged: string[];
  /** Live, not in the archive (a restore leaves them alone). */
  onlyLive: string[];
}

/**
 * Compares archive parameters (as a restore writes them) with live ones (`live`: liveFacts by name, readLive) by name
 * and field. Pure; the result holds no values.
 */
export function diffArchive(archive: ParameterDigest[], live: Map<string, LiveFacts>): ArchiveDiff {
  const out: ArchiveDiff = { created: [], changed: [], unchanged: [], onlyLive: [] };
  for (const p of archive) {
    const fields = changedFields(p, live.get(p.Name));
    if (!fields) out.created.push(p.Name);
    else if (fields.length) out.changed.push({ name: p.Name, fields });
    else out.unchanged.push(p.Name);
  }
  out.onlyLive = [...live].filter(([, facts]) => !facts.fields).map(([name]) => name);
  out.onlyLive.sort();
  return out;
}

export function formatDiff(d: ArchiveDiff, verbose: boolean): string {
  const lines = [
    ...d.created.map((n) => `+ ${n}  (only in archive: restore creates it)`),
    ...d.changed.map((c) => `~ ${c.name}  ${describeFields(c.fields)}`),
    ...(verbose ? d.unchanged.map((n) => `= ${n}`) : []),
    ...d.onlyLive.map((n) => `- ${n}  (only live: restore leaves it alone)`),
    `created=${d.created.length} changed=${d.changed.length} unchanged=${d.unchanged.length} only-live=${d.onlyLive.length}`,
  ];
  return lines.join('\n') + '\n';
}
