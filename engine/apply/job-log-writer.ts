// The job log lines of one apply run (the same lines as engine/state's appendJobLog, read back by
// readJobLog and `t2t logs`), written cheaply: each user's file is opened once and kept open
// while the user's steps run (closed when the user ends, or when too many are open), and each line
// is one small synchronous O_APPEND write, so it is in the file the moment it is logged (a crash
// loses nothing logged; the demo's watcher sees it at once). At 10,000 users apply logs about
// 110,000 lines; an async mkdir + open + write + close per line took a sixth of the engine's CPU.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { jobLogFile, jobLogLine, type JobLogInput } from '../state/job-log.js';

export interface JobLogWriter {
  append(where: { wave: string; user: string }, entry: JobLogInput): void;
  /** The user's steps are over: close its file. */
  end(where: { wave: string; user: string }): void;
  /** Close every file still open. */
  close(): void;
}

/** Files kept open at once; the least recently written is closed beyond this. */
const MAX_OPEN = 256;

/** `onError` hears, once, that a line could not be written (the apply goes on without it). */
export function createJobLogWriter(stateDir: string, options: { maxOpen?: number; onError?: (e: Error, file: string) => void } = {}): JobLogWriter {
  const maxOpen = Math.max(1, options.maxOpen ?? MAX_OPEN);
  let reported = false;
  // insertion order = least recently written first
  const open = new Map<string, number>();
  const dirs = new Set<string>();

  const closeFile = (file: string) => {
    const fd = open.get(file);
    if (fd === undefined) return;
    open.delete(file);
    try {
      closeSync(fd);
    } catch {
      // already gone: nothing to flush, writes were synchronous
    }
  };

  const fdOf = (file: string): number => {
    const fd = open.get(file);
    if (fd !== undefined) {
      open.delete(file);
      open.set(file, fd);
      return fd;
    }
    const dir = dirname(file);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    while (open.size >= maxOpen) closeFile(open.keys().next().value as string);
    const opened = openSync(file, 'a');
    open.set(file, opened);
    return opened;
  };

  return {
    append(where, entry) {
      const line = jobLogLine(where, entry);
      const file = jobLogFile(stateDir, where.wave, where.user);
      try {
        writeSync(fdOf(file), JSON.stringify(line) + '\n');
      } catch (e) {
        // a job log is best effort: a full disk or a removed directory must not fail the apply,
        // but `t2t logs` will lack these lines, so say it once
        closeFile(file);
        dirs.delete(dirname(file));
        if (!reported) {
          reported = true;
          options.onError?.(e as Error, file);
        }
      }
    },
    end(where) {
      closeFile(jobLogFile(stateDir, where.wave, where.user));
    },
    close() {
      for (const file of [...open.keys()]) closeFile(file);
    },
  };
}
