// Apply's progress on stderr: on a terminal one bar line rewritten in place (users done / failed /
// remaining, changes per second, elapsed); otherwise plain lines, one per finished user (and one
// every `every` changes, so a long run without users finishing still shows life).
import type { ExecEvent } from './execute.js';

export interface ProgressOptions {
  tty: boolean;
  write(text: string): void;
  users: number;
  changes: number;
  every?: number;
  now?: () => number;
  /** Print a line when the run is stopping (default true); false when the caller has already
   *  announced the stop (the CLI's entry point does on Ctrl-C), so it is not said twice. */
  announceStop?: boolean;
}

export function formatSeconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function createProgress(o: ProgressOptions): { event(e: ExecEvent): void; end(): void } {
  const now = o.now ?? Date.now;
  const started = now();
  const every = o.every ?? 100;
  let done = 0;
  let failed = 0;
  let skipped = 0;
  let changes = 0;
  let open = false;
  let lastDraw = 0;

  const bar = () => {
    const elapsed = now() - started;
    const rate = elapsed > 0 ? (changes / elapsed) * 1000 : 0;
    const remaining = Math.max(0, o.users - done - failed - skipped);
    return `users ${done} done, ${failed} failed, ${remaining} remaining | ${changes}/${o.changes} changes, ${rate.toFixed(1)}/s | ${formatSeconds(elapsed)}`;
  };
  const draw = (force = false) => {
    const t = now();
    if (!force && t - lastDraw < 100) return;
    lastDraw = t;
    o.write(`\r\u001b[K${bar()}`);
    open = true;
  };

  return {
    event(e) {
      if (e.type === 'change.end') {
        changes++;
        if (o.tty) draw();
        else if (changes % every === 0) o.write(`${bar()}\n`);
      } else if (e.type === 'user.end') {
        if (e.status === 'done') done++;
        else if (e.status === 'failed') failed++;
        else skipped++;
        if (o.tty) draw(true);
        else {
          // a user stopped part-way says how far it got: the run's total counts changes, not users
          const count = e.status === 'done' || e.done === 0 ? `${e.changes} change${e.changes === 1 ? '' : 's'}` : `${e.done} of ${e.changes} changes done`;
          o.write(`${e.status === 'done' ? 'done' : e.status === 'failed' ? 'FAILED' : 'skipped'} ${e.user} (${e.wave}, ${count})${e.error ? `: ${e.error}` : ''}\n`);
        }
      } else if (e.type === 'wave.halted') {
        if (open) o.write('\r\u001b[K');
        open = false;
        o.write(`wave ${e.wave} halted: ${e.failed} of ${e.users} users failed, more than spec.safety.maxFailureRate (${Math.round(e.maxFailureRate * 100)} %); users not yet started are skipped\n`);
      } else if (e.type === 'stopping') {
        if (o.announceStop === false) return;
        if (open) o.write('\r\u001b[K');
        open = false;
        o.write('stopping: no new changes start; waiting for the ones in flight\n');
      }
    },
    end() {
      if (open) o.write('\r\u001b[K');
      open = false;
    },
  };
}
