// Per-user job logs (`t2t logs`): .t2t/logs/<wave>/<user>.jsonl, append-only JSON lines, one
// line per event, written with a single O_APPEND write so concurrent users never interleave.
// The structured process log (.t2t/t2t.log) is pino. Both pass everything through redact().
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { redact, redactString } from './redact.js';
import { statePaths } from './paths.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface JobLogEntry {
  time: string; // ISO 8601
  level: LogLevel;
  wave: string;
  user: string; // source address, lower case
  /** What happened, e.g. "step.start", "step.done", "step.failed". */
  event: string;
  message?: string;
  [field: string]: unknown;
}

export interface JobLogInput {
  event: string;
  message?: string;
  level?: LogLevel;
  time?: string;
  [field: string]: unknown;
}

/** A file-name-safe form of a wave name or address; reversible and readable for the usual ones. */
export function safeName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9@._+-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/^\./, '%2e');
}

export function jobLogFile(stateDir: string, wave: string, user: string): string {
  return join(statePaths.logs(stateDir), safeName(wave), `${safeName(user)}.jsonl`);
}

export async function appendJobLog(stateDir: string, where: { wave: string; user: string }, entry: JobLogInput): Promise<void> {
  const file = jobLogFile(stateDir, where.wave, where.user);
  await mkdir(join(file, '..'), { recursive: true });
  await appendFile(file, JSON.stringify(jobLogLine(where, entry)) + '\n');
}

/** One job-log entry as written: time and level defaulted, the user lower-cased, redacted. */
export function jobLogLine(where: { wave: string; user: string }, entry: JobLogInput): JobLogEntry {
  return redact({
    ...entry,
    time: entry.time ?? new Date().toISOString(),
    level: entry.level ?? 'info',
    wave: where.wave,
    user: where.user.toLowerCase(),
    event: entry.event,
  });
}

/** The job log of one user (in every wave, or one), or of a whole wave, oldest first. A torn last
 *  line (a crash mid-write), or one that is JSON but no entry (a damaged file), is skipped. */
export async function readJobLog(stateDir: string, filter: { user?: string; wave?: string } = {}): Promise<JobLogEntry[]> {
  const root = statePaths.logs(stateDir);
  const waves = filter.wave !== undefined ? [safeName(filter.wave)] : await list(root);
  const files: string[] = [];
  for (const w of waves) {
    if (filter.user !== undefined) files.push(join(root, w, `${safeName(filter.user)}.jsonl`));
    else for (const f of await list(join(root, w))) if (f.endsWith('.jsonl')) files.push(join(root, w, f));
  }
  const entries: JobLogEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        continue; // torn line
      }
      // a damaged line can still be JSON (`null`, `{}`, a number): it is no entry, and the
      // readers (logs, status) would fail on its missing time, level or event
      if (isEntry(entry)) entries.push(entry);
    }
  }
  // stable sort: entries of one file keep their order when times tie
  return entries.map((e, i) => [e, i] as const).sort((a, b) => (a[0].time < b[0].time ? -1 : a[0].time > b[0].time ? 1 : a[1] - b[1])).map(([e]) => e);
}

function isEntry(v: unknown): v is JobLogEntry {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const e = v as Record<string, unknown>;
  return typeof e['time'] === 'string' && typeof e['level'] === 'string' && typeof e['event'] === 'string' && typeof e['wave'] === 'string' && typeof e['user'] === 'string';
}

async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** The structured process log, .t2t/t2t.log (pino, JSON lines), with every argument redacted.
 *  Best effort: `onError` hears once that it cannot be written (processLogDestination). */
export function createProcessLogger(stateDir: string, options: { level?: LogLevel; name?: string; onError?: (e: Error) => void } = {}): Logger {
  return pino(processLoggerOptions(options), processLogDestination(stateDir, options.onError));
}

/**
 * The process log file as a pino destination (written synchronously: a crash loses no line). A log
 * is no reason to fail the command it records: a file that cannot be opened or written (a full
 * disk, a read-only mount) is reported once to `onError` and the lines are dropped. Without this,
 * a synchronous write that fails throws out of the log call, so a full disk after apply's last
 * tenant write lost the apply record.
 */
export function processLogDestination(stateDir: string, onError?: (e: Error) => void): pino.DestinationStream {
  let reported = false;
  const report = (e: Error) => {
    if (reported) return;
    reported = true;
    onError?.(e);
  };
  try {
    const destination = pino.destination({ dest: statePaths.processLog(stateDir), mkdir: true, sync: true, append: true });
    destination.on('error', report);
    return destination;
  } catch (e) {
    report(e as Error);
    return { write: () => undefined };
  }
}

/** pino options of every t2t process logger: ISO times, the pid, every object and string redacted. */
export function processLoggerOptions(options: { level?: LogLevel | pino.Level; name?: string } = {}): pino.LoggerOptions {
  return {
    level: options.level ?? 'info',
    ...(options.name ? { name: options.name } : {}),
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (obj) => redact(obj) },
    hooks: {
      logMethod(args, method) {
        const clean = args.map((a: unknown) => (typeof a === 'string' ? redactString(a) : a)) as Parameters<typeof method>;
        method.apply(this, clean);
      },
    },
  };
}
