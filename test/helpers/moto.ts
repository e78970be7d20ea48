import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** The moto release the scenarios were written against (its differences from AWS are noted where the tests meet them). */
export const MOTO_VERSION = '5.2.1';
export const MOTO_INSTALL = `pip install 'moto[server]==${MOTO_VERSION}' boto3`;

/**
 * Python that runs moto's server and exits as soon as its stdin closes: the test process holds the pipe, so moto
 * stops with it however it ends (kill -9 included) and never outlives the tests.
 */
const LAUNCHER = [
  'import os, sys, threading',
  'threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()',
  'from moto.server import main',
  "main(['-H', '127.0.0.1', '-p', '0'])",
].join('\n');

/** Throws one line saying how to install moto when python3 cannot import moto MOTO_VERSION. Never a skip. */
export function requireMoto(): void {
  const probe = spawnSync('python3', ['-c', 'import moto, flask, boto3; print(moto.__version__)'], { encoding: 'utf8' });
  const version = probe.status === 0 ? probe.stdout.trim() : undefined;
  if (version !== MOTO_VERSION) {
    const err = new Error(`moto ${MOTO_VERSION} is needed for the end-to-end scenarios (python3 has ${version ?? 'no moto server'}): ${MOTO_INSTALL}`);
    err.stack = err.message; // one line in mocha's report, not a trace
    throw err;
  }
}

export interface MotoServer {
  endpoint: string;
  /** POST /moto-api/reset: every service's state dropped (accounts, regions), the server kept. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts moto on an ephemeral 127.0.0.1 port and resolves once it answers HTTP. */
export async function startMoto(timeoutMs = 30000): Promise<MotoServer> {
  requireMoto();
  const child = spawn('python3', ['-c', LAUNCHER], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  const stopChild = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', stopChild);
  try {
    const endpoint = await announcedEndpoint(child, timeoutMs);
    await untilAnswering(endpoint, timeoutMs);
    return {
      endpoint,
      reset: async () => {
        const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
        if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
      },
      stop: () => stop(child, stopChild),
    };
  } catch (err) {
    await stop(child, stopChild);
    throw err;
  }
}

/** Werkzeug prints `Running on http://127.0.0.1:PORT` on stderr once it listens. */
function announcedEndpoint(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => fail(new Error(`moto did not start within ${timeoutMs} ms: ${text.slice(-500)}`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`moto exited with ${code} before listening: ${text.slice(-500)}`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (!m) return;
      clearTimeout(timer);
      child.stderr!.removeAllListeners('data');
      child.stderr!.resume(); // keep draining: request logs must not fill the pipe
      resolve(m[1]);
    });
  });
}

async function untilAnswering(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`moto at ${endpoint} does not answer: ${(err as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: ChildProcess, stopChild: () => void): Promise<void> {
  process.off('exit', stopChild);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin!.end(); // the launcher exits when its stdin closes
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
