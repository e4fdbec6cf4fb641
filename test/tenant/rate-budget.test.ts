import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RateBudget, TenantBudgets } from '../../engine/tenant/rate-budget.js';
import { FakeClock, flush } from './fake-clock.js';

test('halves the concurrency on 429, once per burst of throttled requests', async () => {
  const b = new RateBudget('t', { initial: 8, clock: new FakeClock() });
  const permits = await Promise.all(Array.from({ length: 8 }, () => b.acquire()));
  // All eight were in flight when the service throttled: one decrease, not eight.
  for (const p of permits) p.release({ status: 429 });
  assert.is(b.limit, 4);
  // A request started after the decrease and throttled again halves again.
  const p = await b.acquire();
  p.release({ status: 429 });
  assert.is(b.limit, 2);
  assert.is(b.stats().throttled, 9);
});

test('never goes below the minimum', async () => {
  const b = new RateBudget('t', { initial: 2, min: 1, clock: new FakeClock() });
  for (let i = 0; i < 5; i++) (await b.acquire()).release({ status: 429 });
  assert.is(b.limit, 1);
});

test('grows by one after a full round of successes while demand fills the limit', async () => {
  const b = new RateBudget('t', { initial: 2, max: 4, clock: new FakeClock() });
  // Demand below the limit: no growth however many successes.
  for (let i = 0; i < 10; i++) (await b.acquire()).release({ status: 200 });
  assert.is(b.limit, 2);
  // Demand at the limit: two successes (one round of 2) add one.
  const [p1, p2] = [await b.acquire(), await b.acquire()];
  p1.release({ status: 200 });
  p2.release({ status: 200 });
  assert.is(b.limit, 3);
  // Capped at max.
  for (let round = 0; round < 5; round++) {
    const ps = await Promise.all(Array.from({ length: b.limit }, () => b.acquire()));
    for (const p of ps) p.release({ status: 200 });
  }
  assert.is(b.limit, 4);
});

test('holds requests beyond the limit until a slot frees', async () => {
  const b = new RateBudget('t', { initial: 2, clock: new FakeClock() });
  const p1 = await b.acquire();
  await b.acquire();
  let third = false;
  const waiting = b.acquire().then((p) => {
    third = true;
    return p;
  });
  await flush();
  assert.not.ok(third);
  p1.release({ status: 200 });
  await flush();
  assert.ok(third);
  (await waiting).release({ status: 200 });
  assert.is(b.stats().peakInFlight, 2);
});

test('a Retry-After pauses new requests of the budget until it has passed', async () => {
  const clock = new FakeClock();
  const b = new RateBudget('t', { initial: 4, clock });
  (await b.acquire()).release({ status: 429, retryAfterMs: 1500 });
  assert.is(b.pausedFor(), 1500);
  let started = false;
  const next = b.acquire().then((p) => {
    started = true;
    return p;
  });
  await flush();
  assert.not.ok(started);
  await clock.advance(1000);
  assert.not.ok(started);
  await clock.advance(500);
  assert.ok(started);
  (await next).release({ status: 200 });
  assert.is(b.stats().pausedMs, 1500);
});

test('overlapping pauses are counted once', async () => {
  const clock = new FakeClock();
  const b = new RateBudget('t', { initial: 4, clock });
  const [p1, p2] = [await b.acquire(), await b.acquire()];
  p1.release({ status: 429, retryAfterMs: 1000 });
  await clock.advance(400);
  p2.release({ status: 429, retryAfterMs: 1000 }); // until 1400 from the first pause's start
  assert.is(b.stats().pausedMs, 1400);
});

test('an inner $batch throttle pauses and halves like a 429 response', async () => {
  const b = new RateBudget('t', { initial: 8, clock: new FakeClock() });
  b.noteThrottle(2000);
  assert.is(b.limit, 4);
  assert.is(b.pausedFor(), 2000);
});

test('counts requests, retries, failures and bytes', async () => {
  const b = new RateBudget('t', { clock: new FakeClock() });
  (await b.acquire()).release({ status: 200, bytesSent: 10, bytesReceived: 100 });
  (await b.acquire()).release({ status: 503, bytesSent: 5 });
  b.noteRetry();
  (await b.acquire()).release({});
  const s = b.stats();
  assert.equal([s.requests, s.retries, s.failures, s.bytesSent, s.bytesReceived], [3, 1, 2, 15, 100]);
});

test('an aborted wait leaves the queue', async () => {
  const b = new RateBudget('t', { initial: 1, clock: new FakeClock() });
  const p = await b.acquire();
  const controller = new AbortController();
  const waiting = b.acquire(controller.signal);
  controller.abort();
  try {
    await waiting;
    assert.unreachable();
  } catch (e) {
    assert.is((e as Error).name, 'AbortError');
  }
  p.release({ status: 200 });
  (await b.acquire()).release({ status: 200 });
  assert.is(b.stats().requests, 2);
});

test('mailboxes get their own budget of at most 4 concurrent requests', () => {
  const budgets = new TenantBudgets('contoso', { initial: 16, clock: new FakeClock() });
  const m = budgets.mailbox('Alice@Contoso.com');
  assert.is(m, budgets.mailbox('alice@contoso.com'));
  assert.is(m.limit, 4);
  assert.is(budgets.graph.limit, 16);
  assert.equal(budgets.stats().mailboxes.map((s) => s.name), ['contoso/mailbox/alice@contoso.com']);
});

test('a 429 with Retry-After spaces request starts by it; successes shorten the spacing until pacing ends', async () => {
  const clock = new FakeClock();
  const b = new RateBudget('t', { initial: 8, clock });
  (await b.acquire()).release({ status: 429, retryAfterMs: 20 });
  assert.is(b.stats().spacingMs, 20);
  await clock.advance(20); // the pause
  const first = await b.acquire();
  let second = false;
  const next = b.acquire().then((p) => ((second = true), p));
  await flush();
  assert.not.ok(second, 'the next start waits for the spacing although slots are free');
  await clock.advance(20);
  assert.ok(second);
  first.release({ status: 200 });
  (await next).release({ status: 200 });
  assert.ok(b.stats().spacingMs < 20, 'successes shorten the spacing');
  for (let i = 0; i < 200; i++) {
    const p = b.acquire();
    await clock.advance(20);
    (await p).release({ status: 200 });
  }
  assert.is(b.stats().spacingMs, 0);
  // a 429 without Retry-After leaves pacing to the retry backoff
  (await b.acquire()).release({ status: 429 });
  assert.is(b.stats().spacingMs, 0);
  // mailbox budgets (concurrency and upload limits) rely on the pause alone
  const mailbox = new TenantBudgets('contoso', { clock }).mailbox('alice@contoso.com');
  (await mailbox.acquire()).release({ status: 429, retryAfterMs: 50 });
  assert.is(mailbox.stats().spacingMs, 0);
});

test.run();
