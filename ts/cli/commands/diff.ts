import { defineCommand } from '../run-command.js';
import { checkAccountOption, checkTargetAccountOption, targetAccountOptions, withAccount } from '../accounts.js';
import { readSelected, readLive, desiredParameter, checkKeyMapUse, diffArchive, formatDiff } from '../../lib/restore/index.js';
import { archiveSource, sourceOptions, liveOptions } from './restore.js';
import { outputOption, outputFormat, jsonAlias, jsonText, textRecords } from '../output.js';

export const diffOptions = {
  ...sourceOptions,
  ...liveOptions,
  'target-region': { kind: 'region', defaultDescription: '--region', describe: 'Live region to compare with' },
  ...targetAccountOptions,
  path: { kind: 'parameter-path', default: '/', describe: 'Compare only this parameter and everything under it' },
  'kms-key-map': { kind: 'key-map', describe: 'FROM=TO,... compare SecureString keys as a restore with this map would write them' },
  ...outputOption('table'),
  ...jsonAlias,
} as const;

export const diffCommand = defineCommand({
  name: 'diff',
  describe: 'Compare an archive with live SSM: created / changed (by field) / unchanged / only-live; values are never printed',
  options: diffOptions,
  examples: [['ssm-backup diff --environment prod --region us-west-2 --path /app', 'What a restore of /app from the latest archive would change']],
  clientOptions: (o) => ({ getRate: o.getRate }),
  check: (o) => {
    outputFormat(o);
    checkAccountOption(o);
    checkTargetAccountOption(o);
  },
  run: withAccount('diff', 'restore', async ({ aws, logger, io }, o, accounts) => {
    const target = o.targetRegion ?? o.region;
    const throttles = () => aws.stats.throttles;
    const source = await readSelected(aws, {
      ...archiveSource(o),
      path: o.path,
      logger,
      throttles,
      targetRegion: target,
    });
    // One copy of the archive's entries: desiredParameter returns the entry itself unless its KeyId is mapped.
    const selected = source.selected.map((p) => desiredParameter(p, o.kmsKeyMap ?? new Map()));
    const keyMapNote = checkKeyMapUse(source.selected, o.kmsKeyMap ?? new Map(), false);
    if (keyMapNote) logger.forRegion(target).warn(keyMapNote);
    source.selected = [];
    const live = await readLive(accounts.target, target, o.path, {
      archive: new Map(selected.map((p) => [p.Name, p])),
      logger: logger.forRegion(target),
      tagsFor: selected.filter((p) => p.Tags?.length).map((p) => p.Name),
      labelsFor: selected.filter((p) => p.Labels?.length).map((p) => p.Name),
      throttles,
    });
    const diff = diffArchive(selected, live);
    const format = outputFormat(o);
    // json: {archive, targetRegion, sourceAccountId?, targetAccountId? (with --account or --target-account), created, changed: [{name, fields}], unchanged, onlyLive}; text: one `kind<TAB>name[<TAB>fields]` a line
    if (format === 'json')
      io.stdout(
        jsonText({
          archive: `s3://${source.archive.bucket}/${source.archive.key}`,
          targetRegion: target,
          ...(accounts.accountIds ? { sourceAccountId: accounts.accountIds.source, targetAccountId: accounts.accountIds.target } : {}),
          ...diff,
        }),
      );
    else if (format === 'text')
      io.stdout(
        textRecords([
          ...diff.created.map((n) => ['created', n]),
          ...diff.changed.map((c) => ['changed', c.name, c.fields.join(',')]),
          ...diff.unchanged.map((n) => ['unchanged', n]),
          ...diff.onlyLive.map((n) => ['only-live', n]),
        ]),
      );
    else io.stdout(formatDiff(diff, o.verbose));
    return 0;
  }),
});
