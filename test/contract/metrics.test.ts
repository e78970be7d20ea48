import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { METRIC_NAMESPACE, METRICS, METRIC_DIMENSIONS } from '../../ts/contract/index.js';

describe('metrics contract', () => {
  it('the Pulumi alarm and IAM grant name the namespace, metric and dimensions the engine puts', () => {
    const iam = readFileSync('pulumi/iamPolicies.ts', 'utf8');
    const alarm = readFileSync('pulumi/alarm.ts', 'utf8');
    expect(iam).to.contain(`METRIC_NAMESPACE = "${METRIC_NAMESPACE}"`);
    expect(alarm).to.contain(`BACKUP_SUCCESS_METRIC = "BackupSuccess"`);
    expect(METRICS).to.have.property('BackupSuccess');
    expect(alarm).to.match(new RegExp(`\\{ ${METRIC_DIMENSIONS[0]}: environment, ${METRIC_DIMENSIONS[1]}: region`));
    expect(
      JSON.parse(readFileSync('iam/backup-role-policy.json', 'utf8')).Statement.some(
        (s: { Condition?: Record<string, Record<string, string>> }) => s.Condition?.StringEquals?.['cloudwatch:namespace'] === METRIC_NAMESPACE,
      ),
    ).to.equal(true);
  });
});
