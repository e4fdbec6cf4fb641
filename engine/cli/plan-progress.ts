// Progress of `t2t plan` on stderr while the cache is read and the plan is made. A 100,000-user
// plan takes seconds, and when its output goes to a file or a pipe (`-o json > plan.json`, --out
// with the text elsewhere) nothing else shows that it runs. Only for a terminal that does not also
// show the plan: a text plan on the terminal shows each wave as it is made, and CI logs (stderr not
// a terminal) need no rewriting line.
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

export function planProgress(io: CliIO): PlanProgress | undefined {
  if (!io.stderr.isTTY || io.stdout.isTTY) return undefined;
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
