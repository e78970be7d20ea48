import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { renderReadme } from '../../scripts/docs.js';
import { commands } from '../../ts/cli/cli.js';
import { camelCase, type OptionTable } from '../../ts/cli/options.js';

/** The option table is the single source: README, the Jenkins steps' DEFAULTS and their .txt pages must agree. */
describe('option table drift', () => {
  it('README.md option tables are what `npm run docs` writes', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(renderReadme(readme) === readme, 'README.md option tables are stale: run `npm run docs`').to.equal(true);
  });

  /** `key: value` pairs of a Groovy `DEFAULTS = [...]` map literal (null, booleans, numbers, strings). */
  const groovyDefaults = (file: string): Record<string, unknown> => {
    const text = readFileSync(file, 'utf8');
    const body = /DEFAULTS = \[([\s\S]*?)\]\n/.exec(text)?.[1];
    if (!body) throw new Error(`${file}: no DEFAULTS map`);
    const out: Record<string, unknown> = {};
    for (const m of body.matchAll(/(\w+):\s*(null|true|false|-?\d+(?:\.\d+)?|'[^']*'|\[:\]|\[\])/g)) {
      out[m[1]] =
        m[2] === 'null'
          ? null
          : m[2] === 'true'
            ? true
            : m[2] === 'false'
              ? false
              : m[2].startsWith("'")
                ? m[2].slice(1, -1)
                : m[2].startsWith('[')
                  ? m[2]
                  : Number(m[2]);
    }
    return out;
  };
  // ssmBackupNotify takes a rendered report, not engine options: nothing to compare.
  const steps: Record<string, string> = { ssmMultiRegionBackup: 'backup', ssmMultiRegionRestore: 'restore' };

  for (const [step, command] of Object.entries(steps)) {
    it(`${step}: every DEFAULTS entry that is an engine option has the engine's default, and its .txt page says so`, () => {
      const defaults = groovyDefaults(`vars/${step}.groovy`);
      const table = commands.find((c) => c.name === command)?.options as OptionTable;
      const txt = readFileSync(`vars/${step}.txt`, 'utf8');
      let shared = 0;
      for (const [name, spec] of Object.entries(table)) {
        const key = camelCase(name);
        if (!(key in defaults)) continue;
        shared += 1;
        const groovy = defaults[key];
        if (groovy !== null) expect(groovy, `${step} DEFAULTS.${key} vs engine --${name}`).to.equal(spec.default);
        expect(txt, `vars/${step}.txt documents ${key}`).to.contain(`<code>${key}</code>`);
        const documented = new RegExp(`<code>${key}</code> \\(default <code>([^<]*)</code>\\)`).exec(txt)?.[1];
        if (documented !== undefined && spec.default !== undefined) expect(documented, `vars/${step}.txt default of ${key}`).to.equal(String(spec.default));
      }
      expect(shared, `${step} shares no option with ${command}`).to.be.greaterThan(2);
    });
  }
});
