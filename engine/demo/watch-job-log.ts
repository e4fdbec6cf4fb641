// Watches the job logs of a wave (what `t2t logs --wave` shows) while apply runs, and calls back
// once an entry matches: the demo interrupts the cutover the way an operator following the logs
// would, after the first target mailbox was unhidden and long before the notification.
import { readJobLog, type JobLogEntry } from '../state/job-log.js';
import { stateDirPath } from '../state/paths.js';

export interface WatchOptions {
  projectDir: string;
  env: NodeJS.ProcessEnv;
  wave: string;
  /** Entries written before this time are history, not this run. */
  since: Date;
  matches(entry: JobLogEntry): boolean;
  onMatch(entry: JobLogEntry): void;
  /** Poll interval in milliseconds (default 10: steps against the emulator take a few ms). */
  everyMs?: number;
}

/** Starts polling; returns a function that stops it. Calls onMatch at most once. */
export function watchJobLog(o: WatchOptions): () => void {
  const dir = stateDirPath(o.projectDir, o.env);
  const since = o.since.toISOString();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    if (stopped) return;
    let entries: JobLogEntry[] = [];
    try {
      entries = await readJobLog(dir, { wave: o.wave });
    } catch {
      // no log yet: apply has not started a step
    }
    const hit = entries.find((e) => e.time >= since && o.matches(e));
    if (hit && !stopped) {
      stopped = true;
      o.onMatch(hit);
      return;
    }
    if (!stopped) timer = setTimeout(() => void poll(), o.everyMs ?? 10);
  };
  void poll();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/** The step after which the demo stops the cutover: a target mailbox shown in the address lists. */
export function firstMailboxUnhidden(entry: JobLogEntry): boolean {
  return entry.event === 'step.done' && entry.op === 'targetVisibility.show';
}
