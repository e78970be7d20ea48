/**
 * Credentials of a member account (multi-account runs, issue 21): STS AssumeRole through client-sts, called with the
 * caller's own credentials (the SDK's default provider chain, or --profile), the run's session name and the external
 * id. One provider per account, shared by every client of that account: the role is assumed once and again only when
 * its credentials are within REFRESH_MS of their expiry (role chaining caps a session at one hour, STS API reference,
 * AssumeRole `DurationSeconds`), so long runs never send a request with expired credentials.
 */
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';

/** Temporary credentials as every SDK client's `credentials` option takes them. */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/** Refresh credentials this long before they expire (the SDK's own margin for temporary credentials: 5 minutes). */
export const REFRESH_MS = 5 * 60_000;

export interface AssumeRoleInput {
  roleArn: string;
  externalId?: string;
  /** RoleSessionName (2-64 of [\w+=,.@-]): names the run in CloudTrail. */
  sessionName: string;
}

/**
 * A credential provider that assumes `input.roleArn` with `sts` (made with the caller's credentials), memoized until
 * REFRESH_MS before expiry; a failed call is not memoized (the next request asks again). `now` for tests.
 */
export function assumeRoleCredentials(sts: STSClient, input: AssumeRoleInput, now: () => number = Date.now): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  let expiresAt = 0;
  const assume = async (): Promise<AwsCredentialIdentity> => {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: input.roleArn,
        RoleSessionName: input.sessionName,
        ...(input.externalId !== undefined ? { ExternalId: input.externalId } : {}),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`STS AssumeRole ${input.roleArn} returned no credentials`);
    expiresAt = c.Expiration ? c.Expiration.getTime() : Infinity;
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
  return () => {
    if (!current || now() >= expiresAt - REFRESH_MS) {
      expiresAt = Infinity; // callers arriving while this call runs share it
      const call = assume();
      current = call;
      call.catch(() => {
        if (current === call) current = undefined;
      });
    }
    return current;
  };
}

/** RoleSessionName of a run: `ssm-backup-{command}-{environment}-{BUILD_TAG or UTC time}`, cut to STS's 64 characters. */
export function roleSessionName(command: string, environment: string, buildTag: string | undefined, at: Date = new Date()): string {
  const run = buildTag?.trim() ? buildTag : at.toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `ssm-backup-${command}-${environment}-${run}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
