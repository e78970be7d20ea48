import { defineCommand } from './common.js';
import { homeRegionFrom } from './home-region.js';
import { openArchive } from '../lib/restore/run.js';
import { sourceOptions } from './restore.js';

export const verifyOptions = {
  ...sourceOptions,
  json: { kind: 'boolean', default: false, describe: 'Print the result as JSON' },
} as const;

export const verifyCommand = defineCommand({
  name: 'verify',
  describe: 'Download an archive and check manifest.json (sha256 of backup.json, parameter count, format version); exit 1 on any mismatch',
  options: verifyOptions,
  examples: [
    ['ssm-backup verify --environment prod --region us-west-2', 'Check the archive latest.txt points at'],
    ['ssm-backup verify --environment prod --region us-west-2 --archive 2026-11-28/ssm-backup-prod-us-west-2-20261128_130000.tar.gz --json', 'Check one archive, JSON result'],
  ],
  run: async ({ aws, logger, io }, o) => {
    const a = await openArchive(aws, { environment: o.environment, homeRegion: homeRegionFrom(o), region: o.region, archive: o.archive }, logger);
    const result = {
      archive: `s3://${a.bucket}/${a.key}`, format: a.format, verified: a.verified, parameterCount: a.parameters.length,
      environment: a.environment ?? null, region: a.region ?? null, createdAt: a.manifest?.createdAt ?? a.backupDate ?? null,
      toolVersion: a.manifest?.tool.version ?? null, checks: a.checks,
    };
    if (o.json) io.stdout(JSON.stringify(result, null, 2) + '\n');
    else {
      const status = a.verified ? 'OK' : 'UNVERIFIED (legacy backup.json, no checksum; restore is allowed)';
      io.stdout(`${status}  ${result.archive}\n  format: ${a.format}, parameters: ${result.parameterCount}, created: ${result.createdAt ?? 'unknown'}\n${a.checks.map((c) => `  ok: ${c}\n`).join('')}`);
    }
    return 0;
  },
});
