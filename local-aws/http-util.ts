/** Small HTTP helpers shared by the service emulators. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RequestInfo {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Region from the SigV4 credential scope (default us-east-1). */
  region: string;
  /** Signing service from the SigV4 credential scope, if any. */
  scopeService?: string;
  requestId: string;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses `Credential=AKID/20260101/us-west-2/ssm/aws4_request` out of the Authorization header. */
export function credentialScope(headers: IncomingMessage['headers']): { region?: string; service?: string } {
  const auth = headers['authorization'];
  const fromAuth = typeof auth === 'string' ? /Credential=[^/,\s]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth) : null;
  if (fromAuth) return { region: fromAuth[1], service: fromAuth[2] };
  return {};
}

export function requestInfo(req: IncomingMessage, body: Buffer): RequestInfo {
  const scope = credentialScope(req.headers);
  return {
    method: req.method ?? 'GET',
    url: new URL(req.url ?? '/', 'http://localhost'),
    headers: req.headers,
    body,
    region: scope.region ?? 'us-east-1',
    scopeService: scope.service,
    requestId: randomUUID(),
  };
}

export function header(info: RequestInfo, name: string): string | undefined {
  const v = info.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...extra,
  });
  res.end(text);
}

export function sendXml(res: ServerResponse, status: number, xml: string, requestId: string, extra: Record<string, string> = {}): void {
  const text = xml ? `<?xml version="1.0" encoding="UTF-8"?>\n${xml}` : '';
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    'x-amz-request-id': requestId,
    ...extra,
  });
  res.end(text);
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** `<Tag>value</Tag>` with escaping; omitted when value is undefined. */
export function xmlEl(tag: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Opaque pagination token: base64 of the last returned sort key plus a random salt. */
export function makeToken(lastKey: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey, s: randomUUID().slice(0, 8) })).toString('base64');
}

/** Decodes a token made by makeToken; undefined when it is malformed. */
export function readToken(token: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'k' in parsed && typeof parsed.k === 'string') return parsed.k;
  } catch {
    /* fall through */
  }
  return undefined;
}
