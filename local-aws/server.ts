/** Request router: SSM / KMS / Resource Groups Tagging (JSON 1.1), CloudWatch (JSON 1.0), STS (query), S3 (REST XML), admin API. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, type LocalAwsOptions, type ServiceName } from './types.js';
import { Faults, Quotas, Stats } from './control.js';
import { readBody, requestInfo, sendJson, sendXml, sleep, type RequestInfo } from './http-util.js';
import { KmsStore, callerIdentityXml, stsErrorXml } from './kms-sts.js';
import { handleKms } from './kms.js';
import { handleTagging, taggingSubjects } from './tagging.js';
import { mergeOptions } from './options.js';
import type { PagingOptions } from './paging.js';
import { SsmStore } from './ssm-store.js';
import { handleSsm, requestedParameters, ssmSubjects } from './ssm.js';
import { S3Store } from './s3-store.js';
import { handleS3, s3ErrorXml, s3Route, type S3Answer, type S3Route } from './s3.js';
import { refuseChecksums } from './s3-strict.js';
import { handleAdmin } from './admin.js';
import { Identities, accessKeyOf } from './accounts.js';
import { MetricStore, QUERY_ERROR_CODES, cloudWatchInput, handleCloudWatch } from './cloudwatch.js';

/** All mutable state of one emulator instance. */
export class Core {
  options: LocalAwsOptions;
  readonly kms: KmsStore;
  readonly ssm: SsmStore;
  readonly s3 = new S3Store();
  readonly cloudwatch = new MetricStore();
  readonly quotas: Quotas;
  readonly faults = new Faults();
  readonly stats = new Stats();
  /** Access keys, roles and STS AssumeRole (accounts.ts). */
  readonly identities = new Identities(() => this.accountId);
  /** SSM and KMS of the accounts other than the default one, made on first use. */
  private readonly others = new Map<string, { kms: KmsStore; ssm: SsmStore }>();

  constructor(options: LocalAwsOptions = {}) {
    this.options = mergeOptions({}, { ...options });
    const account = (): string => this.options.accountId ?? '123456789012';
    this.kms = new KmsStore(account);
    this.ssm = new SsmStore(this.kms, account);
    this.quotas = new Quotas(() => this.options);
  }

  /** The SSM and KMS stores of `accountId` (the default account's are `ssm` and `kms`). */
  stores(accountId: string): { kms: KmsStore; ssm: SsmStore } {
    if (accountId === this.accountId) return { kms: this.kms, ssm: this.ssm };
    let s = this.others.get(accountId);
    if (!s) {
      const kms = new KmsStore(() => accountId);
      s = { kms, ssm: new SsmStore(kms, () => accountId) };
      this.others.set(accountId, s);
    }
    return s;
  }

  get accountId(): string {
    return this.options.accountId ?? '123456789012';
  }

  /** Changes options (see options.ts); `undefined`/`null` removes one. Token buckets restart. */
  setOptions(o: Partial<LocalAwsOptions> | Record<string, unknown>): void {
    this.options = mergeOptions(this.options, o as Record<string, unknown>);
    this.quotas.reset();
  }

  get paging(): PagingOptions {
    const { pageSize, resourcesPageSize, filterAfterPaging, emptyFirstPage } = this.options;
    return { pageSize, resourcesPageSize, filterAfterPaging, emptyFirstPage };
  }
}

type Json = Record<string, unknown>;

interface Classified {
  service: ServiceName;
  op: string;
  input: Json;
  s3?: S3Route;
}

function classify(info: RequestInfo): Classified {
  const target = info.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix, op = ''] = target.split('.');
    if (prefix === 'GraniteServiceVersion20100801') return { service: 'cloudwatch', op, input: cloudWatchInput(info.body, info.headers['content-encoding']) };
    let input: Json = {};
    if (info.body.length > 0) {
      try {
        input = JSON.parse(info.body.toString('utf8')) as Json;
      } catch {
        throw new AwsError('SerializationException', 'Request body is not valid JSON');
      }
    }
    if (prefix === 'AmazonSSM') return { service: 'ssm', op, input };
    if (prefix === 'TrentService') return { service: 'kms', op, input };
    if (prefix === 'ResourceGroupsTaggingAPI_20170126') return { service: 'tagging', op, input };
    throw new AwsError('UnknownOperationException', `local-aws does not emulate ${target}`);
  }
  const ctype = String(info.headers['content-type'] ?? '');
  if (info.method === 'POST' && info.url.pathname === '/' && (ctype.includes('x-www-form-urlencoded') || info.scopeService === 'sts')) {
    const form = new URLSearchParams(info.body.toString('utf8'));
    return { service: 'sts', op: form.get('Action') ?? 'Unknown', input: Object.fromEntries(form) };
  }
  const route = s3Route(info);
  return { service: 's3', op: route.op, input: {}, s3: route };
}

function secureNames(ssm: SsmStore, c: Classified, region: string): string[] {
  try {
    return requestedParameters(ssm, region, c.op, c.input)
      .filter((p) => p.Type === 'SecureString')
      .map((p) => p.Name);
  } catch {
    return [];
  }
}

async function dispatch(core: Core, info: RequestInfo, res: ServerResponse): Promise<void> {
  let c: Classified = { service: 's3', op: 'Unknown', input: {} };
  const respond = async (answer: () => void): Promise<void> => {
    if (core.options.latencyMs) await sleep(core.options.latencyMs);
    answer();
  };
  try {
    c = classify(info);
    const caller = core.identities.caller(accessKeyOf(info.headers['authorization']));
    const { ssm, kms } = core.stores(caller.accountId);
    const opKey = `${c.service}:${c.op}`;
    core.stats.request(opKey, info.region);
    // Quotas are per account and region, like SSM's.
    if (!core.quotas.take(c.service, c.op, caller.accountId === core.accountId ? info.region : `${caller.accountId}|${info.region}`)) {
      core.stats.throttle(opKey);
      throw new AwsError(c.service === 'tagging' ? 'ThrottledException' : 'ThrottlingException', 'Rate exceeded', 400);
    }
    const subjects =
      c.service === 'ssm'
        ? ssmSubjects(ssm, c.op, info.region, c.input)
        : c.service === 's3'
          ? [c.s3?.bucket, c.s3?.key, c.s3?.key !== undefined ? `${c.s3.bucket}/${c.s3.key}` : undefined].filter((x): x is string => x !== undefined)
          : c.service === 'tagging'
            ? taggingSubjects(c.input)
            : [typeof c.input.KeyId === 'string' ? c.input.KeyId : ''];
    const decrypting = c.input.WithDecryption === true;
    const decryptSubjects = c.service === 'ssm' && decrypting ? secureNames(ssm, c, info.region) : undefined;
    const fault = core.faults.take({ service: c.service, operation: c.op, region: info.region, subjects, decrypting, decryptSubjects });
    if (fault) {
      core.stats.fault();
      const { code, status, message } = fault.spec.error;
      throw new AwsError(code, message ?? `Injected fault ${code}`, status);
    }
    if (c.service === 'cloudwatch') {
      const out = handleCloudWatch(core.cloudwatch, c.op, info.region, c.input);
      await respond(() => sendJson(res, 200, out, info.requestId, { 'content-type': 'application/x-amz-json-1.0' }));
    } else if (c.service === 'ssm' || c.service === 'kms' || c.service === 'tagging') {
      const out =
        c.service === 'ssm'
          ? handleSsm(ssm, c.op, info.region, c.input, core.paging)
          : c.service === 'kms'
            ? handleKms(kms, c.op, info.region, c.input)
            : handleTagging(ssm, c.op, info.region, c.input, core.paging);
      await respond(() => sendJson(res, 200, out, info.requestId));
    } else if (c.service === 'sts') {
      if (c.op === 'AssumeRole') {
        const xml = core.identities.assumeRole(caller, c.input as Record<string, string>, info.requestId);
        await respond(() => sendXml(res, 200, xml, info.requestId));
        return;
      }
      if (c.op !== 'GetCallerIdentity') throw new AwsError('InvalidAction', `Could not find operation ${c.op} for version 2011-06-15`);
      await respond(() => sendXml(res, 200, callerIdentityXml(caller.accountId, info.requestId, caller.arn), info.requestId));
    } else {
      if (core.options.refuseChecksums) refuseChecksums(info);
      const answer = handleS3(core.s3, c.s3 ?? s3Route(info), info, core.accountId);
      await respond(() => writeS3(res, answer, info));
    }
  } catch (e) {
    const err = e instanceof AwsError ? e : new AwsError('InternalFailure', e instanceof Error ? e.message : String(e), 500);
    await respond(() => writeError(res, c.service, err, info));
  }
}

function writeS3(res: ServerResponse, a: S3Answer, info: RequestInfo): void {
  const body = a.body === undefined ? undefined : typeof a.body === 'string' ? Buffer.from(a.body) : a.body;
  const headers: Record<string, string> = { 'x-amz-request-id': info.requestId, 'x-amz-id-2': 'local-aws', ...a.headers };
  if (body && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  if (!body && headers['content-length'] === undefined) headers['content-length'] = '0';
  res.writeHead(a.status, headers);
  res.end(info.method === 'HEAD' ? undefined : body);
}

function writeError(res: ServerResponse, service: ServiceName, err: AwsError, info: RequestInfo): void {
  if (service === 'ssm' || service === 'kms' || service === 'tagging' || service === 'cloudwatch') {
    const query: Record<string, string> =
      service === 'cloudwatch' && QUERY_ERROR_CODES[err.code] ? { 'x-amzn-query-error': `${QUERY_ERROR_CODES[err.code]};Sender` } : {};
    sendJson(res, err.status, { __type: err.code, message: err.message }, info.requestId, { 'x-amzn-errortype': err.code, ...query });
  } else if (service === 'sts') {
    sendXml(res, err.status, stsErrorXml(err.code, err.message, info.requestId, err.status), info.requestId);
  } else {
    const body = info.method === 'HEAD' ? undefined : s3ErrorXml(err, info.requestId);
    writeS3(
      res,
      { status: err.status, headers: { 'content-type': 'application/xml', ...(err.extra.Region ? { 'x-amz-bucket-region': err.extra.Region } : {}) }, body },
      info,
    );
  }
}

/** The node:http request listener of the emulator. */
export function createHandler(core: Core): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    readBody(req)
      .then(async (body) => {
        const info = requestInfo(req, body);
        if (info.url.pathname.startsWith('/__local/')) await handleAdmin(core, info, res);
        else await dispatch(core, info, res);
      })
      .catch((e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(e instanceof Error ? e.message : String(e));
        }
      });
  };
}
