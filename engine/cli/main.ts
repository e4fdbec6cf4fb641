// The CLI as a function of (argv, io) -> exit code, so tests drive it in-process (STYLE.md 5).
// Exit codes (SPEC section 4): 0 success, 1 error, 2 only from `plan --detailed-exitcode`.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { COMMANDS } from './registry.js';
import { COMMON_OPTIONS, type Command, type OptionSpec } from './command.js';
import { err, out, type CliIO } from './io.js';
import { T2tError, UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { packageRoot } from '../util/package-root.js';
import { diagnosticBase, displayFile } from '../manifest/diagnostics.js';
import { stateDirPath } from '../state/paths.js';
import { redactString } from '../state/redact.js';
import { fileSystemRefusal, refusalReason, stateWriteError } from '../state/write-errors.js';

export async function main(argv: string[], io: CliIO): Promise<number> {
  const debug = argv.includes('--debug');
  // where the project directory is from the working directory, once a command that takes one runs
  const project = { base: '', dir: '' };
  try {
    return await dispatch(argv, io, debug, project);
  } catch (e) {
    reportError(refusalAsUserError(e, project.dir ? stateDirPath(project.dir, io.env) : undefined), io, debug, project.base);
    return 1;
  }
}

/** A write the file system refused (a full disk, a read-only mount) that no command explained is
 *  still the user's to fix, not a bug of t2t: say so, naming the path and the state directory. */
export function refusalAsUserError(e: unknown, stateDir: string | undefined): unknown {
  const code = e instanceof T2tError ? undefined : fileSystemRefusal(e);
  if (!code) return e;
  const path = (e as NodeJS.ErrnoException).path;
  if (stateDir && path && (resolve(path) === stateDir || resolve(path).startsWith(stateDir + sep))) return stateWriteError(e, path, stateDir);
  return new UserError(
    `the file system refused ${path ? `to write ${path}` : 'a write'}: ${refusalReason(code)} (${code})`,
    'state.unwritable',
    `free space on that file system or make it writable, and run again${stateDir ? ` (t2t writes its caches and logs in ${stateDir}; T2T_STATE_DIR moves them)` : ''}`,
    undefined,
    { cause: e },
  );
}

async function dispatch(argv: string[], io: CliIO, debug: boolean, project: { base: string; dir: string }): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && rest[0]) return dispatch([rest[0], '--help'], io, debug, project);
    out(io, globalHelp());
    return 0;
  }
  if (first === '--debug') {
    // `t2t --help` lists --debug among the options of every command: before the command too
    const [command, ...more] = rest;
    return dispatch(command === undefined ? [] : command.startsWith('-') ? rest : [command, ...more, '--debug'], io, debug, project);
  }
  if (first === '--version' || first === '-v') {
    out(io, version());
    return 0;
  }
  if (first.startsWith('-')) {
    throw new UserError(`unknown option '${first}' before the command${didYouMean(first.replace(/^-+/, ''), ['help', 'version']).replace("'", "'--")}`, 'cli.unknownOption', "run 't2t --help' for the list of commands");
  }
  const entry = COMMANDS[first];
  if (!entry) {
    throw new UserError(`unknown command '${first}'${didYouMean(first, Object.keys(COMMANDS))}`, 'cli.unknownCommand', "run 't2t --help' for the list of commands");
  }
  const command = await entry.load();
  const options = { ...COMMON_OPTIONS, ...command.options };
  const parsed = parseCommandArgs(command, options, rest);
  if (parsed.values.help) {
    out(io, commandHelp(command, options));
    return 0;
  }
  const max = command.maxPositionals ?? 1;
  if (parsed.positionals.length > max) {
    throw new UserError(
      `too many arguments for '${command.name}': ${parsed.positionals.slice(max).map((p) => `'${p}'`).join(', ')}`,
      'cli.tooManyArguments',
      `usage: t2t ${command.name} ${command.usage}`,
    );
  }
  // an error at a manifest position names its file as it opens from here, like validate's diagnostics
  if (max >= 1) {
    project.dir = resolve(io.cwd, parsed.positionals[0] ?? '.');
    project.base = diagnosticBase(io.cwd, project.dir);
  }
  return command.run({ values: parsed.values, positionals: parsed.positionals, debug }, io);
}

function parseCommandArgs(command: Command, options: Record<string, OptionSpec>, args: string[]) {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }> = {};
  for (const [name, o] of Object.entries(options)) {
    config[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}), ...(o.default !== undefined ? { default: o.default } : {}) };
  }
  let parsed: { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: config as ParseArgsConfig['options'], allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    const message = (e as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown) {
      const name = unknown[1]!.replace(/^-+/, '');
      throw new UserError(`unknown option '${unknown[1]}' for '${command.name}'${didYouMean(name, Object.keys(options)).replace("'", "'--")}`, 'cli.unknownOption', `run 't2t ${command.name} --help' for its options`);
    }
    const missing = /Option '([^']+)' argument missing/.exec(message);
    if (missing) {
      throw new UserError(`option '${missing[1]!.split(',').pop()!.trim().split(' ')[0]}' needs a value`, 'cli.missingValue', `run 't2t ${command.name} --help' for its options`);
    }
    const ambiguous = /Option '([^']+)' argument is ambiguous/.exec(message);
    if (ambiguous) {
      const option = ambiguous[1]!.split(',').pop()!.trim().split(' ')[0]!;
      const i = args.indexOf(option);
      const next = i >= 0 ? args[i + 1] : undefined;
      throw new UserError(
        `option '${option}' needs a value, and is followed by ${next ? `'${next}', ` : ''}which looks like another option`,
        'cli.missingValue',
        `write the value after ${option} (${option} VALUE); a value that does begin with a dash is written ${option}=-VALUE`,
      );
    }
    const noValue = /Option '([^']+)' does not take an argument/.exec(message);
    if (noValue) {
      const option = noValue[1]!.split(',').pop()!.trim();
      throw new UserError(`option '${option}' of '${command.name}' takes no value`, 'cli.badArguments', `write ${option} alone; run 't2t ${command.name} --help' for its options`);
    }
    throw new UserError(message.split('\n')[0]!, 'cli.badArguments', `run 't2t ${command.name} --help' for its options`);
  }
  refuseEmpty(command, parsed);
  return parsed;
}

/** An empty value is a shell variable that was not set (`--wave "$WAVE"`, `apply "$DIR"`): taken as
 *  no option at all, it would widen the command (every wave) or drop what was asked (no plan file
 *  saved), so no option and no argument may be empty. */
function refuseEmpty(command: Command, parsed: { values: Record<string, unknown>; positionals: string[] }): void {
  for (const [name, v] of Object.entries(parsed.values)) {
    if (v === '' || (Array.isArray(v) && v.includes(''))) {
      throw new UserError(`option '--${name}' of '${command.name}' was given an empty value`, 'cli.emptyValue', `give --${name} a value (if a shell variable names it, is the variable set?); run 't2t ${command.name} --help' for its options`);
    }
  }
  if (parsed.positionals.includes('')) {
    throw new UserError(`an argument of '${command.name}' is empty`, 'cli.emptyValue', `give the project directory (or leave it out for the current directory); if a shell variable names it, is the variable set?`);
  }
}

/** `base`: the project directory as seen from the working directory (diagnosticBase); a position's file is relative to the project. */
export function reportError(e: unknown, io: CliIO, debug: boolean, base = ''): void {
  // the last gate before the terminal: a token or a private key that some message carried is masked
  const say = (text: string) => err(io, redactString(text));
  if (e instanceof T2tError) {
    const at = e instanceof UserError && e.position ? `${displayFile(e.position.file, base)}:${e.position.line}:${e.position.col}: ` : '';
    say(`error: ${at}${e.message}`);
    if (e.hint) say(`hint: ${e.hint}`);
  } else {
    say(`error: unexpected failure: ${(e as Error)?.message ?? String(e)}`);
    say('hint: this is a bug in t2t; run again with --debug and report the output');
  }
  if (debug && e instanceof Error && e.stack) say(e.stack);
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { version: string };
  return `t2t ${pkg.version}`;
}

function globalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, e]) => `  ${name.padEnd(width)}  ${e.summary}`);
  return [
    't2t — declarative GitOps engine for Microsoft 365 tenant-to-tenant migration',
    '',
    'Usage: t2t <command> [DIR] [options]',
    '',
    'DIR is a project directory (default: the current directory).',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show help (also: t2t <command> --help)',
    '  -v, --version  print the version',
    '      --debug    print stack traces and debug logs',
    '',
    'Exit codes: 0 success, 1 error, 2 plan --detailed-exitcode found changes.',
    'Start with: npm run demo   (an emulated contoso -> fabrikam migration, end to end)',
  ].join('\n');
}

export function commandHelp(command: Command, options: Record<string, OptionSpec>): string {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    const def = o.default !== undefined && o.default !== false ? ` (default: ${o.default})` : '';
    return [flag, o.description + def] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return [
    `Usage: t2t ${command.name} ${command.usage}`.trimEnd(),
    '',
    command.summary,
    ...(command.description ? ['', command.description.trim()] : []),
    '',
    'Options:',
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`),
    ...(command.examples?.length ? ['', 'Examples:', ...command.examples.map((e) => `  ${e}`)] : []),
  ].join('\n');
}
