// A manual clock: sleep() resolves only when the test advances time past its deadline.
import type { Clock } from '../../engine/tenant/clock.js';

export class FakeClock implements Clock {
  private t = 1_000_000;
  private sleepers: { until: number; resolve: () => void }[] = [];
  /** Every sleep requested, in ms, in order. */
  readonly sleeps: number[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      const entry = { until: this.t + ms, resolve };
      this.sleepers.push(entry);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== entry);
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      });
    });
  }

  /** Move time forward and wake the sleepers that are due; then let promise callbacks run. */
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.until <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.until > this.t);
    for (const s of due) s.resolve();
    await flush();
  }

  pending(): number {
    return this.sleepers.length;
  }
}

/** Let queued promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}
