import type { CommandSpec } from './run-command.js';
import { envName, type OptionSpec, type OptionTable } from './options.js';

/** Help is wrapped at word boundaries to this width whatever the terminal (the Jenkins console has none). */
export const HELP_WIDTH = 100;

/** Greedy word wrap; a word longer than the width stays whole on its own line. */
export function wrapWords(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** `<region>`, `<a,b>` ... the placeholder shown after an option name. */
function placeholder(o: OptionSpec): string {
  switch (o.kind) {
    case 'boolean':
      return '';
    case 'choice':
      return ` <${o.choices?.join('|')}>`;
    case 'list':
      return ` <${o.item === 'region' ? 'region' : 'item'},...>`;
    case 'number':
    case 'integer':
      return ' <n>';
    case 'file-out':
    case 'file-in':
      return ' <file>';
    case 'dir-out':
      return ' <dir>';
    case 'parameter-path':
      return ' <path>';
    case 'key-map':
      return ' <from=to,...>';
    case 'date':
      return ' <date>';
    default:
      return ` <${o.kind === 'region' || o.kind === 'environment' ? o.kind : 'value'}>`;
  }
}

/** The default as help and README show it, or undefined. */
export function defaultText(o: OptionSpec): string | undefined {
  if (o.defaultDescription) return o.defaultDescription;
  if (o.default === undefined) return undefined;
  return String(o.default);
}

function optionLines(name: string, o: OptionSpec): string[] {
  const head = `  --${name}${placeholder(o)}${o.required ? '  (required)' : ''}`;
  const extras = [defaultText(o) !== undefined ? `Default: ${defaultText(o)}.` : '', `Env: ${envName(name)}.`].filter(Boolean).join(' ');
  return [head, ...wrapWords(`${o.describe}. ${extras}`.replace(/\.\. /g, '. '), HELP_WIDTH, '      ')];
}

export function formatCommandHelp(spec: CommandSpec): string {
  const table: OptionTable = spec.options;
  const out = [`ssm-backup ${spec.name} [options]`, '', ...wrapWords(spec.describe, HELP_WIDTH), '', 'Options:'];
  for (const [name, o] of Object.entries(table)) out.push(...optionLines(name, o));
  out.push('', 'Examples:');
  for (const [cmd, what] of spec.examples) {
    const lines = wrapWords(cmd, HELP_WIDTH - 8); // shell continuation: "  cmd \\" then "      more"
    out.push(...lines.map((l, i) => `${i === 0 ? '  ' : '      '}${l}${i < lines.length - 1 ? ' \\' : ''}`), ...wrapWords(`(${what})`, HELP_WIDTH, '      '));
  }
  out.push(
    '',
    ...wrapWords(
      'Booleans take --name or --no-name (or --name=true/false); SSM_BACKUP_* variables take true/false, 1/0 or yes/no. Exit codes: 0 success, 1 a failure, 2 bad usage or configuration (nothing was changed).',
      HELP_WIDTH,
    ),
  );
  return out.join('\n') + '\n';
}

export function formatMainHelp(commands: CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const out = [
    'ssm-backup <command> [options]',
    '',
    ...wrapWords("Backs up AWS SSM Parameter Store from every configured region into that region's S3 bucket, and restores it.", HELP_WIDTH),
    '',
    'Commands:',
  ];
  for (const c of commands) {
    const [first, ...rest] = wrapWords(c.describe, HELP_WIDTH - width - 4);
    out.push(`  ${c.name.padEnd(width)}  ${first}`, ...rest.map((l) => ' '.repeat(width + 4) + l));
  }
  out.push('', 'ssm-backup help <command> (or ssm-backup <command> --help) shows the options of a command;', 'ssm-backup --version prints the version.');
  return out.join('\n') + '\n';
}

/** The README's option table of a command (Markdown), generated from the same table as --help. */
export function markdownOptionTable(spec: CommandSpec): string {
  const rows = Object.entries(spec.options as OptionTable).map(([name, o]) => {
    const def = o.required ? '(required)' : (defaultText(o) ?? '');
    return `| \`--${name}\` | \`${envName(name)}\` | ${def ? `\`${def}\`` : ''} | ${o.describe.replace(/\|/g, '\\|')} |`;
  });
  return ['| option | environment | default | what |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}
