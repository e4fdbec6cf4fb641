// runSteps: long synchronous work in steps, with the event loop turning between them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runSteps } from '../../engine/util/run-steps.js';

/** `n` steps of about 1 ms of busy work each; records how many ran and whether it was closed. */
function busySteps(n: number, seen: { steps: number; closed: boolean }): Generator<void, string, void> {
  return (function* () {
    try {
      for (let i = 0; i < n; i++) {
        const until = performance.now() + 1;
        while (performance.now() < until);
        seen.steps++;
        yield;
      }
      return 'done';
    } finally {
      seen.closed = true;
    }
  })();
}

test('returns what the generator returns, after every step', async () => {
  const seen = { steps: 0, closed: false };
  assert.is(await runSteps(busySteps(5, seen), undefined, () => new Error('interrupted')), 'done');
  assert.is(seen.steps, 5);
});

test('timers run between steps: an abort from a timer stops the work early and closes the generator', async () => {
  const seen = { steps: 0, closed: false };
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 20);
  const e = await runSteps(busySteps(5000, seen), controller.signal, () => new Error('interrupted')).catch((x: unknown) => x);
  assert.instance(e, Error);
  assert.is((e as Error).message, 'interrupted');
  assert.ok(seen.steps > 0 && seen.steps < 5000, `${seen.steps} steps ran`);
  assert.ok(seen.closed, 'the generator was closed (its finally ran)');
});

test('an already aborted signal stops at the first pause', async () => {
  const seen = { steps: 0, closed: false };
  const controller = new AbortController();
  controller.abort();
  await runSteps(busySteps(10, seen), controller.signal, () => new Error('interrupted')).catch(() => undefined);
  assert.is(seen.steps, 1);
  assert.ok(seen.closed);
});

test.run();
