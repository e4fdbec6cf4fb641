// How the demo prints: step headings, one-line explanations, the command as a user would type it,
// its output indented beneath. Commands run in-process through main(argv, io).
import { PassThrough } from 'node:stream';
import { main } from '../cli/main.js';
import { colours, out, type CliIO } from '../cli/io.js';
import { UserError } from '../errors.js';
import { indentedIO, type LineSink } from './indented-io.js';
import { git } from './prepare-workspace.js';

export const OUTPUT_INDENT = '    ';

// Discovery's one-line-per-page progress (engine/cli/discovery-progress.ts): useful in CI logs,
// noise in a walkthrough, where the command's own summary says the same.
const PROGRESS = /^(discovering: )?[\w.-]+: (\d+ (domains|licences)$|(groups|users|recipients|markers), \d+ (pages|cmdlets|batches),|content sizes, \d+ users$)/;

export interface TranscriptOptions {
  io: CliIO;
  /** The project directory: commands run there, as `t2t <command> .` */
  dir: string;
  /** Environment of the commands (the demo's secrets included: never printed). */
  env: NodeJS.ProcessEnv;
  /** Pause for Enter between steps. */
  pause: boolean;
}

export interface RunOptions {
  /** Exit codes that count as success (default [0]). */
  ok?: number[];
  /** Started with the command: calls `interrupt` (as Ctrl-C would) when it sees fit; returns a
   *  function that stops watching. */
  watch?: (interrupt: () => void) => () => void;
}

export class Transcript {
  private readonly c;
  private step = 0;
  constructor(
    private readonly o: TranscriptOptions,
    private readonly total: number,
  ) {
    this.c = colours(o.io);
  }

  get io(): CliIO {
    return this.o.io;
  }

  /** "Step N/M: title" and the one-line explanation under it. */
  async heading(title: string, why: string): Promise<void> {
    this.throwIfInterrupted();
    if (this.step > 0) await this.waitForEnter();
    this.throwIfInterrupted(); // Ctrl-C while waiting for Enter
    this.step++;
    out(this.o.io);
    out(this.o.io, this.c.bold(`Step ${this.step}/${this.total}: ${title}`));
    out(this.o.io, this.c.dim(why));
  }

  /** A short remark between commands. */
  note(text: string): void {
    out(this.o.io, this.c.dim(text));
  }

  /** Print `$ t2t ...` and run it in-process with its output indented; returns the exit code. */
  async t2t(argv: string[], options: RunOptions = {}): Promise<number> {
    this.throwIfInterrupted();
    out(this.o.io, this.c.cyan(`$ t2t ${argv.join(' ')}`));
    const controller = new AbortController();
    const onAbort = () => controller.abort(this.o.io.signal.reason);
    this.o.io.signal.addEventListener('abort', onAbort, { once: true });
    const sink: LineSink = { drop: (line) => PROGRESS.test(line) };
    const inner = indentedIO(this.o.io, OUTPUT_INDENT, this.o.env, controller.signal, sink);
    const stdin = Object.assign(new PassThrough(), { isTTY: false });
    stdin.end();
    const io: CliIO = { ...inner.io, stdin, cwd: this.o.dir };
    const unwatch = options.watch?.(() => controller.abort('SIGINT'));
    let code: number;
    try {
      code = await main(argv, io);
    } finally {
      unwatch?.();
      inner.flush();
      this.o.io.signal.removeEventListener('abort', onAbort);
    }
    this.throwIfInterrupted();
    if (!(options.ok ?? [0]).includes(code)) {
      throw new UserError(`the demo stopped: 't2t ${argv.join(' ')}' exited with code ${code}`, 'demo.stepFailed', 'its output is above; run the demo again with --keep to look at the project it used');
    }
    return code;
  }

  /** Print `$ git ...` and run it in the project directory; prints git's output indented. */
  async git(args: string[], display = `git ${args.join(' ')}`): Promise<string> {
    this.throwIfInterrupted();
    out(this.o.io, this.c.cyan(`$ ${display}`));
    const text = await git(this.o.dir, args, this.o.env);
    for (const line of text.split('\n').filter((l) => l.trim())) out(this.o.io, OUTPUT_INDENT + line);
    return text;
  }

  /** Print an edit the demo makes to a file, as the diff a reviewer would read. */
  edit(file: string, changes: string[]): void {
    out(this.o.io, this.c.cyan(`$ edit ${file}`) + this.c.dim('   # ' + changes.join(', ')));
  }

  private throwIfInterrupted(): void {
    if (this.o.io.signal.aborted) throw new UserError('the demo was interrupted', 'demo.interrupted', 'run it again with: npm run demo');
  }

  private async waitForEnter(): Promise<void> {
    if (!this.o.pause) return;
    const { stdin, signal } = this.o.io;
    this.o.io.stdout.write(this.c.dim('\n(press Enter for the next step, Ctrl-C to stop) '));
    await new Promise<void>((resolve) => {
      const done = () => {
        stdin.off('data', onData);
        signal.removeEventListener('abort', done);
        stdin.pause();
        resolve();
      };
      const onData = (chunk: Buffer | string) => {
        if (String(chunk).includes('\n') || String(chunk).includes('\r')) done();
      };
      stdin.on('data', onData);
      stdin.resume();
      signal.addEventListener('abort', done, { once: true });
    });
    this.o.io.stdout.write('\n');
  }
}
