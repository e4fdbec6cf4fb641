// Run the CLI in-process, as a function of (argv, io), and capture what it prints.
import { PassThrough } from 'node:stream';
import { main } from '../../engine/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  /** tty: stdin, stdout and stderr are a terminal; stderrTty: stderr alone (the output redirected);
   *  stdoutFd: the descriptor stdout claims to write to (what it is, a file or a pipe, is looked at;
   *  a text plan is still captured) */
  options: { cwd?: string; env?: NodeJS.ProcessEnv; tty?: boolean; stderrTty?: boolean; stdoutFd?: number; stdin?: string; signal?: AbortSignal } = {},
): Promise<CliResult> {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.tty ?? false, columns: 100 }, options.stdoutFd !== undefined ? { fd: options.stdoutFd } : {});
  const stderr = Object.assign(new PassThrough(), { isTTY: options.stderrTty ?? options.tty ?? false });
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  if (options.stdin !== undefined) stdin.end(options.stdin);
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(argv, {
    stdout,
    stderr,
    stdin,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout: out, stderr: err };
}
