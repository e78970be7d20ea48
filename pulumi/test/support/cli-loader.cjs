// Loads index.ts the way `pulumi preview`/`up` does (no Pulumi CLI needed): @pulumi/pulumi's
// cmd/run picks the project's `typescript` (else its vendored 3.8.3) and `ts-node` (else its
// vendored 7.0.1), merges tsconfig.json over its defaults and registers ts-node with type
// checking on. Then the program runs against mocks and prints its outputs as JSON.
'use strict';
const path = require('node:path');

const projectDir = path.resolve(__dirname, '..', '..');
process.chdir(projectDir);
const pulumiDir = path.dirname(require.resolve('@pulumi/pulumi/package.json', { paths: [projectDir] }));
const tsutils = require(path.join(pulumiDir, 'tsutils.js'));
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const compilerOptions = tsutils.loadTypeScriptCompilerOptions('tsconfig.json');
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly: compilerOptions.noCheck,
  project: 'tsconfig.json',
  skipProject: false,
  compilerOptions: { target: 'ES2020', module: 'nodenext', moduleResolution: 'nodenext', sourceMap: 'true', ...compilerOptions },
});

const pulumi = require(pulumiDir);
const config = JSON.parse(process.argv[2]);
pulumi.runtime.setMocks(
  {
    newResource: (args) => ({ id: `${args.name}_id`, state: { ...args.inputs, arn: `arn:aws:s3:::${args.inputs.bucket}` } }),
    call: () => ({ accountId: '123456789012' }),
  },
  'jenkins-ssm-backup-s3',
  'dev',
  true,
);
pulumi.runtime.setAllConfig(config);
try {
  const program = require(path.join(projectDir, 'index.ts'));
  pulumi
    .all([program.bucketMap, program.bucketNameOutput, program.ssmBackupBucketParameter])
    .apply(([bucketMap, bucketNameOutput, ssmBackupBucketParameter]) => {
      process.stdout.write(
        JSON.stringify({
          ok: true,
          tsnode: tsnodeRequire.includes(`${path.sep}vendor${path.sep}`) ? 'vendored' : 'project',
          typescript: require(typescriptRequire).version,
          bucketMap,
          bucketNameOutput,
          ssmBackupBucketParameter,
          exports: Object.keys(program).sort(),
        }) + '\n',
      );
    });
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, name: err.name, message: err.message, runError: pulumi.RunError.isInstance(err) }) + '\n');
}
