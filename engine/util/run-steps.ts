// Long synchronous work (a plan of 100,000 users takes seconds) run so that the process stays
// responsive: JavaScript handles a signal only when it yields to the event loop, so Ctrl-C during a
// plan used to wait for its end. The work is a generator that pauses between steps; this runs it,
// turning the event loop at each pause, and stops it once the signal is aborted.
import { setImmediate as nextTurn } from 'node:timers/promises';

export interface StepPacing {
  /** Turn the event loop only at the first pause this many milliseconds after the last turn: for
   *  steps of a millisecond or two, a turn each would add up. */
  readonly turnEveryMs?: number;
  /** Awaited at each turn before the next step (a writer with room for what comes): the wait is
   *  on the event loop, so an abort still stops the steps while it lasts. */
  readonly ready?: () => Promise<void>;
}

/** Runs `steps` to its end and returns its result, letting the event loop turn at each pause (see
 *  StepPacing). When `signal` is aborted at a turn, or while `ready()` is awaited, the generator is
 *  closed (its finally blocks run) and `interrupted()` is thrown. */
export async function runSteps<R>(steps: Generator<void, R, void>, signal: AbortSignal | undefined, interrupted: () => Error, pacing: StepPacing = {}): Promise<R> {
  const { turnEveryMs = 0, ready } = pacing;
  let turned = performance.now();
  const stop = (): never => {
    steps.return(undefined as R);
    throw interrupted();
  };
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (turnEveryMs > 0) {
      const now = performance.now();
      if (now - turned < turnEveryMs) continue;
      turned = now;
    }
    await nextTurn();
    if (signal?.aborted) stop();
    if (ready) {
      await untilAborted(ready(), signal);
      if (signal?.aborted) stop();
    }
  }
}

/** `p`, or sooner once `signal` is aborted. */
function untilAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Runs `steps` to its end without pausing (callers that need the result at once). */
export function runStepsSync<R>(steps: Generator<void, R, void>): R {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
