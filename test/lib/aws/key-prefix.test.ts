import { expect } from 'chai';
import type { S3Client } from '@aws-sdk/client-s3';
import { withKeyPrefix } from '../../../ts/lib/aws/key-prefix.js';

type Handler = (args: { input: Record<string, unknown> }) => Promise<{ output?: Record<string, unknown> }>;

/** The middleware withKeyPrefix adds, called as the SDK would: (next, context) => (args) => result. */
function prefixer(prefix: string) {
  let added: ((next: Handler, context: { commandName?: string }) => Handler) | undefined;
  const client = { middlewareStack: { add: (mw: typeof added) => (added = mw) } } as unknown as S3Client;
  withKeyPrefix(client, prefix);
  return (commandName: string, input: Record<string, unknown>, answer: Record<string, unknown> = {}) => {
    let sent: Record<string, unknown> | undefined;
    const next: Handler = async (args) => {
      sent = args.input;
      return { output: structuredClone(answer) };
    };
    return added!(next, { commandName })({ input }).then((r) => ({ sent, output: r.output }));
  };
}

describe('withKeyPrefix: a member prefix in a central backup account bucket', () => {
  const call = prefixer('111111111111');

  it('rewrites Bucket and Key of object commands, Prefix and StartAfter of listings', async () => {
    expect((await call('PutObjectCommand', { Bucket: 'central/111111111111', Key: '2026-12-04/a.tar.gz', IfNoneMatch: '*' })).sent).to.deep.equal({
      Bucket: 'central',
      Key: '111111111111/2026-12-04/a.tar.gz',
      IfNoneMatch: '*',
    });
    expect((await call('ListObjectsV2Command', { Bucket: 'central/111111111111', StartAfter: 'x' })).sent).to.deep.equal({
      Bucket: 'central',
      Prefix: '111111111111/',
      StartAfter: '111111111111/x',
    });
    expect((await call('GetBucketVersioningCommand', { Bucket: 'central/111111111111' })).sent).to.deep.equal({ Bucket: 'central' });
  });

  it("strips the prefix from listed keys and drops anything outside it (never passed on as this member's)", async () => {
    const answer = {
      Contents: [{ Key: '111111111111/latest.txt' }, { Key: '222222222222/latest.txt' }, { Key: 'latest.txt' }, { Key: '111111111111x/a' }],
      CommonPrefixes: [{ Prefix: '111111111111/2026-12-04/' }, { Prefix: '222222222222/' }],
    };
    const { output } = await call('ListObjectsV2Command', { Bucket: 'central/111111111111' }, answer);
    expect(output).to.deep.equal({ Contents: [{ Key: 'latest.txt' }], CommonPrefixes: [{ Prefix: '2026-12-04/' }] });
  });

  it('fails closed on commands whose key fields it does not rewrite; leaves other buckets alone', async () => {
    for (const [command, input] of [
      ['ListObjectVersionsCommand', { Bucket: 'central/111111111111' }],
      ['CopyObjectCommand', { Bucket: 'central/111111111111', Key: 'a', CopySource: 'central/222222222222/a' }],
      ['DeleteObjectsCommand', { Bucket: 'central/111111111111', Delete: { Objects: [] } }],
    ] as [string, Record<string, unknown>][]) {
      let error: Error | undefined;
      await call(command, input).catch((e: Error) => (error = e));
      expect(error?.message, command).to.match(/is not supported under an archive prefix/);
    }
    expect((await call('GetObjectCommand', { Bucket: 'own-bucket', Key: 'a' })).sent).to.deep.equal({ Bucket: 'own-bucket', Key: 'a' });
    expect((await call('GetObjectCommand', { Bucket: 'central/222222222222', Key: 'a' })).sent).to.deep.equal({ Bucket: 'central/222222222222', Key: 'a' });
  });
});
