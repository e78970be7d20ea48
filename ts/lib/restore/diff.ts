import { differingFields, describeFields, type ParameterDigest } from './plan.js';

export interface ArchiveDiff {
  /** In the archive, not live: a restore would create them. */
  created: string[];
  changed: { name: string; fields: string[] }[];
  unchanged: string[];
  /** Live, not in the archive (a restore leaves them alone). */
  onlyLive: string[];
}

/** Compares archive parameters with live ones by name and field. Pure; the result holds no values. */
export function diffArchive(archive: ParameterDigest[], live: Map<string, ParameterDigest>): ArchiveDiff {
  const out: ArchiveDiff = { created: [], changed: [], unchanged: [], onlyLive: [] };
  const inArchive = new Set<string>();
  for (const p of archive) {
    inArchive.add(p.Name);
    const current = live.get(p.Name);
    if (!current) out.created.push(p.Name);
    else {
      const fields = differingFields(p, current);
      if (fields.length) out.changed.push({ name: p.Name, fields });
      else out.unchanged.push(p.Name);
    }
  }
  out.onlyLive = [...live.keys()].filter((n) => !inArchive.has(n)).sort();
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
