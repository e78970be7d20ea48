import { expect } from 'chai';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { localAwsEmulator, motoEmulator, clientConfig, type Emulator } from '../helpers/emulators.js';
import { World, SOURCE, DR, ENV, HOME } from './world.js';
import { runCli } from '../helpers/cli.js';

/**
 * CloudWatch metrics of a backup (issue 23), read back through GetMetricStatistics on both emulators: what the
 * alarm (BackupSuccess summed per hour) and a dashboard would see.
 */
for (const emulator of [localAwsEmulator(), motoEmulator()] as Emulator[]) {
  describe(`backup metrics on ${emulator.name}`, function () {
    this.timeout(60000);
    let w: World;
    const clients: CloudWatchClient[] = [];
    const cloudwatch = (region: string) => {
      const c = new CloudWatchClient(clientConfig(emulator.endpoint, region));
      clients.push(c);
      return c;
    };
    /** Sum of a metric of `region` over the last hour (undefined: no data point). */
    const sum = async (region: string, MetricName: string): Promise<number | undefined> => {
      const out = await cloudwatch(region).send(
        new GetMetricStatisticsCommand({
          Namespace: 'SSMParameterBackup',
          MetricName,
          Dimensions: [
            { Name: 'Environment', Value: ENV },
            { Name: 'Region', Value: region },
          ],
          StartTime: new Date(Date.now() - 3600_000),
          EndTime: new Date(Date.now() + 60_000),
          Period: 3600,
          Statistics: ['Sum'],
        }),
      );
      const points = out.Datapoints ?? [];
      return points.length ? points.reduce((a, p) => a + (p.Sum ?? 0), 0) : undefined;
    };

    before(() => emulator.start());
    after(() => emulator.stop());
    beforeEach(async () => {
      await emulator.reset();
      w = new World(emulator);
      await w.seed([SOURCE, DR]);
      await w.seedApp(SOURCE);
      await w.seedApp(DR);
    });
    afterEach(() => {
      w.close();
      for (const c of clients.splice(0)) c.destroy();
    });

    it('puts BackupSuccess, ParameterCount, DurationSeconds, ArchiveBytes and drift per region, in that region', async () => {
      const run = await w.backup('--regions', `${SOURCE},${DR}`);
      expect(run.code, run.stderr).to.equal(0);
      for (const region of [SOURCE, DR]) {
        expect(await sum(region, 'BackupSuccess')).to.equal(1);
        expect(await sum(region, 'ParameterCount')).to.equal(run.summary[region].parameterCount);
        expect(await sum(region, 'ArchiveBytes')).to.equal(run.summary[region].archiveBytes);
        expect(await sum(region, 'DurationSeconds')).to.be.a('number');
        // A first backup compares nothing: no drift data points.
        expect(await sum(region, 'DriftAdded')).to.equal(undefined);
      }
      await w.put(SOURCE, { Name: `/app/${SOURCE}/new`, Value: 'n', Type: 'String' });
      expect((await w.backup('--regions', SOURCE)).code).to.equal(0);
      expect(await sum(SOURCE, 'BackupSuccess')).to.equal(2);
      expect(await sum(SOURCE, 'DriftAdded')).to.equal(1);
      expect(await sum(SOURCE, 'DriftRemoved')).to.equal(0);
      expect(await sum(DR, 'BackupSuccess')).to.equal(1);
    });

    it('a failed region puts BackupSuccess 0', async () => {
      const run = await w.backup('--regions', SOURCE, '--path', '/nothing/here');
      expect(run.code).to.equal(1);
      expect(run.summary[SOURCE].status).to.equal('FAILED');
      expect(await sum(SOURCE, 'BackupSuccess')).to.equal(0);
      expect(await sum(SOURCE, 'ParameterCount')).to.equal(undefined);
      // For the on-call's preview: when the region last backed up successfully (never, here).
      expect(run.summary[SOURCE].lastSuccessAt).to.equal(null);
      expect((await w.backup('--regions', SOURCE)).code).to.equal(0);
      const accepted = (await w.latest(SOURCE))!;
      const again = await w.backup('--regions', SOURCE, '--path', '/nothing/here');
      expect(again.summary[SOURCE].status).to.equal('FAILED');
      const stamp = /(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})\.tar\.gz$/.exec(accepted)!;
      expect(again.summary[SOURCE].lastSuccessAt).to.equal(`${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}.000Z`);
    });

    it('a dry run and --no-metrics put none', async () => {
      expect((await w.backup('--regions', SOURCE, '--dry-run')).code).to.equal(0);
      expect((await w.backup('--regions', SOURCE, '--no-metrics')).code).to.equal(0);
      expect(await sum(SOURCE, 'BackupSuccess')).to.equal(undefined);
      expect(await sum(SOURCE, 'ParameterCount')).to.equal(undefined);
    });

    if (emulator.name === 'local-aws')
      it('a refused PutMetricData is a WARNING of the region, never a failed backup', async () => {
        (emulator as ReturnType<typeof localAwsEmulator>)
          .aws()
          .faults.add({ service: 'cloudwatch', operation: 'PutMetricData', error: { code: 'AccessDenied', status: 403, message: 'not allowed' } });
        const run = await w.backup('--regions', SOURCE);
        expect(run.code, run.stderr).to.equal(0);
        expect(run.summary[SOURCE].status).to.equal('SUCCESS');
        expect(run.summary[SOURCE].warnings).to.have.length(1);
        expect(run.summary[SOURCE].warnings![0]).to.match(/^CloudWatch metrics not put \(AccessDenied: not allowed\)/);
        expect(run.stderr).to.match(/WARN.*CloudWatch metrics not put/);
        expect(await w.latest(SOURCE)).to.match(/\.tar\.gz$/);
      });

    if (emulator.name === 'local-aws')
      it('a CloudWatch that does not answer holds the backup up at most 10 s, then is a WARNING', async function () {
        this.timeout(40000);
        // A port nothing listens on: every attempt is refused, and the SDK retries with backoff.
        const started = Date.now();
        const offline = await runCli(emulator, ['backup', '--environment', ENV, '--ssm-home-region', HOME, '--regions', SOURCE, '--work-dir', w.work], {
          AWS_ENDPOINT_URL_CLOUDWATCH: 'http://127.0.0.1:9',
        });
        expect(offline.code, offline.stderr).to.equal(0);
        expect(offline.stderr).to.match(/WARN.*CloudWatch metrics not put \(no answer within 10 s\)/);
        expect(Date.now() - started).to.be.below(20000);
      });
  });
}
