import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The layout's rules (issue 17): arrows point down, folders are entered through their face, no cycles. */
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
const all = files('ts');
const imports = (file: string): { spec: string; target: string; typeOnly: boolean }[] =>
  [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s+(type\s+)?[^'";]*?from\s+'(\.{1,2}\/[^']+)'/gm)].map((m) => ({
    spec: m[2],
    target: path.join(path.dirname(file), m[2]).replace(/\.js$/, '.ts'),
    typeOnly: Boolean(m[1]),
  }));
/** `lib/<concept>` for files in a concept folder, else the top folder or file (`cli`, `contract`, `main.ts`). */
const folder = (file: string): string => {
  const parts = path.relative('ts', file).split(path.sep);
  return parts[0] === 'lib' ? `lib/${parts[1]}` : parts[0];
};
/** Lower layers first; a folder may import only folders before it. */
const LAYERS = [
  'contract',
  'version.ts',
  'lib/support',
  'lib/aws',
  'lib/archive',
  'lib/store',
  'lib/collect',
  'lib/config',
  'lib/check',
  'lib/report',
  'lib/backup',
  'lib/restore',
  'lib/status',
  'cli',
  'main.ts',
];

describe('layout', () => {
  it('has no file in ts/lib outside a concept folder', () => {
    expect(readdirSync('ts/lib').filter((n) => n.endsWith('.ts'))).to.deep.equal([]);
  });

  it('every arrow points down the layers, and crosses into a lib folder only through its index.ts', () => {
    const wrong: string[] = [];
    for (const f of all) {
      for (const i of imports(f)) {
        const [from, to] = [folder(f), folder(i.target)];
        if (from === to) continue;
        if (!LAYERS.includes(from) || !LAYERS.includes(to)) wrong.push(`${f}: unknown layer ${from} or ${to}`);
        else if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) wrong.push(`${f} imports ${i.spec} (up: ${from} -> ${to})`);
        if (to.startsWith('lib/') && path.basename(i.target) !== 'index.ts') wrong.push(`${f} imports ${i.spec}, not ${to}/index.ts`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });

  it('has no circular import', () => {
    const graph = new Map(
      all.map((f) => [
        f,
        imports(f)
          .filter((i) => !i.typeOnly)
          .map((i) => i.target),
      ]),
    );
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const visit = (n: string, stack: string[]) => {
      state.set(n, 1);
      for (const d of graph.get(n) ?? []) {
        if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), n, d].join(' -> '));
        else if (!state.get(d)) visit(d, [...stack, n]);
      }
      state.set(n, 2);
    };
    for (const f of all) if (!state.get(f)) visit(f, []);
    expect(cycles).to.deep.equal([]);
  });
});
