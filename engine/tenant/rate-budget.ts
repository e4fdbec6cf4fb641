// One request budget per tenant (and per mailbox for mail routes): how many requests may be in
// flight, adapted to what the service accepts (AIMD: halve on 429, add one after a full round of
// successes while demand fills the limit), paused as a whole while a Retry-After runs, and
// counting what was spent so benchmarks can report the share of the service's budget used.
//
// Rate limits (Graph's directory writes: a bucket refilled at a fixed rate) are not concurrency
// limits: after a pause every waiting request starts at once, one gets the refilled token and the
// rest are throttled again, and a request can lose that race until its attempts run out. So a
// 429 also paces the budget: request starts are spaced by the Retry-After the service gave (about
// the time one token takes to refill), and every success shortens the spacing a little, so the
// budget keeps probing for more until the service throttles again.
import { abortReason, systemClock, type Clock } from './clock.js';

export interface BudgetOptions {
  /** Concurrency to start with (default 8). */
  initial?: number;
  /** Never below this (default 1). */
  min?: number;
  /** Never above this (default 64; mailboxes: 4, the service's MailboxConcurrency). */
  max?: number;
  /** Space request starts after a 429 with Retry-After (default true; mailbox budgets, whose
   *  limits are concurrency and upload bytes, rely on the pause alone). */
  pace?: boolean;
  clock?: Clock;
}

export interface BudgetStats {
  readonly name: string;
  /** Requests sent (every attempt counts, as it does for the service). */
  readonly requests: number;
  /** Responses 429. */
  readonly throttled: number;
  /** Attempts that were repeats of a failed attempt. */
  readonly retries: number;
  /** Responses 5xx and network failures. */
  readonly failures: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Current concurrency limit. */
  readonly concurrency: number;
  readonly peakInFlight: number;
  /** Total time new requests were held back by Retry-After. */
  readonly pausedMs: number;
  /** Current spacing of request starts in ms (0: not paced). */
  readonly spacingMs: number;
}

/** Longest spacing a 429 sets (a longer Retry-After pauses the budget instead). */
const MAX_SPACING_MS = 1000;
/** Each success shortens the spacing by this factor; below 0.5 ms pacing ends. */
const SPACING_DECAY = 0.97;

/** The result of one attempt, reported when its permit is released. */
export interface Outcome {
  /** HTTP status; undefined for a network failure. */
  status?: number;
  retryAfterMs?: number;
  bytesSent?: number;
  bytesReceived?: number;
}

export interface Permit {
  /** Report the attempt's outcome and free the slot. Call exactly once. */
  release(outcome: Outcome): void;
}

export class RateBudget {
  private limitValue: number;
  private readonly min: number;
  private readonly max: number;
  private readonly clock: Clock;
  private inFlight = 0;
  private pausedUntil = 0;
  private pausedTotal = 0;
  /** Bumped on every decrease: a 429 from a request started before it does not halve again. */
  private epoch = 0;
  private successes = 0;
  private saturated = false;
  private spacing = 0;
  private nextStart = 0;
  private readonly paced: boolean;
  private readonly waiters: Array<() => void> = [];
  private counters = { requests: 0, throttled: 0, retries: 0, failures: 0, bytesSent: 0, bytesReceived: 0, peakInFlight: 0 };

  constructor(readonly name: string, options: BudgetOptions = {}) {
    this.min = Math.max(1, options.min ?? 1);
    this.max = Math.max(this.min, options.max ?? 64);
    this.limitValue = Math.min(this.max, Math.max(this.min, options.initial ?? 8));
    this.clock = options.clock ?? systemClock;
    this.paced = options.pace ?? true;
  }

  get limit(): number {
    return this.limitValue;
  }

  /** Milliseconds until new requests may start (0 when not paused). */
  pausedFor(): number {
    return Math.max(0, this.pausedUntil - this.clock.now());
  }

  /** Wait for a free slot (and for any Retry-After pause to end). */
  async acquire(signal?: AbortSignal): Promise<Permit> {
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      const wait = this.pausedFor();
      if (wait > 0) {
        await this.clock.sleep(wait, signal);
        continue;
      }
      if (this.inFlight < this.limitValue) {
        const gap = this.spacing > 0 ? this.nextStart - this.clock.now() : 0;
        if (gap <= 0) break;
        await this.clock.sleep(gap, signal);
        continue;
      }
      this.saturated = true;
      await this.queue(signal);
    }
    if (this.spacing > 0) this.nextStart = this.clock.now() + this.spacing;
    this.inFlight += 1;
    if (this.inFlight >= this.limitValue) this.saturated = true;
    this.counters.requests += 1;
    this.counters.peakInFlight = Math.max(this.counters.peakInFlight, this.inFlight);
    const epoch = this.epoch;
    let released = false;
    return {
      release: (outcome) => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
        this.record(outcome, epoch);
        this.wakeOne();
      },
    };
  }

  /** Count an attempt that repeats a failed one (the retry loop calls this). */
  noteRetry(): void {
    this.counters.retries += 1;
  }

  /** A throttle seen outside a permit (an inner 429 of a $batch): same effect as a 429 response. */
  noteThrottle(retryAfterMs?: number): void {
    this.counters.throttled += 1;
    this.decrease(this.epoch);
    this.pace(retryAfterMs);
    if (retryAfterMs !== undefined) this.pause(retryAfterMs);
  }

  stats(): BudgetStats {
    return { name: this.name, ...this.counters, concurrency: this.limitValue, pausedMs: this.pausedTotal, spacingMs: this.spacing };
  }

  private record(o: Outcome, epoch: number): void {
    this.counters.bytesSent += o.bytesSent ?? 0;
    this.counters.bytesReceived += o.bytesReceived ?? 0;
    if (o.status === 429) {
      this.counters.throttled += 1;
      this.decrease(epoch);
      this.pace(o.retryAfterMs);
    } else if (o.status === undefined || o.status >= 500) {
      this.counters.failures += 1;
    } else {
      this.increase();
      if (this.spacing > 0) this.spacing = this.spacing * SPACING_DECAY < 0.5 ? 0 : this.spacing * SPACING_DECAY;
    }
    if (o.retryAfterMs !== undefined && (o.status === 429 || o.status === 503)) this.pause(o.retryAfterMs);
  }

  private decrease(epoch: number): void {
    if (epoch !== this.epoch) return; // already halved for this burst
    this.epoch += 1;
    this.limitValue = Math.max(this.min, Math.floor(this.limitValue / 2));
    this.successes = 0;
    this.saturated = false;
  }

  private increase(): void {
    this.successes += 1;
    // Grow only when demand filled the limit: otherwise a larger limit says nothing about the service.
    if (this.successes >= this.limitValue && this.saturated && this.limitValue < this.max) {
      this.limitValue += 1;
      this.successes = 0;
      this.saturated = false;
      this.wakeOne();
    }
  }

  /** Space request starts by the service's Retry-After (without one, backoff alone applies). */
  private pace(retryAfterMs: number | undefined): void {
    if (!this.paced || retryAfterMs === undefined || retryAfterMs <= 0) return;
    this.spacing = Math.min(MAX_SPACING_MS, Math.max(this.spacing, retryAfterMs));
  }

  private pause(ms: number): void {
    const now = this.clock.now();
    const until = now + ms;
    if (until <= this.pausedUntil) return;
    // Count only the part of the pause not already counted.
    this.pausedTotal += until - Math.max(now, this.pausedUntil);
    this.pausedUntil = until;
  }

  private queue(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(wake);
    });
  }

  private wakeOne(): void {
    const free = this.limitValue - this.inFlight;
    for (let i = 0; i < free && this.waiters.length > 0; i++) this.waiters.shift()!();
  }
}

/** The budgets of one tenant: one for Graph directory and drive calls, one per mailbox, one for Exchange admin. */
export class TenantBudgets {
  readonly graph: RateBudget;
  readonly exchange: RateBudget;
  private readonly mailboxes = new Map<string, RateBudget>();

  constructor(readonly tenant: string, private readonly options: BudgetOptions = {}) {
    this.graph = new RateBudget(`${tenant}`, options);
    this.exchange = new RateBudget(`${tenant}/exchange`, { ...options, initial: Math.min(options.initial ?? 4, 4) });
  }

  /** The budget of one mailbox (by user id or address), created on first use; 4 concurrent at most. */
  mailbox(id: string): RateBudget {
    const key = id.toLowerCase();
    let b = this.mailboxes.get(key);
    if (!b) {
      b = new RateBudget(`${this.tenant}/mailbox/${key}`, { ...this.options, initial: 4, max: 4, pace: false });
      this.mailboxes.set(key, b);
    }
    return b;
  }

  stats(): { graph: BudgetStats; exchange: BudgetStats; mailboxes: BudgetStats[] } {
    return { graph: this.graph.stats(), exchange: this.exchange.stats(), mailboxes: [...this.mailboxes.values()].map((b) => b.stats()) };
  }
}
