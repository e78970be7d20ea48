import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import streamJson from 'stream-json/parser.js';
import { Assembler } from 'stream-json/assembler.js';

type Token = { name: string; value?: unknown };

/** Longest string (key or value, in characters) accepted in backup.json: values are at most 8 KB (Advanced tier). */
export const MAX_JSON_STRING = 64 * 1024;

/**
 * Deepest nesting accepted inside one parameter (the parameter object is level 1; Tags, Policies and Labels are lists
 * of objects or strings, level 3 at most). Deeper JSON is no Parameter Store backup, and would make every later step
 * (digest, spool) recurse on it: refused while streaming, the same for verify and restore.
 */
export const MAX_PARAMETER_DEPTH = 4;

/** The top-level scalar fields of backup.json (the old job's header: backup_date, environment, region, ...). */
export type DocumentHeader = Record<string, string | number | boolean | null>;

export interface DocumentResult {
  header: DocumentHeader;
  /** Elements of the `parameters` array (any JSON value; the caller validates them). */
  count: number;
  hasParameters: boolean;
}

/**
 * A structural problem of backup.json. Its message never holds document text: parse errors are given by byte
 * position only, since the document holds SecureString values.
 */
export class DocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentError';
  }
}

/**
 * Streams a backup.json document (`{...header, "parameters": [ {...}, ... ]}`) with bounded memory: every element
 * of `parameters` is assembled alone and handed to `onParameter` (awaited: backpressure), the top-level scalars
 * are collected as the header. Refused with a DocumentError: invalid JSON (by byte position), a string longer
 * than MAX_JSON_STRING, a parameter nested deeper than MAX_PARAMETER_DEPTH, a key given twice at the top level or inside one parameter (ambiguous). Parsing by
 * stream-json (tokens; each element rebuilt by its Assembler).
 */
export async function streamDocument(source: Readable, onParameter: (value: unknown, index: number) => void | Promise<void>): Promise<DocumentResult> {
  let bytes = 0;
  source.on('data', (c: Buffer) => {
    bytes += c.length;
  });
  const reader = new DocumentReader(onParameter);
  try {
    await pipeline(
      source,
      streamJson.asStream(),
      new Writable({
        objectMode: true,
        write: (t: Token, _e, cb) => {
          reader.token(t).then(() => cb(), cb);
        },
      }),
    );
  } catch (err) {
    if (err instanceof DocumentError) throw err;
    if (err instanceof Error && /^Parser\b/.test(err.message)) throw new DocumentError(`is not valid JSON (error near byte ${bytes})`);
    throw err;
  }
  if (reader.depth !== 0 || !reader.seenRoot) throw new DocumentError(`is not valid JSON (ends early at byte ${bytes})`);
  return { header: reader.header, count: reader.count, hasParameters: reader.hasParameters };
}

const PACKED = new Set([
  'keyValue',
  'stringValue',
  'numberValue',
  'nullValue',
  'trueValue',
  'falseValue',
  'startObject',
  'endObject',
  'startArray',
  'endArray',
]);

/** The token state machine: depth 1 is the root object, depth 2 the parameters array, depth 3+ one element. */
class DocumentReader {
  depth = 0;
  count = 0;
  seenRoot = false;
  hasParameters = false;
  readonly header: DocumentHeader = {};
  private key: string | undefined;
  private inParameters = false;
  private stringLength = 0;
  private readonly rootKeys = new Set<string>();
  private elementKeys = new Set<string>();
  private readonly asm = new Assembler();

  constructor(private readonly onParameter: (value: unknown, index: number) => void | Promise<void>) {}

  async token(t: Token): Promise<void> {
    if (t.name === 'startString' || t.name === 'startKey') this.stringLength = 0;
    if (t.name === 'stringChunk') {
      this.stringLength += (t.value as string).length;
      if (this.stringLength > MAX_JSON_STRING)
        throw new DocumentError(`holds a string longer than ${MAX_JSON_STRING} characters (parameter #${this.count + 1}): not a Parameter Store backup`);
      return;
    }
    if (!PACKED.has(t.name)) return;
    if (this.inParameters && this.depth >= 2 && !(this.depth === 2 && t.name === 'endArray')) return this.element(t);
    this.root(t);
  }

  private root(t: Token): void {
    if (t.name === 'startObject' || t.name === 'startArray') {
      if (this.depth === 0 && (t.name !== 'startObject' || this.seenRoot)) throw new DocumentError('is not one JSON object');
      this.seenRoot = true;
      if (this.depth === 1 && this.key === 'parameters' && t.name === 'startArray') this.inParameters = this.hasParameters = true;
      this.depth += 1;
      return;
    }
    if (t.name === 'endObject' || t.name === 'endArray') {
      this.depth -= 1;
      if (this.depth === 1) this.inParameters = false;
      return;
    }
    if (this.depth === 0) throw new DocumentError('is not one JSON object');
    if (this.depth === 1 && t.name === 'keyValue') {
      this.key = t.value as string;
      if (this.rootKeys.has(this.key)) throw new DocumentError(`gives "${this.key.slice(0, 64)}" twice at the top level: ambiguous`);
      this.rootKeys.add(this.key);
      return;
    }
    if (this.depth === 1 && this.key !== undefined && this.key !== 'parameters')
      this.header[this.key] = t.name === 'numberValue' ? Number(t.value) : (t.value as DocumentHeader[string]);
  }

  private async element(t: Token): Promise<void> {
    if (t.name === 'startObject' || t.name === 'startArray') this.depth += 1;
    if (this.depth - 2 > MAX_PARAMETER_DEPTH)
      throw new DocumentError(`nests JSON deeper than ${MAX_PARAMETER_DEPTH} levels in parameter #${this.count + 1}: not a Parameter Store backup`);
    if (t.name === 'endObject' || t.name === 'endArray') this.depth -= 1;
    if (this.depth === 3 && t.name === 'startObject') this.elementKeys = new Set();
    if (this.depth === 3 && t.name === 'keyValue') {
      const k = t.value as string;
      if (this.elementKeys.has(k)) throw new DocumentError(`gives "${k.slice(0, 64)}" twice in parameter #${this.count + 1}: ambiguous`);
      this.elementKeys.add(k);
    }
    this.asm.consume(t as never);
    if (this.depth === 2) {
      this.count += 1;
      await this.onParameter(this.asm.current, this.count - 1);
    }
  }
}
