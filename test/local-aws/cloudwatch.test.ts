import { expect } from 'chai';
import { CloudWatchClient, PutMetricDataCommand, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { startLocalAws, type LocalAws } from '../../local-aws/index.js';
import { credentials, rejects } from './helpers.js';

describe('local-aws CloudWatch (PutMetricData, GetMetricStatistics)', () => {
  let aws: LocalAws;
  let cw: CloudWatchClient;
  const dims = [{ Name: 'Environment', Value: 'dev' }];

  beforeEach(async () => {
    aws = await startLocalAws();
    cw = new CloudWatchClient({ region: 'eu-west-1', endpoint: aws.endpoint, credentials, maxAttempts: 1 });
  });
  afterEach(async () => {
    cw.destroy();
    await aws.stop();
  });

  it('stores data points per region and sums them per period', async () => {
    await cw.send(new PutMetricDataCommand({ Namespace: 'N', MetricData: [{ MetricName: 'M', Value: 2, Unit: 'Count', Dimensions: dims }] }));
    await cw.send(new PutMetricDataCommand({ Namespace: 'N', MetricData: [{ MetricName: 'M', Value: 3, Unit: 'Count', Dimensions: dims }] }));
    expect(aws.metrics.list('eu-west-1').map((d) => d.value)).to.deep.equal([2, 3]);
    expect(aws.metrics.list('us-east-1')).to.deep.equal([]);
    const now = Date.now();
    const stats = (Dimensions = dims) =>
      cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'N',
          MetricName: 'M',
          Dimensions,
          StartTime: new Date(now - 60_000),
          EndTime: new Date(now + 60_000),
          Period: 3600,
          Statistics: ['Sum', 'Maximum'],
        }),
      );
    expect((await stats()).Datapoints).to.have.length(1);
    expect((await stats()).Datapoints![0]).to.include({ Sum: 5, Maximum: 3, Unit: 'Count' });
    // Dimensions must match exactly.
    expect((await stats([])).Datapoints).to.deep.equal([]);
  });

  it('takes a gzip-compressed request (the SDK compresses PutMetricData above 10 KiB)', async () => {
    const MetricData = Array.from({ length: 200 }, (_, i) => ({ MetricName: `metric-with-a-long-name-${i}`, Value: i, Dimensions: dims }));
    await cw.send(new PutMetricDataCommand({ Namespace: 'N', MetricData }));
    expect(aws.metrics.list('eu-west-1')).to.have.length(200);
  });

  it('refuses what the API reference refuses, storing nothing of the request', async () => {
    const bad = [
      { Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'M', Value: 1 }] },
      {
        Namespace: 'N',
        MetricData: [
          { MetricName: 'M', Value: 1 },
          { MetricName: 'M', Value: 1, Unit: 'Parsecs' },
        ],
      },
      { Namespace: 'N', MetricData: [{ MetricName: 'M', Value: 1, Timestamp: new Date(Date.now() - 15 * 86400_000) }] },
      { Namespace: 'N', MetricData: [] },
    ];
    for (const input of bad) {
      const err = (await rejects(cw.send(new PutMetricDataCommand(input as never)))) as Error & { Code?: string };
      expect([err.name, err.Code]).to.deep.equal(['InvalidParameterValueException', 'InvalidParameterValue']);
    }
    const err = (await rejects(cw.send(new PutMetricDataCommand({ MetricData: [{ MetricName: 'M', Value: 1 }] } as never)))) as Error & { Code?: string };
    expect([err.name, err.Code]).to.deep.equal(['MissingRequiredParameterException', 'MissingParameter']);
    expect(aws.metrics.list('eu-west-1')).to.deep.equal([]);
  });
});
