import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exec } from '../../../ts/cli/cli.js';

/** merge-summaries: the fragments of parallel branches joined by the engine, the only writer of the summary format. */
describe('merge-summaries', () => {
  let dir: string;
  const run = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await exec(['merge-summaries', ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {} });
    return { code, stdout, stderr };
  };
  const write = (name: string, content: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(content));
    return file;
  };
  const ok = (accountId: string, region: string) => ({
    status: 'SUCCESS',
    accountId,
    region,
    parameterCount: 3,
    artifactPath: `s3://b-${accountId}/k`,
    executionTimeSec: 1,
  });
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'ssm-fragments-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the directory of a summary file that does not exist yet (a Jenkins branch merges into a fresh path)', async () => {
    const f1 = write('f1.json', { '111111111111/us-west-2': ok('111111111111', 'us-west-2') });
    const out = path.join(dir, 'handed', 'deeper', 'summary.json');
    const r = await run('--fragments', f1, '--summary-file', out);
    expect(r.code, r.stderr).to.equal(0);
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8')))).to.deep.equal(['111111111111/us-west-2']);
  });

  it('joins fragments in order and exits 0 when every unit succeeded', async () => {
    const f1 = write('f1.json', { '111111111111/us-west-2': ok('111111111111', 'us-west-2') });
    const f2 = write('f2.json', { '222222222222/us-west-2': ok('222222222222', 'us-west-2') });
    const out = path.join(dir, 'summary.json');
    const r = await run('--fragments', `${f1},${f2}`, '--summary-file', out);
    expect(r.code, r.stderr).to.equal(0);
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8')))).to.deep.equal(['111111111111/us-west-2', '222222222222/us-west-2']);
    expect(r.stdout).to.contain('ACCOUNT');
  });

  it('keeps an interrupted branch as FAILED interrupted, without the process id of another agent, and exits 1', async () => {
    const running = {
      status: 'FAILED',
      failureCategory: 'interrupted',
      runningPid: process.pid,
      accountId: '111111111111',
      region: 'eu-central-1',
      parameterCount: 0,
      artifactPath: null,
      executionTimeSec: 0,
    };
    const f1 = write('f1.json', { '111111111111/eu-central-1': running });
    const out = path.join(dir, 'summary.json');
    const r = await run('--fragments', f1, '--summary-file', out);
    expect(r.code).to.equal(1);
    const entry = JSON.parse(readFileSync(out, 'utf8'))['111111111111/eu-central-1'];
    expect(entry).to.include({ status: 'FAILED', failureCategory: 'interrupted' });
    expect(entry).not.to.have.property('runningPid');
  });

  it('refuses a unit in two fragments, a missing fragment and one that is not a summary (exit 2, nothing written)', async () => {
    const f1 = write('f1.json', { '111111111111/us-west-2': ok('111111111111', 'us-west-2') });
    const f2 = write('f2.json', { '111111111111/us-west-2': ok('111111111111', 'us-west-2') });
    const bad = write('bad.json', { x: 1 });
    const out = path.join(dir, 'summary.json');
    for (const [fragments, message] of [
      [`${f1},${f2}`, 'is in two summary fragments'],
      [`${f1},${path.join(dir, 'none.json')}`, 'does not exist'],
      [bad, 'is not a summary object'],
    ]) {
      const r = await run('--fragments', fragments, '--summary-file', out);
      expect(r.code, fragments).to.equal(2);
      expect(r.stderr).to.contain(message);
      expect(existsSync(out)).to.equal(false);
    }
  });
});
