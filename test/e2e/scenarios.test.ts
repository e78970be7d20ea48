import { expect } from 'chai';
import sinon from 'sinon';
import { localAwsEmulator, motoEmulator, type Emulator } from '../helpers/emulators.js';
import { World, SOURCE, DR, HOME, SECRET_MARKER, bucketFor } from './world.js';

/**
 * The engine's end-to-end scenarios against two emulators: local-aws (ours) and moto (independent). Both are
 * driven through the CLI and the AWS API only. A scenario that passes on one and fails on the other is a bug in
 * the engine or in one emulator; the AWS API reference decides (see README, "Emulators").
 */
for (const emulator of [localAwsEmulator(), motoEmulator()] as Emulator[]) {
  describe(`end-to-end scenarios on ${emulator.name}`, function () {
    this.timeout(60000);
    let w: World;
    let clock: sinon.SinonFakeTimers;
    const outputs: string[] = [];
    /** Archive keys carry the second they were made in: each backup runs at its own (faked) time. */
    const at = (iso: string) => clock.setSystemTime(new Date(iso));

    before(() => emulator.start());
    after(async () => {
      await emulator.stop();
      for (const text of outputs) expect(text).not.to.contain(SECRET_MARKER);
    });
    beforeEach(async () => {
      clock = sinon.useFakeTimers({ now: new Date('2026-11-01T10:00:00Z'), toFake: ['Date'] });
      await emulator.reset();
      w = new World(emulator);
      await w.seed([SOURCE, DR]);
      await w.seedApp(SOURCE);
      await w.seedApp(DR);
    });
    afterEach(() => {
      clock.restore();
      outputs.push(...w.outputs);
      w.close();
    });

    it('backs up two regions with tags into format 2 archives that verify; latest.txt names them', async () => {
      const run = await w.backup('--regions', `${SOURCE},${DR}`);
      expect(run.code, run.stderr).to.equal(0);
      for (const region of [SOURCE, DR]) {
        expect(run.summary[region].status).to.equal('SUCCESS');
        expect(run.summary[region].parameterCount).to.equal(region === SOURCE ? 6 + 2 : 6 + 2);
        const archive = (await w.keys(region)).find((k) => k.endsWith('.tar.gz'))!;
        expect(archive).to.match(new RegExp(`^2026-11-01/ssm-backup-dev-${region}-20261101_100000\\.tar\\.gz$`));
        expect(await w.latest(region)).to.equal(archive);
        const verify = await w.cli('verify', '--region', region);
        expect(verify.code, verify.stderr).to.equal(0);
        expect(verify.stdout).to.contain('format: v2').and.to.contain(`ok: encryption context dev/${region}`);
      }
    });
  });
}

void HOME;
void bucketFor;
