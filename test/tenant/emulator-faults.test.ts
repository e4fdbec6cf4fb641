// Retries against the emulator's injected faults (seeded, so the run is repeatable).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { createTenantClient } from '../../engine/tenant/client.js';
import { emulatorTenant, secretsEnv } from './fixtures.js';

let emu: RunningEmulator;
test.before(async () => {
  emu = await startEmulator(testConfig({ faults: { errorRate: 0.1, throttleRate: 0.3, seed: 1 }, limits: { timeScale: 0.01 } }));
});
test.after(async () => emu?.stop());

test('reads succeed through injected 500/503/429 answers, and the budget counts the retries', async () => {
  const events: string[] = [];
  const reasons = new Set<unknown>();
  const c = createTenantClient({ dir: '/' }, emulatorTenant(emu, 'contoso'), { env: secretsEnv(), retry: { baseMs: 5, maxAttempts: 10 }, log: (e) => (events.push(e.type), reasons.add(e.reason)) });
  try {
    for (let i = 0; i < 12; i++) {
      const org = await c.graph.get<{ value: unknown[] }>('/organization');
      assert.is(org.value.length, 1);
    }
    const s = c.stats().graph;
    assert.ok(s.retries > 0, 'some requests were retried');
    assert.is(s.requests, 12 + s.retries);
    assert.is(events.filter((t) => t === 'retry').length, s.retries);
    // The seed gives both kinds of injected failure: a server error and a throttle.
    assert.ok([...reasons].some((r) => r === '500' || r === '503'), `reasons: ${[...reasons]}`);
    assert.ok(reasons.has('429'));
    assert.ok(s.throttled > 0);
  } finally {
    await c.close();
  }
});

test('a $batch under injected faults ends with every inner request answered 200', async () => {
  const c = createTenantClient({ dir: '/' }, emulatorTenant(emu, 'fabrikam'), { env: secretsEnv(), retry: { baseMs: 5, maxAttempts: 10 } });
  try {
    const requests = Array.from({ length: 25 }, () => ({ method: 'GET' as const, url: '/organization' }));
    const answers = await c.graph.batch(requests);
    assert.is(answers.length, 25);
    assert.equal(answers.filter((a) => a.status !== 200).map((a) => a.status), []);
    assert.ok(answers.every((a) => Array.isArray((a.body as { value: unknown[] }).value)));
    const s = c.stats().graph;
    assert.ok(s.retries > 0, 'inner failures were re-submitted');
  } finally {
    await c.close();
  }
});

test.run();
