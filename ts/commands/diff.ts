import { defineCommand } from './common.js';
import { homeRegionFrom } from './home-region.js';
import { openArchive } from '../lib/restore/run.js';
import { readLive } from '../lib/restore/live.js';
import { selectParameters, desiredParameter, parseKeyMap } from '../lib/restore/plan.js';
import { diffArchive, formatDiff } from '../lib/restore/diff.js';
import { sourceOptions } from './restore.js';

export const diffOptions = {
  ...sourceOptions,
  'target-region': { kind: 'region', defaultDescription: '--region', describe: 'Live region to compare with' },
  path: { kind: 'parameter-path', default: '/', describe: 'Compare only parameters under this path, recursively' },
  'kms-key-map': { kind: 'list', describe: 'FROM=TO,... compare SecureString keys as a restore with this map would write them' },
  json: { kind: 'boolean', default: false, describe: 'Print JSON {created, changed: [{name, fields}], unchanged, onlyLive}' },
} as const;

export const diffCommand = defineCommand({
  name: 'diff',
  describe: 'Compare an archive with live SSM: created / changed (by field) / unchanged / only-live; values are never printed',
  options: diffOptions,
  examples: [
    ['ssm-backup diff --environment prod --region us-west-2 --path /app', 'What a restore of /app from the latest archive would change'],
  ],
  check: (o) => void parseKeyMap(o.kmsKeyMap?.join(',')),
  run: async ({ aws, logger, io }, o) => {
    const target = o.targetRegion ?? o.region;
    const archive = await openArchive(aws, { environment: o.environment, homeRegion: homeRegionFrom(o), region: o.region, archive: o.archive }, logger);
    const keyMap = parseKeyMap(o.kmsKeyMap?.join(','));
    const selected = selectParameters(archive.parameters, { path: o.path }).map((p) => desiredParameter(p, keyMap));
    const live = await readLive(aws, target, o.path, logger.forRegion(target), selected.filter((p) => p.Tags?.length).map((p) => p.Name), selected.filter((p) => p.Labels?.length).map((p) => p.Name));
    const diff = diffArchive(selected, live);
    io.stdout(o.json ? JSON.stringify({ archive: `s3://${archive.bucket}/${archive.key}`, targetRegion: target, ...diff }, null, 2) + '\n' : formatDiff(diff, o.verbose));
    return 0;
  },
});
