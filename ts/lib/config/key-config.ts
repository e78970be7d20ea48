/**
 * The client-side encryption keys of the backup configuration (written by the Pulumi stack):
 *   /jenkins/{env}/backup/{region}/kms-key-arn   the region's backup key: a key or alias ARN in that region
 *                                                (read in the region first, then in the home region, like the bucket)
 *   /jenkins/{env}/backup/dr-kms-key-arns        home region only: JSON array of key or alias ARNs in other regions
 *                                                under which every archive's data key is also wrapped
 * A missing key parameter means SSE-S3 only (a WARNING; --require-client-encryption makes it an error). A key
 * parameter that cannot be READ fails that region: the tool never falls back to weaker protection on a doubt.
 */
import { configError, describeAwsError } from '../support/index.js';
import { MAX_DR_KEYS } from '../archive/index.js';
import type { SsmReader } from '../aws/index.js';

/** arn:PARTITION:kms:REGION:ACCOUNT:key/ID or :alias/NAME (AWS KMS key identifiers, "Key ARN" and "Alias ARN"). */
const KMS_ARN = /^arn:aws(?:-[a-z]+)*:kms:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):(?:key\/[A-Za-z0-9-]{1,128}|alias\/[A-Za-z0-9/_-]{1,250})$/;

export interface KeyConfig {
  /** The backup key ARN per region; null: no key parameter (SSE-S3 only). */
  kmsKeys: Record<string, string | null>;
  /** Regions whose key parameter could not be read: why. Such a region fails rather than lose its encryption. */
  kmsKeyErrors: Record<string, string>;
  drKmsKeys: string[];
}

/** A KMS key or alias ARN; `region` when the key must live in that region. Pure; a bad value is exit 2. */
export function parseKmsKeyArn(value: string, source: string, region?: string): string {
  const m = KMS_ARN.exec(value.trim());
  if (!m) throw configError(`${source} is "${value}", not a KMS key or alias ARN: use arn:aws:kms:<region>:<account>:key/<id> or ...:alias/<name>`);
  if (region && m[1] !== region)
    throw configError(
      `${source} names a key in ${m[1]}, not ${region}: each region's archives use a key of that region (disaster-recovery keys go in dr-kms-key-arns)`,
    );
  return value.trim();
}

/** The dr-kms-key-arns value: a JSON array of at most MAX_DR_KEYS distinct key or alias ARNs. Pure. */
export function parseDrKeyArns(raw: string | undefined, source: string): string[] {
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw configError(`${source} is not valid JSON (${(err as Error).message}): set it to a JSON array of KMS key ARNs, or delete it`);
  }
  if (!Array.isArray(parsed) || parsed.some((a) => typeof a !== 'string')) throw configError(`${source} must be a JSON array of KMS key ARN strings`);
  if (parsed.length > MAX_DR_KEYS) throw configError(`${source} lists ${parsed.length} keys; at most ${MAX_DR_KEYS} are allowed`);
  if (new Set(parsed).size !== parsed.length) throw configError(`${source} lists a key twice: remove the duplicate`);
  return (parsed as string[]).map((a, i) => parseKmsKeyArn(a, `${source}[${i}]`));
}

/**
 * Reads the key parameters: each region's key in that region (a read error is recorded, not a fallback), missing
 * ones from the home region, and the DR list from the home region.
 */
export async function readKeyConfig(
  home: SsmReader,
  regional: (region: string) => SsmReader,
  regions: string[],
  names: { kmsKeyArn: (region: string) => string; drKmsKeyArns: string },
): Promise<KeyConfig> {
  const found: Record<string, string | undefined> = {};
  const kmsKeyErrors: Record<string, string> = {};
  await Promise.all(
    regions.map(async (r) => {
      try {
        found[r] = (await regional(r).getOne(names.kmsKeyArn(r)))?.Value;
      } catch (err) {
        kmsKeyErrors[r] =
          `Could not read ${names.kmsKeyArn(r)} in ${r}: ${describeAwsError(err)}; not backing up without knowing whether client-side encryption is configured`;
      }
    }),
  );
  const missing = regions.filter((r) => found[r] === undefined && !kmsKeyErrors[r]);
  const fromHome = await getEach(home, [...missing.map(names.kmsKeyArn), names.drKmsKeyArns]);
  const kmsKeys: Record<string, string | null> = {};
  for (const r of regions) {
    const value = found[r] ?? fromHome[names.kmsKeyArn(r)];
    kmsKeys[r] = value === undefined ? null : parseKmsKeyArn(value, names.kmsKeyArn(r), r);
  }
  return { kmsKeys, kmsKeyErrors, drKmsKeys: parseDrKeyArns(fromHome[names.drKmsKeyArns], names.drKmsKeyArns) };
}

async function getEach(ssm: SsmReader, names: string[]): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const n of names) out[n] = (await ssm.getOne(n))?.Value;
  return out;
}

/** With --require-client-encryption, every region must have a key: otherwise exit 2 before anything is written. */
export function requireClientEncryption(keys: Partial<KeyConfig>, regions: string[], kmsKeyArn: (region: string) => string): void {
  const without = regions.filter((r) => !keys.kmsKeys?.[r] && !keys.kmsKeyErrors?.[r]);
  if (without.length) {
    throw configError(
      `--require-client-encryption: no backup key for ${without.join(', ')} (${without.map(kmsKeyArn).join(', ')} not found): create the keys with the Pulumi stack, or leave the option out to back up with SSE-S3 only`,
    );
  }
}
