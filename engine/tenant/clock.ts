// Time as a dependency, so budgets and retries are tested with a fake clock instead of timers.
export interface Clock {
  now(): number;
  /** Resolves after ms; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The longest delay one Node timer holds; a longer one fires after 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      let timer: ReturnType<typeof setTimeout>;
      // A wait longer than one timer holds (a Retry-After of 25 days or more) runs timer after timer.
      const wait = (left: number): void => {
        timer = setTimeout(() => {
          if (left > MAX_TIMER_MS) return wait(left - MAX_TIMER_MS);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, Math.min(left, MAX_TIMER_MS));
      };
      wait(Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** The error an aborted signal ends a request with: an AbortError (or TimeoutError) whatever the
 *  reason was, so callers tell an interruption from a failure. The CLI aborts with the signal's
 *  name ('SIGINT'), which undici would otherwise throw as it is, a bare string. */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error && (r.name === 'AbortError' || r.name === 'TimeoutError')) return r;
  const why = r === undefined ? '' : ` (${r instanceof Error ? r.message : String(r)})`;
  return Object.assign(new Error(`the operation was aborted${why}`), { name: 'AbortError', ...(r === undefined ? {} : { cause: r }) });
}
