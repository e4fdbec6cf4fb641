// Retries against the emulator's injected faults (seeded, so the run is repeatable).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { createTenantClient } from '../../engine/tenant/client.js';
import { emulatorTenant, secretsEnv } from './fixtures.js';

let emu: RunningEmulator;
test.before(async () => {
  emu = await startEmulator(testConfig({ faults: { errorRate: 0.3, throttleRate: 0.2, seed: 11 }, limits: { timeScale: 0.01 } }));
});
test.after(async () => emu?.stop());

test('reads succeed through injected 500/503/429 answers, and the budget counts the retries', async () => {
  const events: string[] = [];
  const c = createTenantClient({ dir: '/' }, emulatorTenant(emu, 'contoso'), { env: secretsEnv(), retry: { baseMs: 5, maxAttempts: 10 }, log: (e) => events.push(e.type) });
  try {
    for (let i = 0; i < 12; i++) {
      const org = await c.graph.get<{ value: unknown[] }>('/organization');
      assert.is(org.value.length, 1);
    }
    const s = c.stats().graph;
    assert.ok(s.retries > 0, 'some requests were retried');
    assert.is(s.requests, 12 + s.retries);
    assert.is(events.filter((t) => t === 'retry').length, s.retries);
  } finally {
    await c.close();
  }
});

test.run();
