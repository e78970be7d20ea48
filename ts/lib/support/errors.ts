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
  if (err instanceof Error && err.name === 'CredentialsProviderError' && /any providers/i.test(err.message)) text = NO_CREDENTIALS;
  return maskEchoedValues(text, secrets);
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

/**
 * An error of a call that carried a value (PutParameter, AddTagsToResource), described structurally: the error
 * code, the request field that code is about, and the HTTP status. The service's free text is never read, so an
 * echoed value (one line or many, one character or JSON) cannot reach a message, a summary or a file.
 */
export function describeValueCallError(err: unknown): string {
  const raw = awsErrorCode(err);
  const code = raw && /^[A-Za-z][A-Za-z0-9.:]{0,99}$/.test(raw) ? raw : 'Error';
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return `${code}${CODE_FIELD[code] ? ` (field: ${CODE_FIELD[code]})` : ''}${status ? ` [HTTP ${status}]` : ''}`;
}

export function awsErrorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'name' in err && typeof (err as { name: unknown }).name === 'string') {
    return (err as { name: string }).name;
  }
  return undefined;
}
