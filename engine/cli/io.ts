// The CLI's view of the outside world, so tests can run commands in-process (STYLE.md 5).
import type { Writable } from 'node:stream';

export interface CliIO {
  /** fd: set on the process's own stdout (a command may write it from a worker thread). */
  stdout: Writable & { isTTY?: boolean; columns?: number; fd?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on Ctrl-C / SIGTERM: long-running commands stop cleanly after in-flight work. */
  signal: AbortSignal;
  /** The entry point (bin.ts) itself says, on the first Ctrl-C or SIGTERM, that the command stops
   *  after its in-flight work (and exits at once on a second one): a command need not say it again. */
  stopAnnounced?: boolean;
}

export function out(io: CliIO, text = ''): void {
  io.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function err(io: CliIO, text: string): void {
  io.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

/** Colour only on a terminal and when NO_COLOR is unset. */
export function colours(io: CliIO) {
  const on = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  const wrap = (code: number) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { green: wrap(32), yellow: wrap(33), red: wrap(31), bold: wrap(1), dim: wrap(2), cyan: wrap(36) };
}
