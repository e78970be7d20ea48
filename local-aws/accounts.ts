/**
 * Several accounts in one emulator (multi-account runs, issue 21). Vocabulary:
 * - access key: the SigV4 `Credential=AKID/...` of a request names its caller. Keys registered with
 *   `addAccessKey(akid, account)` act in that account; every other key acts in the default account as
 *   `arn:aws:iam::{account}:user/local` (signatures are never verified).
 * - role: `arn:aws:iam::{account}:role/NAME`, created with the principals it trusts (caller ARNs, or `arn:aws:iam::{id}:root`
 *   for any identity of that account) and an optional external id (the `sts:ExternalId` condition).
 * - STS AssumeRole: checks the role exists and trusts the caller (principal, then external id), else 403 AccessDenied
 *   with AWS's wording; answers fresh credentials (`ASIA...`) that act in the role's account as
 *   `arn:aws:sts::{account}:assumed-role/NAME/SESSION`, valid for DurationSeconds (900-43200, default 3600).
 * Stores: SSM and KMS per account (Core.stores); S3 bucket names are global, each bucket has an owner account.
 */
import { randomBytes } from 'node:crypto';
import { AwsError } from './types.js';
import { escapeXml, xmlEl } from './http-util.js';

export interface Caller {
  accountId: string;
  arn: string;
}

export interface RoleTrust {
  /** Principal ARNs allowed to assume the role; `arn:aws:iam::{id}:root` allows every identity of account {id}. */
  principals: string[];
  /** Required ExternalId (condition sts:ExternalId), when set. */
  externalId?: string;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]{1,64})$/;

export class Identities {
  private readonly keys = new Map<string, Caller>();
  private readonly roles = new Map<string, RoleTrust>();

  constructor(private readonly defaultAccount: () => string) {}

  /** Requests signed with `accessKeyId` act in `accountId` (as its user `local`). */
  addAccessKey(accessKeyId: string, accountId: string): void {
    if (!/^\d{12}$/.test(accountId)) throw new Error(`accountId must be 12 digits: ${accountId}`);
    this.keys.set(accessKeyId, { accountId, arn: `arn:aws:iam::${accountId}:user/local` });
  }

  createRole(roleArn: string, trust: RoleTrust): void {
    if (!ROLE_ARN.test(roleArn)) throw new Error(`not a role ARN: ${roleArn}`);
    this.roles.set(roleArn, { principals: [...trust.principals], externalId: trust.externalId });
  }

  caller(accessKeyId: string | undefined): Caller {
    const known = accessKeyId === undefined ? undefined : this.keys.get(accessKeyId);
    if (known) return known;
    const accountId = this.defaultAccount();
    return { accountId, arn: `arn:aws:iam::${accountId}:user/local` };
  }

  /** STS AssumeRole (query input); returns the response XML. */
  assumeRole(caller: Caller, input: Record<string, string>, requestId: string, now = Date.now()): string {
    const roleArn = input.RoleArn ?? '';
    const session = input.RoleSessionName ?? '';
    if (!/^[\w+=,.@-]{2,64}$/.test(session)) {
      throw new AwsError(
        'ValidationError',
        "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      );
    }
    if (input.ExternalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(input.ExternalId)) {
      throw new AwsError('ValidationError', "1 validation error detected: Value at 'externalId' failed to satisfy constraint");
    }
    const duration = input.DurationSeconds === undefined ? 3600 : Number(input.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      throw new AwsError('ValidationError', `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
    }
    const m = ROLE_ARN.exec(roleArn);
    const trust = this.roles.get(roleArn);
    const trusted =
      m !== null &&
      trust !== undefined &&
      trust.principals.some((p) => p === caller.arn || p === `arn:aws:iam::${caller.accountId}:root` || p === assumedRoleOf(caller.arn)) &&
      (trust.externalId === undefined || trust.externalId === input.ExternalId);
    if (!m || !trusted) {
      throw new AwsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
    }
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const arn = `arn:aws:sts::${m[1]}:assumed-role/${m[2]}/${session}`;
    this.keys.set(accessKeyId, { accountId: m[1], arn });
    const expiration = new Date(now + duration * 1000).toISOString();
    return (
      '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>' +
      `<Credentials>${xmlEl('AccessKeyId', accessKeyId)}${xmlEl('SecretAccessKey', randomBytes(20).toString('base64'))}` +
      `${xmlEl('SessionToken', randomBytes(32).toString('base64'))}${xmlEl('Expiration', expiration)}</Credentials>` +
      `<AssumedRoleUser>${xmlEl('AssumedRoleId', `AROALOCAL:${session}`)}${xmlEl('Arn', arn)}</AssumedRoleUser>` +
      `</AssumeRoleResult><ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></AssumeRoleResponse>`
    );
  }
}

/** `arn:aws:sts::A:assumed-role/NAME/SESSION` -> `arn:aws:iam::A:role/NAME` (a role may trust another role's sessions). */
function assumedRoleOf(arn: string): string | undefined {
  const m = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  return m ? `arn:aws:iam::${m[1]}:role/${m[2]}` : undefined;
}

/** The access key id of a request: `Credential=AKID/...` of its Authorization header. */
export function accessKeyOf(authorization: string | string[] | undefined): string | undefined {
  const auth = Array.isArray(authorization) ? authorization[0] : authorization;
  return typeof auth === 'string' ? /Credential=([^/,\s]+)\//.exec(auth)?.[1] : undefined;
}
