import type { LocalAws, SeedParameter } from '../../local-aws/index.js';

export const ENV = 'dev';
export const HOME = 'ap-northeast-1';
export const bucketFor = (region: string, env = ENV) => `jenkins-infra-ssm-backup-${env}-123456789012-${region}`;

/** Writes what the Pulumi stack writes: region list, default region, legacy key, bucket per region; creates the buckets. */
export function seedBackupConfig(
  aws: LocalAws,
  regions: string[],
  opts: { env?: string; home?: string; defaultRegion?: string; skipBucketFor?: string[] } = {},
): void {
  const env = opts.env ?? ENV;
  const home = opts.home ?? HOME;
  const def = opts.defaultRegion ?? regions[0];
  aws.ssm.put(home, { Name: `/jenkins/${env}/backup/region-list`, Value: JSON.stringify(regions), Type: 'String' });
  aws.ssm.put(home, { Name: `/jenkins/${env}/backup/default-region`, Value: def, Type: 'String' });
  aws.ssm.put(home, { Name: `/jenkins/${env}/backup/s3-bucket-name`, Value: bucketFor(def, env), Type: 'String' });
  for (const r of regions) {
    if (opts.skipBucketFor?.includes(r)) continue;
    aws.ssm.put(r, { Name: `/jenkins/${env}/backup/${r}/s3-bucket-name`, Value: bucketFor(r, env), Type: 'String' });
    aws.s3.createBucket(r, bucketFor(r, env), { requireSse: true });
  }
}

export const SECRET_MARKER = 'S3cr3t-VALUE-';

/** A realistic mix: String, StringList, SecureString (default and custom key), Advanced tier with policy, descriptions, tags, unicode, 8 KB. */
export function realisticParameters(region: string): SeedParameter[] {
  const expiry = JSON.stringify([{ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: '2030-12-31T00:00:00.000Z' } }]);
  return [
    {
      Name: `/app/${region}/db/host`,
      Value: `db.${region}.internal`,
      Type: 'String',
      Description: 'Database host',
      Tags: [{ Key: 'team', Value: 'platform' }],
    },
    { Name: `/app/${region}/db/password`, Value: `${SECRET_MARKER}db-${region}`, Type: 'SecureString', Description: 'Database password' },
    {
      Name: `/app/${region}/api/key`,
      Value: `${SECRET_MARKER}api-${region}`,
      Type: 'SecureString',
      KeyId: 'alias/app-secrets',
      Tags: [{ Key: 'rotation', Value: '90d' }],
    },
    { Name: `/app/${region}/hosts`, Value: 'a.example.com,b.example.com', Type: 'StringList' },
    { Name: `/app/${region}/feature/flags`, Value: JSON.stringify({ beta: true, name: 'ベータ機能 ✓' }), Type: 'String', AllowedPattern: '^\\{.*\\}$' },
    {
      Name: `/app/${region}/big/config`,
      Value: 'x'.repeat(8000),
      Type: 'String',
      Tier: 'Advanced',
      Policies: expiry,
      Description: 'Advanced tier with an expiration policy',
    },
    { Name: `/app/${region}/ami`, Value: 'ami-0123456789abcdef0', Type: 'String', DataType: 'aws:ec2:image' },
  ];
}

export function seedRealistic(aws: LocalAws, region: string): SeedParameter[] {
  aws.kms.createKey(region, '1234abcd-12ab-34cd-56ef-1234567890ab', ['alias/app-secrets']);
  const params = realisticParameters(region);
  for (const p of params) aws.ssm.put(region, p);
  return params;
}
