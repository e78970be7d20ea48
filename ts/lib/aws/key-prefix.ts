import type { S3Client } from '@aws-sdk/client-s3';

/**
 * A member account's archives in a central backup account's bucket (issue 21): its archive location is the bucket
 * name plus `/{prefix}` (`central-bucket/111111111111`), as the plan gives it, so every report and log that prints
 * `s3://${bucket}/${key}` names the object's real place. This middleware turns such a location back into S3's terms
 * on every command the client sends: `Bucket` without the suffix, `Key` (and ListObjectsV2's `Prefix`, `StartAfter`)
 * under `{prefix}/`, and the listed keys and common prefixes without it, so the layout code (store/layout.ts) sees the
 * same keys as in a bucket of its own. A Bucket without exactly this suffix is left alone (S3 refuses a name with '/').
 */
/**
 * Whether an archive location is a member's prefix in a central backup account's bucket (`bucket/{member}`): the
 * bucket and its settings (lifecycle, versioning, policy) are then the backup account's, not readable by the member.
 */
export const isMemberPrefix = (location: string): boolean => location.includes('/');

export function withKeyPrefix(client: S3Client, prefix: string): S3Client {
  const suffix = `/${prefix}`;
  const under = (key: string) => `${prefix}/${key}`;
  const strip = (key: string | undefined) => (key?.startsWith(`${prefix}/`) ? key.slice(prefix.length + 1) : key);
  type Args = { input: Record<string, unknown> };
  type Output = { output?: { Contents?: { Key?: string }[]; CommonPrefixes?: { Prefix?: string }[] } };
  const middleware =
    (next: (args: Args) => Promise<Output>, context: { commandName?: string }) =>
    async (args: Args): Promise<Output> => {
      const bucket = args.input.Bucket;
      if (typeof bucket !== 'string' || !bucket.endsWith(suffix)) return next(args);
      // Fail closed: a command whose other key-naming fields this middleware does not rewrite would reach the bucket
      // root or another member's objects (the engine sends none of these today).
      const unhandled = ['CopySource', 'Delete', 'KeyMarker', 'VersionIdMarker', 'Marker'].find((f) => args.input[f] !== undefined);
      if (unhandled || ['ListObjectVersionsCommand', 'ListObjectsCommand', 'ListMultipartUploadsCommand'].includes(context.commandName ?? ''))
        throw new Error(`${context.commandName ?? 'command'} ${unhandled ?? ''} is not supported under an archive prefix (key-prefix.ts)`);
      const input: Record<string, unknown> = { ...args.input, Bucket: bucket.slice(0, -suffix.length) };
      if (typeof input.Key === 'string') input.Key = under(input.Key);
      const listing = context.commandName === 'ListObjectsV2Command';
      if (listing) input.Prefix = under(typeof input.Prefix === 'string' ? input.Prefix : '');
      if (listing && typeof input.StartAfter === 'string') input.StartAfter = under(input.StartAfter);
      const result = await next({ ...args, input });
      const out = result.output;
      if (listing && out) {
        // Only keys under the prefix are this member's: anything else an answer holds is dropped, never passed on.
        if (out.Contents) out.Contents = out.Contents.filter((o) => o.Key?.startsWith(`${prefix}/`)).map((o) => ({ ...o, Key: strip(o.Key) }));
        if (out.CommonPrefixes)
          out.CommonPrefixes = out.CommonPrefixes.filter((p) => p.Prefix?.startsWith(`${prefix}/`)).map((p) => ({ ...p, Prefix: strip(p.Prefix) }));
      }
      return result;
    };
  client.middlewareStack.add(middleware as never, { step: 'initialize', priority: 'high', name: 'ssmBackupArchivePrefix', override: true } as never);
  return client;
}
