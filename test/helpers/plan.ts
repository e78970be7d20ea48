/**
 * Whole-list forms of the restore plan's streaming pieces, for tests (the engine compares live parameters one at a time
 * as they arrive: ts/lib/restore/plan.ts liveFacts).
 */
import {
  desiredParameter,
  liveFacts,
  makeSelector,
  tagLabelFields,
  valueFields,
  type KeyMap,
  type LiveFacts,
  type ParameterDigest,
  type Selection,
} from '../../ts/lib/restore/plan.js';

/** Archive parameters selected by --path and --names (in-memory form of makeSelector). */
export function selectParameters<T extends { Name: string }>(params: T[], sel: Selection): T[] {
  const s = makeSelector(sel);
  const out = params.filter((p) => s.test(p.Name));
  s.check();
  return out;
}

/** Field names in which live SSM differs from the archive: valueFields, then tagLabelFields. */
export function differingFields(want: ParameterDigest, live: ParameterDigest, exactTags = false): string[] {
  return [...valueFields(want, live), ...tagLabelFields(want, live, exactTags)];
}

/** liveFacts for whole lists (tests, small callers): live digests against the archive's entries as a restore with `keyMap` writes them. */
export function compareLive(archive: ParameterDigest[], live: Iterable<ParameterDigest>, keyMap: KeyMap = new Map()): Map<string, LiveFacts> {
  const byName = new Map(archive.map((p) => [p.Name, p]));
  const out = new Map<string, LiveFacts>();
  for (const l of live) {
    const want = byName.get(l.Name);
    out.set(l.Name, liveFacts(want && desiredParameter(want, keyMap), l));
  }
  return out;
}
