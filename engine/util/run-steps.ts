// Long synchronous work (a plan of 100,000 users takes seconds) run so that the process stays
// responsive: JavaScript handles a signal only when it yields to the event loop, so Ctrl-C during a
// plan used to wait for its end. The work is a generator that pauses between steps; this runs it,
// turning the event loop at each pause, and stops it once the signal is aborted.
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Runs `steps` to its end and returns its result, letting the event loop turn at each pause (or,
 *  with `turnEveryMs`, at the first pause that many milliseconds after the last turn: for steps of
 *  a millisecond or two, a turn each would add up). When `signal` is aborted at a turn, the
 *  generator is closed (its finally blocks run) and `interrupted()` is thrown. */
export async function runSteps<R>(steps: Generator<void, R, void>, signal: AbortSignal | undefined, interrupted: () => Error, turnEveryMs = 0): Promise<R> {
  let turned = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (turnEveryMs > 0) {
      const now = performance.now();
      if (now - turned < turnEveryMs) continue;
      turned = now;
    }
    await nextTurn();
    if (signal?.aborted) {
      steps.return(undefined as R);
      throw interrupted();
    }
  }
}

/** Runs `steps` to its end without pausing (callers that need the result at once). */
export function runStepsSync<R>(steps: Generator<void, R, void>): R {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
