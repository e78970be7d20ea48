import { defineCommand } from '../run-command.js';
import { checkAccountOption, withAccount } from '../accounts.js';
import { readSelected } from '../../lib/restore/index.js';
import { archiveSource, sourceOptions } from './restore.js';
import { outputOption, outputFormat, jsonAlias, jsonText, textRecords } from '../output.js';

export const verifyOptions = {
  ...sourceOptions,
  ...outputOption('table'),
  ...jsonAlias,
} as const;

export const verifyCommand = defineCommand({
  name: 'verify',
  describe:
    "Stream an archive and check it: environment and region, manifest.json (sha256, parameter count, format version), structure and every parameter against Parameter Store's rules; exit 1 when damaged, 2 when refused",
  options: verifyOptions,
  examples: [
    ['ssm-backup verify --environment prod --region us-west-2', 'Check the archive latest.txt points at'],
    [
      'ssm-backup verify --environment prod --region us-west-2 --archive 2026-11-28/ssm-backup-prod-us-west-2-20261128_130000.tar.gz --output json',
      'Check one archive, JSON result',
    ],
  ],
  check: (o) => {
    outputFormat(o);
    checkAccountOption(o);
  },
  run: withAccount('verify', 'restore', async ({ aws, logger, io }, o) => {
    const { archive: a, notes } = await readSelected(aws, {
      ...archiveSource(o),
      keepSelected: false,
      logger,
      throttles: () => aws.stats.throttles,
    });
    const checks = [`environment ${a.environment}, region ${a.region}`, ...a.checks, `${a.parameterCount} parameters pass Parameter Store's rules`];
    const result = {
      archive: `s3://${a.bucket}/${a.key}`,
      format: a.format,
      verified: a.verified,
      parameterCount: a.parameterCount,
      environment: a.environment,
      region: a.region,
      createdAt: a.manifest?.createdAt ?? (a.header.backup_date as string | undefined) ?? null,
      toolVersion: a.manifest?.tool?.version ?? null,
      checks,
      notes,
    };
    const format = outputFormat(o);
    if (format === 'json') io.stdout(jsonText(result));
    else if (format === 'text')
      io.stdout(textRecords([[a.verified ? 'OK' : 'UNVERIFIED', result.archive, result.format, result.parameterCount, result.createdAt, result.toolVersion]]));
    else {
      const status = a.verified ? 'OK' : 'UNVERIFIED (legacy backup.json, no checksum; restore is allowed)';
      io.stdout(
        `${status}  ${result.archive}\n  format: ${a.format}, parameters: ${result.parameterCount}, created: ${result.createdAt ?? 'unknown'}\n${checks.map((c) => `  ok: ${c}\n`).join('')}${notes.map((n) => `  note: ${n}\n`).join('')}`,
      );
    }
    return 0;
  }),
});
