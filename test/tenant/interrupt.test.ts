// Ctrl-C while a request is in flight: the CLI aborts the client's signal with the signal's name
// ('SIGINT'), undici rejects the request with that reason as it is (a bare string), and the client
// must report an interruption (AbortError), not a tenant it cannot reach. The emulator's injected
// latency keeps each answer back long enough to abort while the request waits for it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { createTenantClient, type TenantClient } from '../../engine/tenant/client.js';
import { T2tError } from '../../engine/errors.js';
import { emulatorTenant, secretsEnv } from './fixtures.js';

let emu: RunningEmulator;
test.before(async () => {
  emu = await startEmulator(testConfig({ faults: { latencyMs: 400 } }));
});
test.after(async () => emu?.stop());

/** Run `call` on a signed-in client; abort with 'SIGINT' once its request has been sent. */
async function abortInFlight(call: (c: TenantClient) => Promise<unknown>, sent: (c: TenantClient) => number): Promise<unknown> {
  const controller = new AbortController();
  const c = createTenantClient({ dir: '/' }, emulatorTenant(emu, 'contoso'), { env: secretsEnv(), signal: controller.signal });
  try {
    await c.claims('graph');
    await c.claims('exchange');
    const pending = call(c).then(
      () => undefined,
      (e: unknown) => e,
    );
    while (sent(c) === 0) await new Promise((r) => setTimeout(r, 2));
    controller.abort('SIGINT');
    return await pending;
  } finally {
    await c.close();
  }
}

function assertInterrupted(e: unknown): void {
  assert.ok(e, 'the request failed');
  assert.not.instance(e, T2tError, `not reported as a tenant failure: ${(e as Error).message}`);
  assert.is((e as Error).name, 'AbortError');
  assert.match((e as Error).message, /^the operation was aborted \(SIGINT\)$/);
}

test('a Graph request aborted in flight is an interruption, not tenant.unreachable', async () => {
  assertInterrupted(await abortInFlight((c) => c.graph.get('/domains'), (c) => c.stats().graph.requests));
});

test('a Graph page read aborted in flight is an interruption', async () => {
  assertInterrupted(
    await abortInFlight(
      async (c) => {
        for await (const page of c.graph.pages('/users')) void page;
      },
      (c) => c.stats().graph.requests,
    ),
  );
});

test('an Exchange cmdlet aborted in flight is an interruption', async () => {
  assertInterrupted(await abortInFlight((c) => c.exchange.invoke('Get-Mailbox'), (c) => c.stats().exchange.requests));
});

test.run();
