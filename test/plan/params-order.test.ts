// The resource kinds write a change's params with their keys in sorted order, all the way down,
// which is the order the JSON plan prints them in: renderPlanJson then writes each change as it
// is. A params object out of order still prints right, but is copied key by key first (0.35 s of a
// plan with 383,000 changes), so a kind that builds one is caught here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzPlanInput } from '../../bench/plan/fuzz.js';
import { buildPlan } from '../../engine/plan/build-plan.js';

/** The path of the first object whose keys are not in sorted order, if any. */
function unsorted(v: unknown, path: string): string | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = unsorted(v[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const keys = Object.keys(v);
  if (keys.join('\n') !== [...keys].sort().join('\n')) return `${path} {${keys.join(', ')}}`;
  for (const k of keys) {
    const found = unsorted((v as Record<string, unknown>)[k], `${path}.${k}`);
    if (found) return found;
  }
  return undefined;
}

test('over 150 fuzzed projects, every op writes its params in key order', () => {
  const ops = new Set<string>();
  for (let seed = 1; seed <= 150; seed++) {
    for (const c of buildPlan(fuzzPlanInput(seed, 40)).changes) {
      ops.add(c.op);
      const found = unsorted(c.params, 'params');
      assert.not.ok(found, `seed ${seed}, ${c.op}: ${found}`);
    }
  }
  // the fuzzed projects reach the kinds' ops: creates, updates, deletes and runs of each
  assert.ok(ops.size >= 40, `only ${ops.size} ops planned: ${[...ops].sort().join(' ')}`);
});

test('the unsorted-key finder finds a nested object out of order', () => {
  assert.is(unsorted({ a: 1, b: [{ y: 1, x: 2 }] }, 'params'), 'params.b[0] {y, x}');
  assert.is(unsorted({ a: { b: null, c: [1, 'x'] } }, 'params'), undefined);
});

test.run();
