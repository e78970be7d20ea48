// The bundle freezes its SDK version; the SDK's "future versions need Node 22" notice is noise in Jenkins logs.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { constants } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { exec } from './cli/cli.js';
import { removeAllPrivateDirs } from './lib/support/index.js';
import { latestPointerReport } from './lib/store/index.js';

// V8 lets the heap grow to about twice what survived the last full GC. Reading a region's live parameters (diff, restore)
// makes gigabytes of short-lived responses beside ~50 MB that stays (the archive's digests of 100,000 parameters), so the
// heap doubled with garbage: peak RSS 289 MB. Growing by 25% instead: 192 MB, same wall time (`npm run bench --
// --scenario restore-memory`). V8 reads this flag whenever it recomputes its heap limits, so setting it at start works;
// a value given on the node command line wins (Node does not accept this flag in NODE_OPTIONS).
if (!process.execArgv.some((a) => /^--heap[-_]growing[-_]percent/.test(a))) setFlagsFromString('--heap-growing-percent=25');

// The spool is encrypted with a key that dies with the process; still, remove it on every way out we can catch
// (SIGKILL cannot be caught: the next run removes what it leaves). Exit code 128 + signal number, as a shell reports it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const) {
  process.on(signal, () => {
    removeAllPrivateDirs();
    process.stderr.write(`ssm-backup: interrupted by ${signal}; temporary files removed; ${latestPointerReport()}\n`);
    process.exit(128 + constants.signals[signal]);
  });
}
process.on('exit', removeAllPrivateDirs);

exec(process.argv.slice(2)).then(
  (code) => {
    // Exit now: an SDK retry backoff of a stopped region (--region-timeout) may still hold a timer for seconds.
    // stdout/stderr are synchronous for files and pipes on Linux, so nothing written is lost.
    process.exit(code);
  },
  (err) => {
    removeAllPrivateDirs();
    process.stderr.write(`ssm-backup: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
