/** Error categories map to exit codes: usage/config -> 2, everything else -> 1. */
import type { ErrorCategory } from '../../contract/index.js';

export type { ErrorCategory };

export class EngineError extends Error {
  readonly category: ErrorCategory;
  readonly region?: string;

  constructor(category: ErrorCategory, message: string, opts: { region?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'EngineError';
    this.category = category;
    this.region = opts.region;
  }

  get exitCode(): number {
    return this.category === 'usage' || this.category === 'config' ? 2 : 1;
  }
}

export const configError = (message: string, region?: string): EngineError => new EngineError('config', message, { region });
export const usageError = (message: string): EngineError => new EngineError('usage', message);

/** One line, never multi-line SDK dumps: the first line of the message, trimmed. */
export function oneLine(message: string): string {
  const first = message.split(/\r?\n/).find((l) => l.trim() !== '') ?? message;
  return first.trim();
}

/**
 * AWS SDK errors carry `name` (the error code) and `$metadata`; describe them in one line without any
 * request payload. AWS validation messages can echo the rejected input (`Value '...' at 'value' failed
 * to satisfy constraint`): that part is masked, and so is every string in `secrets`.
 */
export function describeAwsError(err: unknown, secrets: (string | undefined)[] = []): string {
  let text: string;
  if (err instanceof EngineError) text = err.message;
  else if (err instanceof Error) text = oneLine(`${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`);
  else text = String(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  // HEAD answers carry no body, so the SDK cannot name the error: say what the status means.
  if (status && err instanceof Error && /^Unknown/.test(err.name)) text = BODILESS[status] ?? `HTTP ${status} without an error code`;
  // A bucket of another region (S3's x-amz-bucket-region, with or without a body): which bucket, where, and the fix.
  const wrong = wrongBucketRegion(err);
  if (wrong) text = wrong.message;
  if (err instanceof Error && err.name === 'CredentialsProviderError' && /any providers/i.test(err.message)) text = NO_CREDENTIALS;
  return maskEchoedValues(text, secrets);
}

/** A bucket that lives in another region than the client that asked: S3's `x-amz-bucket-region` answer (aws/bucket-region.ts). */
export interface WrongBucketRegion {
  bucket: string;
  /** Where the bucket lives (the header). */
  bucketRegion: string;
  /** The region the request was made for (the client's). */
  region: string;
  /** The one-line message: the bucket, both regions, the parameter to fix. */
  message: string;
}

const WRONG_REGION = 'ssmBackupWrongBucketRegion';

/** Attaches the facts to an S3 error (not enumerable: never serialised with it). */
export function attachWrongBucketRegion(err: object, facts: WrongBucketRegion): void {
  Object.defineProperty(err, WRONG_REGION, { value: facts, enumerable: false, configurable: true });
}

/** The wrong-region facts attached to an S3 error, if any. */
export function wrongBucketRegion(err: unknown): WrongBucketRegion | undefined {
  return err && typeof err === 'object' ? (err as Record<string, WrongBucketRegion | undefined>)[WRONG_REGION] : undefined;
}

/**
 * What the SDK's default credential chain tried, in its order (AWS SDK for JavaScript v3, fromNodeProviderChain),
 * when none gave credentials: said in one line, with what to do, instead of "Could not load credentials from any providers".
 */
export const NO_CREDENTIALS =
  'No AWS credentials found. Tried, in order: the environment (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY), SSO and the shared files ' +
  '(~/.aws/credentials, ~/.aws/config: profile $AWS_PROFILE or default), web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), ' +
  'a credential_process, the container endpoint (ECS) and the EC2 instance metadata. Set one of them, or pass --profile ' +
  '(Jenkins: the credentialsId option, or an instance role on the agent)';

/** What a bodiless S3 answer (HEAD) means, by HTTP status. */
const BODILESS: Record<number, string> = {
  403: 'AccessDenied (HTTP 403: no permission, or the bucket belongs to another account than ExpectedBucketOwner)',
  404: 'NotFound (HTTP 404)',
  301: 'PermanentRedirect (HTTP 301: the bucket is in another region)',
};

/**
 * Masks the input AWS validation messages echo (`Value '...' at 'value'`, across lines) and every string in
 * `secrets`. A safety net for text that may hold values (stack traces); errors of calls that carried a value are
 * described by describeValueCallError instead, which never reads the service's text.
 */
export function maskEchoedValues(text: string, secrets: (string | undefined)[] = []): string {
  let out = text.replace(/Value '[\s\S]*' at 'value'/g, "Value '***' at 'value'");
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

/** PutParameter / AddTagsToResource / DeleteParameters error codes and the request field each one is about. */
const CODE_FIELD: Record<string, string> = {
  ParameterPatternMismatchException: 'Value (AllowedPattern)',
  InvalidAllowedPatternException: 'AllowedPattern',
  InvalidKeyId: 'KeyId',
  HierarchyLevelLimitExceededException: 'Name',
  HierarchyTypeMismatchException: 'Type',
  UnsupportedParameterType: 'Type',
  ParameterAlreadyExists: 'Name',
  TooManyTagsError: 'Tags',
  InvalidPolicyTypeException: 'Policies',
  InvalidPolicyAttributeException: 'Policies',
  IncompatiblePolicyException: 'Policies',
  PoliciesLimitExceededException: 'Policies',
  UnsupportedParameterDataType: 'DataType',
  InvalidDataTypeException: 'DataType',
  ParameterLimitExceeded: 'Name',
  ParameterMaxVersionLimitExceeded: 'Name',
  KMSDisabledException: 'KeyId',
};

/** Request fields of PutParameter / tagging calls, by the spelling AWS's validation messages use (`at 'dataType'`). */
const MESSAGE_FIELDS: Record<string, string> = {
  name: 'Name',
  value: 'Value',
  type: 'Type',
  datatype: 'DataType',
  allowedpattern: 'AllowedPattern',
  description: 'Description',
  keyid: 'KeyId',
  tier: 'Tier',
  policies: 'Policies',
  tags: 'Tags',
  labels: 'Labels',
};
/** Phrases of validation messages that name no member, and the field each one is about. */
const MESSAGE_PHRASES: [RegExp, string][] = [
  [/\bdata type\b/i, 'DataType'],
  [/\ballowed ?pattern\b/i, 'AllowedPattern'],
  [/\btags?\b/i, 'Tags'],
  [/\btier\b/i, 'Tier'],
  [/\bpolic(y|ies)\b/i, 'Policies'],
];

/**
 * The request field a ValidationException is about, chosen from a fixed vocabulary (MESSAGE_FIELDS): the member AWS
 * names (`at 'dataType'`), else a phrase (`data type is not supported`). Only the field name leaves this function,
 * never text of the message, so an echoed value cannot.
 */
function validationField(err: unknown): string | undefined {
  const message = err instanceof Error ? err.message : '';
  const member = /\bat '([A-Za-z.]{1,40})'/.exec(message)?.[1];
  const field = member && MESSAGE_FIELDS[member.split('.')[0].toLowerCase()];
  if (field) return field;
  return MESSAGE_PHRASES.find(([re]) => re.test(message))?.[1];
}

/**
 * An error of a call that carried a value (PutParameter, AddTagsToResource), described structurally: the error
 * code, the request field that code is about (by code; for a ValidationException, validationField's fixed
 * vocabulary), and the HTTP status. No text of the service's message is ever copied, so an echoed value (one line or
 * many, one character or JSON) cannot reach a message, a summary or a file.
 */
export function describeValueCallError(err: unknown): string {
  const raw = awsErrorCode(err);
  const code = raw && /^[A-Za-z][A-Za-z0-9.:]{0,99}$/.test(raw) ? raw : 'Error';
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const field = CODE_FIELD[code] ?? (code === 'ValidationException' ? validationField(err) : undefined);
  return `${code}${field ? ` (field: ${field})` : ''}${status ? ` [HTTP ${status}]` : ''}`;
}

export function awsErrorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'name' in err && typeof (err as { name: unknown }).name === 'string') {
    return (err as { name: string }).name;
  }
  return undefined;
}

/** What a Node system error code means, for the ones a full or broken local disk gives. */
const LOCAL_CODES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/**
 * A local file system error (a Node system error: `code` such as ENOSPC and a `syscall`) in one line, e.g.
 * "ENOSPC (no space left on device, write)"; undefined for anything else (AWS errors have no syscall).
 */
export function localErrorText(err: unknown): string | undefined {
  const e = err as { code?: unknown; syscall?: unknown } | null;
  if (!e || typeof e !== 'object' || typeof e.code !== 'string' || typeof e.syscall !== 'string' || !/^E[A-Z0-9]{1,15}$/.test(e.code)) return undefined;
  const syscall = /^[a-z_]{1,20}$/.test(e.syscall) ? `, ${e.syscall}` : '';
  return `${e.code} (${LOCAL_CODES[e.code] ?? 'system error'}${syscall})`;
}
