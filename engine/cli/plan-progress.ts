// Progress of `t2t plan` on stderr while the cache is read and the plan is made. A 100,000-user
// plan takes seconds, and when its output goes to a file (`-o json > plan.json`) nothing else shows
// that it runs. Only for a terminal that does not show the plan itself: a text plan on the terminal
// shows each wave as it is made, a pager (`t2t plan | less`) owns the terminal and would be drawn
// over, and CI logs (stderr not a terminal) need no rewriting line.
import { fstatSync } from 'node:fs';
import type { PlanSink, WavePlan } from '../plan/index.js';
import type { CliIO } from './io.js';

export interface PlanProgress {
  /** Shows a step ("reading the discovery cache"). */
  step(text: string): void;
  /** The sink, also counting the waves it is handed. */
  counting(sink: PlanSink, waves: number): PlanSink;
  /** Clears the line. */
  end(): void;
}

/** Whether the descriptor is a pipe or a socket (a pager, another program), or cannot be told. */
function toProgram(fd: number): boolean {
  try {
    const s = fstatSync(fd);
    return s.isFIFO() || s.isSocket();
  } catch {
    return true;
  }
}

export function planProgress(io: CliIO): PlanProgress | undefined {
  if (!io.stderr.isTTY || io.stdout.isTTY || (io.stdout.fd !== undefined && toProgram(io.stdout.fd))) return undefined;
  let open = false;
  const show = (text: string) => {
    io.stderr.write(`\r\u001b[K${text}`);
    open = true;
  };
  return {
    step: show,
    counting(sink, waves) {
      let done = 0;
      let users = 0;
      show(`planning: 0 of ${waves} wave${waves === 1 ? '' : 's'}`);
      return {
        changes: (list) => sink.changes(list),
        wave(w: WavePlan) {
          sink.wave(w);
          done++;
          users += w.users;
          show(`planning: ${done} of ${waves} wave${waves === 1 ? '' : 's'}, ${users.toLocaleString('en-US')} users`);
        },
      };
    },
    end() {
      if (open) io.stderr.write('\r\u001b[K');
      open = false;
    },
  };
}
