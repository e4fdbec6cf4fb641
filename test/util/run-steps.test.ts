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

test('ready(): awaited before each next step; an abort while it waits stops the work at once', async () => {
  const seen = { steps: 0, closed: false };
  let readies = 0;
  assert.is(await runSteps(busySteps(4, seen), undefined, () => new Error('interrupted'), { ready: async () => void readies++ }), 'done');
  assert.is(readies, 4, 'once at each pause');
  const stuck = { steps: 0, closed: false };
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 30);
  const started = performance.now();
  const e = await runSteps(busySteps(10, stuck), controller.signal, () => new Error('interrupted'), { ready: () => new Promise<void>(() => undefined) }).catch((x: unknown) => x);
  assert.is((e as Error).message, 'interrupted');
  assert.is(stuck.steps, 1, 'no step after the ready() that never settles');
  assert.ok(stuck.closed);
  assert.ok(performance.now() - started < 1000, 'stopped at the abort, not later');
});

test('turnEveryMs: the event loop turns only that often, however long the steps take', async () => {
  const seen = { steps: 0, closed: false };
  // an immediate that sets itself again runs once at each turn of the event loop
  const turns: number[] = [];
  let running = true;
  const onTurn = () => {
    turns.push(performance.now());
    if (running) setImmediate(onTurn);
  };
  const started = performance.now();
  setImmediate(onTurn);
  await runSteps(busySteps(60, seen), undefined, () => new Error('interrupted'), { turnEveryMs: 20 });
  const elapsed = performance.now() - started;
  running = false;
  // at most one turn in each 20 ms of the run (a loaded machine makes the run, not the count, longer)
  assert.ok(turns.length >= 1 && turns.length <= Math.floor(elapsed / 20) + 1, `${turns.length} turns in ${elapsed.toFixed(0)} ms`);
});

test.run();
