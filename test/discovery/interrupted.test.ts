// Ctrl-C during discovery (alone, or as the first step of `t2t plan`): the request in flight is
// cut off, and discovery reports the interruption (discover.aborted), never a tenant it cannot
// reach. The emulator's injected latency holds each answer back long enough to abort meanwhile.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { runCli } from '../helpers/cli.js';
import { loadProject } from '../../engine/manifest/load-project.js';
import { stateDir } from '../../engine/state/paths.js';
import { discover } from '../../engine/discovery/discover.js';
import { openTenantCache } from '../../engine/discovery/tenant-cache.js';
import { createDiscoveryClient } from '../../engine/discovery/tenant-port.js';
import type { DiscoveryClient } from '../../engine/discovery/discovery-client.js';
import { UserError } from '../../engine/errors.js';
import { SECRET_ENV, writeProject } from './emulated-project.js';

const LATENCY_MS = 400;
let emu: RunningEmulator;
const dirs: string[] = [];
const env = { ...process.env, ...SECRET_ENV };

test.before(async () => {
  emu = await startEmulator(testConfig({ faults: { latencyMs: LATENCY_MS } }));
});

test.after(async () => {
  await emu?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project(): string {
  const dir = writeProject(emu, { users: ['alice@contoso.com'] });
  dirs.push(dir);
  return dir;
}

/** Discovers a fresh project with the production client and aborts once tenant `nth` (0: the
 *  source, 1: the target) has sent its first request, which the emulator holds back for
 *  LATENCY_MS. Resolves to what discover threw, and the clients it made. */
async function abortDuringTenant(nth: number): Promise<{ error: unknown; clients: DiscoveryClient[]; state: string }> {
  const dir = project();
  const loaded = await loadProject(dir);
  if (!loaded.project) throw new Error(JSON.stringify(loaded.diagnostics));
  const state = stateDir(dir, env);
  const controller = new AbortController();
  const clients: DiscoveryClient[] = [];
  const running = discover(loaded.project, {
    env,
    stateDir: state,
    signal: controller.signal,
    // the production client, kept at hand to see when its first request has been sent
    clientFor: (p, t) => {
      const c = createDiscoveryClient(p, t, { env, signal: controller.signal });
      clients.push(c);
      return c;
    },
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  while (!clients[nth] || clients[nth].requestCount() === 0) await new Promise((r) => setTimeout(r, 2));
  controller.abort('SIGINT');
  const error = await running;
  assert.instance(error, UserError, `discover failed with: ${(error as Error)?.message}`);
  assert.is((error as UserError).code, 'discover.aborted');
  return { error, clients, state };
}

test('aborting while the first request waits for the tenant ends discovery with discover.aborted', async () => {
  const { error, clients } = await abortDuringTenant(0);
  assert.is((error as UserError).message, 'discovery was interrupted; the cache keeps its previous state');
  assert.is(clients.length, 1, 'the second tenant was not started');
});

test('aborting during the second tenant names the first as saved', async () => {
  // the source tenant (contoso) is discovered and written first
  const { error, state } = await abortDuringTenant(1);
  assert.is((error as UserError).message, 'discovery was interrupted; tenant contoso was discovered and saved, the others keep their previous state');
  // what the message says: contoso's cache is written whole, fabrikam's was never written
  const discoveredAt = async (tenant: string) => (await openTenantCache(state, tenant)).users.store.getMeta('discoveredAt');
  assert.type(await discoveredAt('contoso'), 'string');
  assert.is(await discoveredAt('fabrikam'), undefined);
});

test('Ctrl-C during the discovery of `t2t plan` prints the interruption, not "cannot reach the service"', async () => {
  const dir = project();
  const controller = new AbortController();
  // sign-in takes two answers (metadata, token) and the first read a third: abort within them
  const timer = setTimeout(() => controller.abort('SIGINT'), LATENCY_MS * 2.5);
  try {
    const r = await runCli(['plan', dir], { env: SECRET_ENV, signal: controller.signal });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: discovery was interrupted; the cache keeps its previous state\nhint: run t2t discover again\n$/m);
    assert.not.match(r.stderr, /cannot reach|start the emulator|unexpected failure/);
  } finally {
    clearTimeout(timer);
  }
});

test.run();
