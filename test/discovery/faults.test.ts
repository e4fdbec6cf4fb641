// Discovery against a flaky service (the emulator's injected 429, 500, 503 and latency) and around
// its edges: a delta discovery must end with exactly what a fresh full discovery of the same
// tenants finds (users, groups and their members, recipients, markers), whatever the service did
// on the way; so must a delta whose token the service refuses after some pages were applied, and a
// discovery stopped part-way and run again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { rawRequest } from '../helpers/graph.js';
import { loadProject } from '../../engine/manifest/load-project.js';
import { discover, type DiscoverOptions } from '../../engine/discovery/discover.js';
import { createDiscoveryClient } from '../../engine/discovery/tenant-port.js';
import { DeltaResyncNeeded, type DiscoveryClient } from '../../engine/discovery/discovery-client.js';
import { UserError } from '../../engine/errors.js';
import type { Project } from '../../engine/manifest/model.js';
import type { Inventory, InventoryRecipient } from '../../engine/inventory/model.js';
import { SECRET_ENV, writeProject } from './emulated-project.js';

const env = { ...process.env, ...SECRET_ENV };
const EXCHANGE_SKU = '4b9405b0-7788-4568-add1-99614e613b69'; // EXCHANGESTANDARD
let emu: RunningEmulator;
let project: Project;
const cleanup: string[] = [];

/** A write the test makes, retried through the same injected faults discovery meets. */
async function graph(method: string, path: string, body?: unknown, tenant = 'contoso'): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  for (let i = 0; ; i++) {
    const r = await rawRequest(emu, tenant, method, path, body);
    if ((r.status === 429 || r.status >= 500) && i < 30) continue;
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.body;
  }
}

async function user(upn: string, licensed: boolean, tenant = 'contoso'): Promise<string> {
  const nick = upn.split('@')[0]!;
  const u = await graph('POST', '/v1.0/users', { accountEnabled: true, displayName: nick, mailNickname: nick, userPrincipalName: upn, usageLocation: 'US', passwordProfile: { password: 'P@ssw0rd-123456' } }, tenant);
  if (licensed) await graph('POST', `/v1.0/users/${u.id}/assignLicense`, { addLicenses: [{ skuId: EXCHANGE_SKU, disabledPlans: [] }], removeLicenses: [] }, tenant);
  return u.id as string;
}

const ref = (id: string) => ({ '@odata.id': `${emu.url}/v1.0/directoryObjects/${id}` });

function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 't2t-faults-'));
  cleanup.push(d);
  return d;
}

async function run(state: string, o: Partial<DiscoverOptions> & { wrap?: (c: DiscoveryClient, tenant: string) => DiscoveryClient } = {}): Promise<Inventory> {
  const { wrap, ...rest } = o;
  const { inventory } = await discover(project, {
    env,
    stateDir: state,
    clientFor: (p, t) => {
      const c = createDiscoveryClient(p, t, { env, ...(rest.signal ? { signal: rest.signal } : {}) });
      return wrap ? wrap(c, t.name) : c;
    },
    ...rest,
  });
  return inventory;
}

/** Same records, time of reading aside. */
function assertSame(actual: Inventory, expected: Inventory): void {
  const sorted = <V>(list: readonly V[], key: (v: V) => string) => [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  assert.equal(Object.keys(actual.tenants).sort(), Object.keys(expected.tenants).sort());
  for (const name of Object.keys(expected.tenants)) {
    const a = actual.tenants[name]!;
    const e = expected.tenants[name]!;
    const recipientId = (r: InventoryRecipient) => `${r.type}:${r.identity}`;
    assert.equal(sorted(a.users, (u) => u.id), sorted(e.users, (u) => u.id), `${name}: users`);
    const groups = (i: typeof a) => sorted(i.groups, (g) => g.id).map((g) => ({ ...g, memberIds: [...g.memberIds].sort(), nestedGroupIds: [...(g.nestedGroupIds ?? [])].sort() }));
    assert.equal(groups(a), groups(e), `${name}: groups`);
    assert.equal(sorted(a.recipients, recipientId), sorted(e.recipients, recipientId), `${name}: recipients`);
    assert.equal(a.skus, e.skus, `${name}: licences`);
  }
  assert.is(actual.hash, expected.hash, 'the inventory hash');
}

let pilot = '';
let round = 0;
const ids: Record<string, string> = {};

/** The tenants every test starts from, on an emulator of their own: with `faults` (the first
 *  test) or without (the others, which need no retries and run in a fraction of the time). */
async function world(faults: Record<string, number> | undefined): Promise<void> {
  await emu?.stop();
  emu = await startEmulator(testConfig(faults ? { faults } : {}));
  round = 0;
  for (const n of ['alice', 'bob', 'carol', 'dave', 'erin']) ids[n] = await user(`${n}@contoso.com`, n !== 'erin');
  ids['bobF'] = await user('bob@fabrikam.com', true, 'fabrikam');
  pilot = (await graph('POST', '/v1.0/groups', { displayName: 'Pilot', mailEnabled: false, mailNickname: 'pilot', securityEnabled: true })).id;
  await graph('POST', `/v1.0/groups/${pilot}/members/$ref`, ref(ids['bob']!));
  await graph('POST', `/v1.0/groups/${pilot}/members/$ref`, ref(ids['carol']!));
  const dir = writeProject(emu, { users: ['alice@contoso.com'], groups: ['Pilot'] });
  cleanup.push(dir);
  const loaded = await loadProject(dir);
  if (!loaded.project) throw new Error(JSON.stringify(loaded.diagnostics));
  project = loaded.project;
}

test.after(async () => {
  await emu?.stop();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

/** Changes of every kind between two discoveries. */
async function changeEverything(): Promise<void> {
  round++;
  const n = await user(`new${round}@contoso.com`, true);
  await graph('PATCH', `/v1.0/users/${ids['alice']}`, { jobTitle: `title ${round}`, officeLocation: 'HQ' });
  await graph('POST', `/v1.0/groups/${pilot}/members/$ref`, ref(n));
  if (round === 1) {
    await graph('DELETE', `/v1.0/groups/${pilot}/members/${ids['carol']}/$ref`);
    await graph('DELETE', `/v1.0/users/${ids['dave']}`);
    await graph('POST', `/v1.0/users/${ids['bobF']}/extensions`, { '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: 'dev.t2t.migration', sourceTenant: 'contoso', sourceUserId: ids['bob'], wave: 'wave-01', phase: 'prepared' }, 'fabrikam');
  }
}

test('a delta discovery through injected 429/500/503 and latency knows what a fresh full discovery knows', async () => {
  await world({ errorRate: 0.05, throttleRate: 0.05, latencyMs: 2, seed: 11 });
  const state = stateDir();
  await run(state);
  await changeEverything();
  const delta = await run(state);
  const fresh = await run(stateDir(), { full: true });
  assertSame(delta, fresh);
  const c = delta.tenants['contoso']!;
  assert.not.ok(c.users.some((u) => u.id === ids['dave']), 'the deleted user is gone');
  assert.ok(c.users.some((u) => u.userPrincipalName === 'new1@contoso.com'), 'the new user is there');
  assert.is(c.users.find((u) => u.id === ids['alice'])!.attributes['jobTitle'], 'title 1');
  const members = c.groups.find((g) => g.id === pilot)!.memberIds;
  assert.ok(members.includes(ids['bob']!) && !members.includes(ids['carol']!) && members.length === 2, members.join());
  assert.equal(delta.tenants['fabrikam']!.users.find((u) => u.id === ids['bobF'])!.marker, { sourceTenant: 'contoso', sourceUserId: ids['bob'], wave: 'wave-01', phase: 'prepared' });
});

/** A client whose delta rounds from a stored delta link fail, after their first page was handed
 *  over, as the service refuses a token (410 Gone / syncStateNotFound) part-way. */
let refused = 0;
const refusedOnce = new Set<string>();
function refusingAfterFirstPage(c: DiscoveryClient, tenant: string): DiscoveryClient {
  return {
    ...c,
    delta: async (url, onPage) => {
      // each stored link once (a full read follows with a round of its own, from its new link)
      const key = `${tenant} ${url.split('?')[0]}`;
      if (!/\$deltatoken=/.test(url) || refusedOnce.has(key)) return c.delta(url, onPage);
      refusedOnce.add(key);
      await c.delta(url, onPage);
      refused++;
      throw new DeltaResyncNeeded('410 Gone');
    },
  };
}

test('a delta token the service refuses after a page was applied: read in full, the same as a fresh discovery', async () => {
  await world(undefined);
  const state = stateDir();
  await run(state);
  await changeEverything();
  const delta = await run(state, { wrap: refusingAfterFirstPage });
  assert.is(refused, 4, 'the groups and users delta of both tenants were refused');
  assertSame(delta, await run(stateDir(), { full: true }));
  // and the run after it is a plain delta again
  await changeEverything();
  assertSame(await run(state), await run(stateDir(), { full: true }));
});

for (const step of ['groups', 'users', 'recipients', 'content', 'markers'] as const) {
  test(`a delta discovery stopped during ${step} leaves a cache the next run completes, equal to a fresh one`, async () => {
    const state = stateDir();
    await run(state);
    await changeEverything();
    const controller = new AbortController();
    let error: unknown;
    try {
      await run(state, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.step === step && !controller.signal.aborted && (step !== 'markers' || p.tenant === 'fabrikam')) controller.abort('SIGINT');
        },
      });
    } catch (e) {
      error = e;
    }
    assert.instance(error, UserError, String(error));
    assert.is((error as UserError).code, 'discover.aborted');
    const next = await run(state);
    assertSame(next, await run(stateDir(), { full: true }));
  });
}

test('a user created, one changed and one deleted between the pages of a full discovery: that discovery and the next equal a fresh one', async () => {
  await world(undefined);
  let changed = false;
  const state = stateDir();
  // the users read of contoso comes two to the first page; the tenant changes before the next
  const between = (c: DiscoveryClient, tenant: string): DiscoveryClient => ({
    ...c,
    delta: (url, onPage) => {
      if (tenant !== 'contoso' || !url.includes('/users/delta') || changed) return c.delta(url, onPage);
      return c.delta(`${url}&$top=2`, (async (items: Parameters<typeof onPage>[0]) => {
        onPage(items);
        if (changed) return;
        changed = true;
        const seen = new Set(items.map((i) => i.id));
        const later = ['erin', 'dave', 'carol', 'bob', 'alice'].filter((n) => !seen.has(ids[n]!));
        await user('between@contoso.com', true);
        await graph('PATCH', `/v1.0/users/${ids[later[0]!]}`, { jobTitle: 'changed between pages' });
        await graph('DELETE', `/v1.0/users/${ids[later[1]!]}`);
      }) as unknown as typeof onPage);
    },
  });
  const first = await run(state, { wrap: between });
  assert.ok(changed, 'the tenant changed between pages');
  // The emulator fixes a round's window at its start (test/emulator/core/scale.test.ts): a user
  // changed, created or deleted while the round pages comes with the next round. The full read
  // follows with that round at once, so its result is the tenant as it stood at its end.
  const firstUsers = first.tenants['contoso']!.users.map((u) => u.userPrincipalName).sort();
  assert.is(firstUsers.length, 5, 'five of the six users remain: ' + firstUsers.join());
  assert.ok(firstUsers.includes('between@contoso.com'), firstUsers.join());
  assert.equal(first.tenants['contoso']!.users.filter((u) => u.attributes['jobTitle'] === 'changed between pages').length, 1, 'the changed user, changed');
  assertSame(first, await run(stateDir(), { full: true }));
  const next = await run(state);
  assertSame(next, await run(stateDir(), { full: true }));
  const upns = next.tenants['contoso']!.users.map((u) => u.userPrincipalName);
  assert.ok(upns.includes('between@contoso.com'), upns.join());
  assert.is(upns.length, 5, 'five of the six users remain: ' + upns.join());
});

test('a group renamed between the pages of a full discovery keeps all its members after the next delta run', async () => {
  await world(undefined);
  const other = (await graph('POST', '/v1.0/groups', { displayName: 'Other', mailEnabled: false, mailNickname: 'other', securityEnabled: true })).id as string;
  for (const n of ['alice', 'erin']) await graph('POST', `/v1.0/groups/${other}/members/$ref`, ref(ids[n]!));
  let changed = false;
  const state = stateDir();
  // the groups read of contoso comes one to the first page (Pilot, the older); Other is renamed before the next
  const between = (c: DiscoveryClient, tenant: string): DiscoveryClient => ({
    ...c,
    delta: (url, onPage) => {
      if (tenant !== 'contoso' || !url.includes('/groups/delta') || changed) return c.delta(url, onPage);
      return c.delta(`${url}&$top=1`, (async (items: Parameters<typeof onPage>[0]) => {
        onPage(items);
        if (changed) return;
        changed = true;
        await graph('PATCH', `/v1.0/groups/${other}`, { displayName: 'Other (renamed)' });
      }) as unknown as typeof onPage);
    },
  });
  await run(state, { wrap: between });
  assert.ok(changed);
  const next = await run(state);
  const g = next.tenants['contoso']!.groups.find((x) => x.id === other);
  assert.equal([...(g?.memberIds ?? [])].sort(), [ids['alice'], ids['erin']].sort(), 'Other keeps its members');
  assertSame(next, await run(stateDir(), { full: true }));
});

test.run();
