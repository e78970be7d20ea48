import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { renderContractJson } from '../../scripts/docs.js';
import { FAILED_STATUSES, REGION_STATUSES, RESTORE_SUMMARY_FIELDS, writeCountOf, type RestoreSummary } from '../../ts/contract/index.js';

/** ts/contract/ is what Jenkins and Pulumi read: the Groovy tests read its JSON description, so drift must fail here. */
describe('contract', () => {
  it('test/fixtures/contract.json is what `npm run docs` writes from ts/contract/', () => {
    const committed = readFileSync('test/fixtures/contract.json', 'utf8');
    expect(committed === renderContractJson(), 'test/fixtures/contract.json is stale: run `npm run docs`').to.equal(true);
    const json = JSON.parse(committed);
    expect(json.backupSummary.statuses).to.deep.equal(['SUCCESS', 'FAILED', 'SKIPPED', 'TIMED_OUT']);
    expect(json.restoreSummary.fields).to.include('writeCount');
    expect(json.restoreSummary.plannedFields).to.include('delete');
    expect(json.backupSummary.drift.fields).to.include('notComparedReason');
  });

  it('imports nothing: every import in ts/contract/ is a sibling module', () => {
    const dir = 'ts/contract';
    for (const file of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      for (const m of text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)) expect(m[1], `${file} imports ${m[1]}`).to.match(/^\.\/[a-z-]+\.js$/);
    }
  });

  it('failed statuses are region statuses; writeCount is create + update + delete', () => {
    for (const s of FAILED_STATUSES) expect(REGION_STATUSES).to.include(s);
    expect(writeCountOf({ create: ['/a'], update: [], delete: ['/b', '/c'] })).to.equal(3);
    const keys: (keyof RestoreSummary)[] = ['writeCount', 'planned'];
    for (const k of keys) expect(RESTORE_SUMMARY_FIELDS).to.include(k);
  });
});
