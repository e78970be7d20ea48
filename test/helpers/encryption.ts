import { gunzipSync } from 'node:zlib';
import { readTarGz } from '../../ts/lib/archive/read.js';
import type { LocalAws } from '../../local-aws/index.js';
import { HOME } from './fixtures.js';

export const ACCOUNT = '123456789012';
export const DR_REGION = 'eu-central-1';

/** What the Pulumi stack writes for client-side encryption: a key per region (given as an alias ARN) and a DR key list. */
export function seedBackupKeys(
  aws: LocalAws,
  regions: string[],
  opts: { dr?: string[]; env?: string } = {},
): { keyArns: Record<string, string>; drArns: string[] } {
  const env = opts.env ?? 'dev';
  const keyArns: Record<string, string> = {};
  for (const r of regions) {
    keyArns[r] = aws.kms.createKey(r, `backup-key-${r}`, ['alias/ssm-backup']);
    aws.ssm.put(r, { Name: `/jenkins/${env}/backup/${r}/kms-key-arn`, Value: `arn:aws:kms:${r}:${ACCOUNT}:alias/ssm-backup`, Type: 'String' });
  }
  const drArns = (opts.dr ?? [DR_REGION]).map((r) => aws.kms.createKey(r, `dr-key-${r}`, ['alias/ssm-backup-dr']));
  if (drArns.length) aws.ssm.put(HOME, { Name: `/jenkins/${env}/backup/dr-kms-key-arns`, Value: JSON.stringify(drArns), Type: 'String' });
  return { keyArns, drArns };
}

/** Every string a seeded SecureString could leak as: the value and each of its lines. */
export const secretNeedles = (values: string[]): string[] => values.flatMap((v) => [v, ...v.split('\n')]).filter((s) => s.length >= 6);

/**
 * The raw bytes of an object plus every decompressed form we can reach: gunzip of the object, the files of its
 * tar, and gunzip of each file where that works (ciphertext slices do not gunzip).
 */
export async function reachableBytes(body: Buffer): Promise<Buffer[]> {
  const out = [body];
  if (body[0] !== 0x1f || body[1] !== 0x8b) return out;
  out.push(gunzipSync(body));
  const files = await readTarGz(body).catch(() => new Map<string, Buffer>());
  for (const f of files.values()) {
    out.push(f);
    try {
      out.push(gunzipSync(f));
    } catch {
      /* not gzip: ciphertext */
    }
  }
  return out;
}
