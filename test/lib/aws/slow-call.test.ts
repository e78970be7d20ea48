import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import { AwsClientFactory } from '../../../ts/lib/aws/index.js';
import { ssmReader } from '../../../ts/lib/aws/index.js';

/** An endpoint that accepts connections and never answers: the factory says so while it waits. */
describe('a progress line while an endpoint does not answer', function () {
  this.timeout(20000);
  let server: Server;
  const sockets: Socket[] = [];
  const saved = { ...process.env };
  before(async () => {
    server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    Object.assign(process.env, { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' });
  });
  after(() => {
    for (const s of sockets) s.destroy();
    server.close();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('calls onSlowCall with the service, operation, region and seconds waited, every interval, until the call ends', async () => {
    const seen: { service: string; operation: string; region: string; waitedSec: number }[] = [];
    const root = new AwsClientFactory({ maxAttempts: 1, slowCallMs: 300, onSlowCall: (c) => seen.push(c) });
    const stop = new AbortController();
    const aws = root.withSignal(stop.signal);
    const call = ssmReader(aws.ssm('us-west-2')).getOne('/x');
    await new Promise((r) => setTimeout(r, 1000));
    stop.abort(new Error('stopped by the test'));
    await call.catch(() => undefined);
    const after = seen.length;
    await new Promise((r) => setTimeout(r, 500));
    root.destroy();
    expect(after).to.be.within(2, 4);
    expect(seen.length, 'no line after the call ended').to.equal(after);
    expect(seen[0]).to.deep.include({ service: 'SSM', operation: 'GetParameter', region: 'us-west-2' });
  });
});
