import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { restoreWorld, SOURCE, type RestoreWorld } from '../helpers/restore.js';
import { SECRET_MARKER } from '../helpers/fixtures.js';

/**
 * Answers AWS documents and our emulator used not to give, replayed through the CLI against a strict local-aws:
 * each case failed before its engine fix.
 */
describe('the engine under AWS answers local-aws used to spare it', function () {
  this.timeout(60000);
  let w: RestoreWorld;
  const host = `/app/${SOURCE}/db/host`;
  const summary = () => JSON.parse(readFileSync(path.join(w.work, 'restore_summary.json'), 'utf8'));

  beforeEach(async () => {
    w = await restoreWorld();
  });
  afterEach(async () => {
    for (const text of w.outputs) expect(text).not.to.contain(SECRET_MARKER);
    await w.close();
  });

  describe('filtered DescribeParameters answered with an empty first page and a NextToken (aws-sdk-ruby #2012, boto3 #1632)', () => {
    it('diff and restore --path P, where P is a parameter, read its metadata from the next page: nothing differs', async () => {
      expect((await w.backup()).code).to.equal(0);
      w.aws.setOptions({ emptyFirstPage: true });
      const diff = await w.run('diff', '--path', host, '--json');
      expect(diff.code, diff.stderr).to.equal(0);
      const json = JSON.parse(diff.stdout);
      expect(json.changed).to.deep.equal([]);
      expect(json.unchanged).to.deep.equal([host]);
      const restore = await w.run('restore', '--path', host, '--overwrite', '--work-dir', w.work, '--apply');
      expect(restore.code, restore.stderr).to.equal(0);
      expect(summary().updated).to.deep.equal([]);
      expect(w.aws.ssm.get(SOURCE, host)!.Version).to.equal(1);
    });
  });
});
