import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backoffMs, parseRetryAfter, shouldRetry, withRetry, type FailureClass } from '../../engine/tenant/retry.js';
import { FakeClock, flush } from './fake-clock.js';
import { systemClock } from '../../engine/tenant/clock.js';

class Status extends Error {
  constructor(readonly f: FailureClass) {
    super(`status ${f.status}`);
  }
}
const classify = (e: unknown) => (e instanceof Status ? e.f : undefined);

/** An attempt function that fails with the given failures, then returns 'ok'. */
function failing(...failures: FailureClass[]) {
  const calls: number[] = [];
  return {
    calls,
    fn: async (n: number) => {
      calls.push(n);
      const f = failures[n - 1];
      if (f) throw new Status(f);
      return 'ok';
    },
  };
}

/** Run withRetry while advancing the fake clock through every sleep it asks for. */
async function drive<T>(clock: FakeClock, p: Promise<T>): Promise<T> {
  let done = false;
  const settled = p.finally(() => (done = true));
  settled.catch(() => {});
  while (!done) {
    await flush();
    if (clock.pending() > 0) await clock.advance(Math.max(...clock.sleeps.slice(-1), 1));
  }
  return settled;
}

test('backoff grows exponentially with equal jitter and is capped', () => {
  const policy = { baseMs: 100, maxMs: 1000 };
  assert.is(backoffMs(1, { ...policy, random: () => 0 }), 50);
  assert.is(backoffMs(1, { ...policy, random: () => 0.999999 }), 100);
  assert.is(backoffMs(3, { ...policy, random: () => 0 }), 200);
  assert.is(backoffMs(3, { ...policy, random: () => 0.5 }), 300);
  assert.is(backoffMs(10, { ...policy, random: () => 0 }), 500); // step capped at 1000
});

test('Retry-After is read as seconds (decimals allowed) or an HTTP date', () => {
  assert.is(parseRetryAfter('2'), 2000);
  assert.is(parseRetryAfter('0.25'), 250);
  assert.is(parseRetryAfter(' 1.5 '), 1500);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.is(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now), 3000);
  assert.is(parseRetryAfter(null), undefined);
  assert.is(parseRetryAfter('soon'), undefined);
});

test('a Retry-After date in the past is no wait; a non-standard or endless one is unreadable (backoff applies), never a negative, NaN or infinite wait', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.is(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now), 0);
  assert.is(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', now), 0);
  assert.is(parseRetryAfter('0', now), 0);
  // V8's Date.parse reads these as dates in 2001 (a wait of 0: an immediate retry, no backoff)
  for (const v of ['-5', '+5', '.5', '5.', '1 2', '10, 20', '-1.5']) assert.is(parseRetryAfter(v, now), undefined, v);
  assert.is(parseRetryAfter('9'.repeat(400), now), undefined, 'a number too long to be finite');
  for (const v of ['1e3', 'NaN', 'Infinity', '5s', 'Mon, 99 Foo 2026']) assert.is(parseRetryAfter(v, now), undefined, v);
});

test('a wait longer than one timer can hold (2^31 - 1 ms) is waited for, not cut to 1 ms', async () => {
  // Node fires such a timer after 1 ms (TimeoutOverflowWarning): a budget paused by a Retry-After of
  // 25 days or more spun at 1 ms, printing a warning each time.
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  const controller = new AbortController();
  try {
    const slept = systemClock.sleep(2 ** 31 + 1000, controller.signal).then(() => 'slept', (e: Error) => e.name);
    const first = await Promise.race([slept, new Promise((r) => setTimeout(() => r('still waiting'), 50))]);
    assert.is(first, 'still waiting');
    controller.abort();
    assert.is(await slept, 'AbortError');
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings, []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('POST is retried on 429 always, on 5xx and network errors only when safe', () => {
  assert.ok(shouldRetry({ status: 429 }, false));
  assert.not.ok(shouldRetry({ status: 503 }, false));
  assert.ok(shouldRetry({ status: 503 }, true));
  assert.not.ok(shouldRetry({}, false));
  assert.ok(shouldRetry({ notSent: true }, false)); // never reached the service
  assert.ok(shouldRetry({}, true));
  assert.not.ok(shouldRetry({ status: 400 }, true));
  assert.not.ok(shouldRetry({ status: 404 }, true));
  for (const s of [500, 502, 503, 504]) assert.ok(shouldRetry({ status: s }, true), String(s));
});

test('Retry-After wins over backoff, and backoff applies without it', async () => {
  const clock = new FakeClock();
  const a = failing({ status: 429, retryAfterMs: 1500 }, { status: 503 }, { status: 500 });
  const result = await drive(clock, withRetry(a.fn, classify, { idempotent: true }, { clock, baseMs: 100, random: () => 0 }));
  assert.is(result, 'ok');
  assert.equal(a.calls, [1, 2, 3, 4]);
  assert.equal(clock.sleeps, [1500, 100, 200]); // backoff by attempt number: 2nd failure 200/2, 3rd 400/2
});

test('gives up after maxAttempts with the last error', async () => {
  const clock = new FakeClock();
  const a = failing({ status: 503 }, { status: 503 }, { status: 502 }, { status: 503 });
  try {
    await drive(clock, withRetry(a.fn, classify, { idempotent: true }, { clock, maxAttempts: 3, random: () => 0 }));
    assert.unreachable('should fail');
  } catch (e) {
    assert.is((e as Status).f.status, 502);
  }
  assert.equal(a.calls, [1, 2, 3]);
});

test('a non-idempotent POST is not repeated after a 503, but is after a 429', async () => {
  const clock = new FakeClock();
  const a = failing({ status: 503 });
  try {
    await withRetry(a.fn, classify, { idempotent: false }, { clock });
    assert.unreachable('should fail');
  } catch (e) {
    assert.is((e as Status).f.status, 503);
  }
  assert.equal(a.calls, [1]);
  const b = failing({ status: 429, retryAfterMs: 10 });
  assert.is(await drive(clock, withRetry(b.fn, classify, { idempotent: false }, { clock })), 'ok');
  assert.equal(b.calls, [1, 2]);
});

test('errors the classifier does not know are thrown at once', async () => {
  let calls = 0;
  try {
    await withRetry(async () => {
      calls++;
      throw new Error('bug');
    }, classify, { idempotent: true });
    assert.unreachable();
  } catch (e) {
    assert.is((e as Error).message, 'bug');
  }
  assert.is(calls, 1);
});

test('an abort during the wait stops retrying', async () => {
  const clock = new FakeClock();
  const controller = new AbortController();
  const a = failing({ status: 429, retryAfterMs: 60_000 });
  const p = withRetry(a.fn, classify, { idempotent: true, signal: controller.signal }, { clock });
  await flush();
  assert.is(clock.pending(), 1);
  controller.abort();
  try {
    await p;
    assert.unreachable();
  } catch (e) {
    assert.is((e as Error).name, 'AbortError');
  }
  assert.equal(a.calls, [1]);
});

test('onRetry is told each wait and its reason', async () => {
  const clock = new FakeClock();
  const seen: string[] = [];
  const a = failing({ status: 429, retryAfterMs: 200 }, {});
  await drive(clock, withRetry(a.fn, classify, { idempotent: true, onRetry: (i) => seen.push(`${i.attempt}:${i.reason}:${i.delayMs}`) }, { clock, baseMs: 100, random: () => 0 }));
  assert.equal(seen, ['1:429:200', '2:network:100']); // 2nd attempt: step 200, half jitter
});

test.run();
