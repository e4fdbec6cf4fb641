// A sign-in the identity platform answers with 503 (or 429) for a while: repeated, not reported as a
// refused credential (faults.signInFailures makes the emulator's first token requests fail so).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { createTenantClient } from '../../engine/tenant/client.js';
import { TenantError } from '../../engine/errors.js';
import { emulatorTenant, secretsEnv } from './fixtures.js';

const running: RunningEmulator[] = [];
test.after(async () => {
  for (const e of running) await e.stop();
});

async function emulatorFailingSignIns(n: number): Promise<RunningEmulator> {
  const emu = await startEmulator(testConfig({ faults: { signInFailures: n }, limits: { timeScale: 0.01 } }));
  running.push(emu);
  return emu;
}

test('a token request answered 503 twice is repeated, after the Retry-After, and the sign-in succeeds', async () => {
  const emu = await emulatorFailingSignIns(2);
  const c = createTenantClient({ dir: '/' }, emulatorTenant(emu, 'contoso'), { env: secretsEnv() });
  try {
    const claims = await c.claims();
    assert.ok(claims.roles.length > 0);
    assert.ok((await c.graph.get<{ value: unknown[] }>('/organization')).value.length === 1);
  } finally {
    await c.close();
  }
});

test('still 503 after every attempt: a retryable service failure naming the endpoint and the count, not a refused credential', async () => {
  const emu = await emulatorFailingSignIns(100);
  const c = createTenantClient({ dir: '/' }, emulatorTenant(emu, 'contoso'), { env: secretsEnv() });
  try {
    await c.claims();
    assert.unreachable('sign-in should fail');
  } catch (e) {
    assert.instance(e, TenantError);
    const t = e as TenantError;
    assert.is(t.code, 'tenant.http503');
    assert.is(t.details.retryable, true);
    assert.match(t.message, /^tenant 'contoso': the sign-in endpoint https:\/\/\S+ answered the token request 503 \(AADSTS90033: A transient error has occurred\.\), 4 times$/);
    assert.match(t.hint!, /not a credential problem/);
    assert.not.match(`${t.message} ${t.hint}`, /secret|refused/i);
  } finally {
    await c.close();
  }
});

test('Ctrl-C while a failed sign-in waits to be repeated ends the wait as an interruption', async () => {
  const emu = await startEmulator(testConfig({ faults: { signInFailures: 100 } })); // Retry-After: 1 s
  running.push(emu);
  const controller = new AbortController();
  const c = createTenantClient({ dir: '/' }, emulatorTenant(emu, 'contoso'), { env: secretsEnv(), signal: controller.signal });
  const started = Date.now();
  setTimeout(() => controller.abort(), 200);
  try {
    await c.claims();
    assert.unreachable('sign-in should be interrupted');
  } catch (e) {
    assert.is((e as Error).name, 'AbortError', String(e));
    assert.ok(Date.now() - started < 900, `ended in ${Date.now() - started} ms, not after the 1 s wait`);
  } finally {
    await c.close();
  }
});

test.run();
