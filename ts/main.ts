// The bundle freezes its SDK version; the SDK's "future versions need Node 22" notice is noise in Jenkins logs.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { exec } from './cli.js';
import { removeAllPrivateDirs } from './lib/secure-temp.js';

// Plaintext only ever lives in private temp dirs; remove them on every way out.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    removeAllPrivateDirs();
    process.stderr.write(`ssm-backup: interrupted by ${signal}; temporary files removed, latest.txt not moved\n`);
    process.exit(code);
  });
}
process.on('exit', removeAllPrivateDirs);

exec(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { removeAllPrivateDirs(); process.stderr.write(`ssm-backup: ${(err as Error).message}\n`); process.exitCode = 1; },
);
