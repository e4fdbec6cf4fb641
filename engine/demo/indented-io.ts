// A CliIO for a command the demo runs in-process: what the command prints goes to the demo's own
// stdout, line by line, indented under the step that ran it. Lines can be watched (to react to
// progress) or dropped (discovery's per-page progress, which would drown the story).
import { Writable } from 'node:stream';
import type { CliIO } from '../cli/io.js';

export interface LineSink {
  /** Called with each complete line (without the newline) before it is printed. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Lines for which this returns true are not printed. */
  drop?: (line: string, stream: 'stdout' | 'stderr') => boolean;
}

export interface IndentedIO {
  readonly io: CliIO;
  /** Prints a trailing partial line, if any. */
  flush(): void;
}

class LineWriter extends Writable {
  private partial = '';
  constructor(private readonly lineOut: (line: string) => void) {
    super({ decodeStrings: false });
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    // `\r` rewrites (terminal progress) keep only what was written last on the line
    const text = this.partial + chunk.toString();
    const lines = text.split('\n');
    this.partial = lines.pop()!;
    for (const l of lines) this.lineOut(lastRewrite(l));
    done();
  }
  flushPartial(): void {
    if (this.partial) this.lineOut(lastRewrite(this.partial));
    this.partial = '';
  }
}

function lastRewrite(line: string): string {
  const parts = line.split('\r');
  return parts[parts.length - 1]!.replace(/\u001b\[K/g, '');
}

/**
 * `parent` is the demo's io; the command's stdout and stderr both go to the parent's stdout with
 * `prefix` in front of every line (stderr too: the demo is a transcript, read top to bottom).
 * The command sees no terminal, so it prints plain lines without progress animation.
 */
export function indentedIO(parent: CliIO, prefix: string, env: NodeJS.ProcessEnv, signal: AbortSignal, sink: LineSink = {}): IndentedIO {
  const write = (stream: 'stdout' | 'stderr') => (line: string) => {
    sink.onLine?.(line, stream);
    if (sink.drop?.(line, stream)) return;
    parent.stdout.write(line.trim() ? `${prefix}${line}\n` : '\n');
  };
  const stdout = Object.assign(new LineWriter(write('stdout')), { isTTY: false, columns: Math.max(60, (parent.stdout.columns ?? 100) - prefix.length) });
  const stderr = Object.assign(new LineWriter(write('stderr')), { isTTY: false });
  const io: CliIO = { stdout, stderr, stdin: parent.stdin, env, cwd: parent.cwd, signal };
  return {
    io,
    flush() {
      stdout.flushPartial();
      stderr.flushPartial();
    },
  };
}
