import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

/** Reads every regular file of a tar.gz into memory (backup archives hold two files). */
export async function readTarGz(input: Readable | Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      if (header.type === 'file') files.set(header.name, Buffer.concat(chunks));
      next();
    });
    stream.on('error', next);
  });
  const source = Buffer.isBuffer(input) ? Readable.from([input]) : input;
  await pipeline(source, createGunzip(), extract);
  return files;
}
