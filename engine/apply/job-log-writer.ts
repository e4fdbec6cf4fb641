// The job log lines of one apply run (the same lines as engine/state's appendJobLog, read back by
// readJobLog and `t2t logs`), written with fewer system calls: a line goes out at once when its
// user's file is idle, and lines that arrive while a write to that file is under way are written
// together by the next single O_APPEND write. Directories are created once per run. At 10,000
// users apply logs ~100,000 lines, and a mkdir + open + write + close per line took a fifth of the
// engine's CPU.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { jobLogFile, type JobLogEntry, type JobLogInput } from '../state/job-log.js';
import { redact } from '../state/redact.js';

export interface JobLogWriter {
  append(where: { wave: string; user: string }, entry: JobLogInput): void;
  /** Resolves when every line appended so far is written. Never rejects (a log is best effort). */
  flush(): Promise<void>;
}

interface FileQueue {
  lines: string[];
  writing: Promise<void> | null;
}

export function createJobLogWriter(stateDir: string): JobLogWriter {
  const files = new Map<string, FileQueue>();
  const dirs = new Map<string, Promise<unknown>>();
  const busy = new Set<Promise<void>>();

  const ensureDir = (dir: string) => {
    let p = dirs.get(dir);
    if (!p) dirs.set(dir, (p = mkdir(dir, { recursive: true }).catch(() => dirs.delete(dir))));
    return p;
  };

  const drain = (file: string, q: FileQueue): void => {
    if (q.writing || q.lines.length === 0) return;
    const text = q.lines.join('');
    q.lines = [];
    const p = (async () => {
      await ensureDir(dirname(file));
      await appendFile(file, text);
    })()
      .catch(() => undefined)
      .finally(() => {
        q.writing = null;
        busy.delete(p);
        if (q.lines.length) drain(file, q);
        else files.delete(file);
      });
    q.writing = p;
    busy.add(p);
  };

  return {
    append(where, entry) {
      const line: JobLogEntry = redact({
        ...entry,
        time: entry.time ?? new Date().toISOString(),
        level: entry.level ?? 'info',
        wave: where.wave,
        user: where.user.toLowerCase(),
        event: entry.event,
      });
      const file = jobLogFile(stateDir, where.wave, where.user);
      let q = files.get(file);
      if (!q) files.set(file, (q = { lines: [], writing: null }));
      q.lines.push(JSON.stringify(line) + '\n');
      drain(file, q);
    },
    async flush() {
      while (busy.size) await Promise.all([...busy]);
    },
  };
}
