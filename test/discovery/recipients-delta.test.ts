// Incremental Exchange recipients (engine/discovery/recipients-read.ts) against the emulator: after
// a mixed set of changes a delta discovery must know exactly what a fresh --full discovery knows,
// while reading Exchange only through filtered cmdlets; and a change that replicates after a delta
// run must arrive with the next one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { exchangeInvoke, rawRequest } from '../helpers/graph.js';
import { loadProject } from '../../engine/manifest/load-project.js';
import { discover } from '../../engine/discovery/discover.js';
import { createDiscoveryClient } from '../../engine/discovery/tenant-port.js';
import type { DiscoveryClient } from '../../engine/discovery/discovery-client.js';
import type { Project } from '../../engine/manifest/model.js';
import type { Inventory, InventoryRecipient } from '../../engine/inventory/model.js';
import { SECRET_ENV, writeProject } from './emulated-project.js';

const env = { ...process.env, ...SECRET_ENV };
const EXCHANGE_SKU = '4b9405b0-7788-4568-add1-99614e613b69'; // EXCHANGESTANDARD
const HOUR = 3_600_000;
const cleanup: string[] = [];
const emulators: RunningEmulator[] = [];

interface Call {
  tenant: string;
  cmdlet: string;
  parameters: Record<string, unknown>;
}

/** A tenant world: an emulator, a project on it, and discovery runs that record their Exchange calls. */
class World {
  project!: Project;
  dir!: string;
  calls: Call[] = [];
  constructor(readonly emu: RunningEmulator) {}

  async init(): Promise<void> {
    this.dir = writeProject(this.emu, { users: ['alice@contoso.com'] });
    cleanup.push(this.dir);
    const loaded = await loadProject(this.dir);
    if (!loaded.project) throw new Error(JSON.stringify(loaded.diagnostics));
    this.project = loaded.project;
  }

  async graph(method: string, path: string, body?: unknown, tenant = 'contoso'): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await rawRequest(this.emu, tenant, method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.body;
  }

  async ex(cmdlet: string, parameters: Record<string, unknown>, tenant = 'contoso'): Promise<any[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await exchangeInvoke(this.emu, tenant, cmdlet, parameters);
    if (r.status !== 200) throw new Error(`${cmdlet}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.value;
  }

  async user(upn: string, licensed: boolean, tenant = 'contoso'): Promise<string> {
    const nick = upn.split('@')[0]!;
    const u = await this.graph('POST', '/v1.0/users', { accountEnabled: true, displayName: nick, mailNickname: nick, userPrincipalName: upn, usageLocation: 'US', passwordProfile: { password: 'P@ssw0rd-123456' } }, tenant);
    if (licensed) await this.licence(u.id, true, tenant);
    return u.id as string;
  }

  async licence(id: string, add: boolean, tenant = 'contoso'): Promise<void> {
    await this.graph('POST', `/v1.0/users/${id}/assignLicense`, add ? { addLicenses: [{ skuId: EXCHANGE_SKU, disabledPlans: [] }], removeLicenses: [] } : { addLicenses: [], removeLicenses: [EXCHANGE_SKU] }, tenant);
  }

  async advance(ms: number): Promise<void> {
    const r = await rawRequest(this.emu, null, 'POST', '/_emulator/clock', { advanceMs: ms });
    if (r.status !== 200) throw new Error(r.text);
  }

  /** A discovery into `state` (a directory of its own per cache). */
  async discover(state: string, full = false): Promise<Inventory> {
    const calls: Call[] = [];
    this.calls = calls;
    try {
      const { inventory } = await discover(this.project, {
        env,
        stateDir: state,
        full,
        clientFor: (project, tenant) => recording(createDiscoveryClient(project, tenant, { env }), tenant.name, calls),
      });
      return inventory;
    } catch (e) {
      throw new Error(`discover failed: ${(e as Error).message}`, { cause: e });
    }
  }

  /** What a fresh full discovery (an empty cache) finds now. */
  async fresh(): Promise<Inventory> {
    const state = mkdtempSync(join(tmpdir(), 't2t-fresh-'));
    cleanup.push(state);
    return this.discover(state, true);
  }
}

function recording(client: DiscoveryClient, tenant: string, calls: Call[]): DiscoveryClient {
  return { ...client, exchange: (cmdlet, parameters, options) => (calls.push({ tenant, cmdlet, parameters }), client.exchange(cmdlet, parameters, options)) };
}

/** Same inventory, time of reading aside; recipients compared first for a readable failure. */
function assertSame(delta: Inventory, full: Inventory): void {
  for (const name of Object.keys(full.tenants)) {
    const d = delta.tenants[name]!;
    const f = full.tenants[name]!;
    // the same records; their order is the cache's layout (how it was written), not inventory
    const sorted = <V>(list: readonly V[], key: (v: V) => string) => [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const recipientId = (r: InventoryRecipient) => `${r.type}:${r.identity}`;
    assert.equal(sorted(d.recipients, recipientId), sorted(f.recipients, recipientId), `${name}: recipients`);
    assert.equal(sorted(d.users, (u) => u.id), sorted(f.users, (u) => u.id), `${name}: users`);
  }
  assert.is(delta.hash, full.hash, 'the inventory hash');
}

function assertOnlyFiltered(calls: Call[]): void {
  assert.ok(calls.length > 0);
  for (const c of calls) {
    const filter = String(c.parameters.Filter ?? '');
    if (c.cmdlet === 'Get-Recipient') assert.match(filter, /^\(ExternalDirectoryObjectId -eq '[0-9a-f-]+'\)( -or |$)/, JSON.stringify(c));
    // UTC without a zone, which .NET takes as it stands (recipients-read.ts utcFilterDate)
    else assert.match(filter, /^WhenChangedUTC -ge '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d'$/, `${c.tenant} ${c.cmdlet} is filtered: ${JSON.stringify(c.parameters)}`);
  }
}

test.after(async () => {
  for (const e of emulators) await e.stop();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

test('a delta discovery after mixed changes equals a fresh --full one and reads Exchange only by filter', async () => {
  const emu = await startEmulator(testConfig());
  emulators.push(emu);
  const w = new World(emu);
  await w.init();
  const ids: Record<string, string> = {};
  for (const n of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) ids[n] = await w.user(`${n}@contoso.com`, true);
  for (const n of ['mu1', 'mu2']) {
    ids[n] = await w.user(`${n}@contoso.com`, false);
    await w.ex('Enable-MailUser', { Identity: ids[n], ExternalEmailAddress: `${n}@elsewhere.com` });
  }
  const c1 = (await w.ex('New-MailContact', { Name: 'Contact One', ExternalEmailAddress: 'one@partner.com' }))[0].Guid;
  const c2 = (await w.ex('New-MailContact', { Name: 'Contact Two', ExternalEmailAddress: 'two@partner.com' }))[0].Guid;
  ids.fb = await w.user('bob@fabrikam.com', false, 'fabrikam');
  await w.ex('Enable-MailUser', { Identity: ids.fb, ExternalEmailAddress: 'bob@contoso.com' }, 'fabrikam');

  // The tenant's objects are older than the replication margin: a delta run re-reads only what
  // the changes below touch (else every recipient would match the filter, and prove nothing).
  await w.advance(2 * HOUR);
  const state = mkdtempSync(join(tmpdir(), 't2t-delta-'));
  cleanup.push(state);
  await w.discover(state);
  assert.ok(w.calls.some((c) => c.cmdlet === 'Get-Mailbox' && c.parameters.Filter === undefined), 'the first run sweeps in full');
  await w.advance(2 * HOUR); // the changes below are after the first run's watermark, not inside its margin

  await w.user('gina@contoso.com', true); // created, licensed: a new mailbox
  await w.graph('PATCH', `/v1.0/users/${ids.bob}`, { displayName: 'Robert' }); // the mailbox shows the user's name
  await w.graph('PATCH', `/v1.0/users/${ids.frank}`, { mail: 'francis@contoso.com' }); // proxyAddresses through Graph
  await w.graph('DELETE', `/v1.0/users/${ids.carol}`); // mailbox goes with the user
  await w.licence(ids.dave!, false); // mailbox removal scheduled (30-day retention)
  await w.licence(ids.mu1!, true); // mail user becomes a mailbox
  await w.ex('Set-Mailbox', { Identity: ids.erin, HiddenFromAddressListsEnabled: true, CustomAttribute15: 't2t:wave-01' });
  await w.ex('Set-MailUser', { Identity: ids.mu2, CustomAttribute3: 'three' });
  await w.ex('New-MailContact', { Name: 'Contact Three', ExternalEmailAddress: 'three@partner.com' });
  await w.ex('Set-MailContact', { Identity: c1, CustomAttribute1: 'changed' });
  await w.ex('Remove-MailContact', { Identity: c2 });
  await w.ex('Set-MailUser', { Identity: ids.fb, ExternalEmailAddress: 'robert@contoso.com' }, 'fabrikam');

  const delta = await w.discover(state);
  assertOnlyFiltered(w.calls);
  const mailboxRows = w.calls.filter((c) => c.cmdlet === 'Get-Mailbox');
  assert.is(mailboxRows.length, 2, 'one filtered Get-Mailbox per tenant');
  assertSame(delta, await w.fresh());
  const contoso = delta.tenants.contoso!.recipients;
  assert.ok(contoso.some((r) => r.type === 'UserMailbox' && r.userId === ids.mu1), 'the licensed mail user is a mailbox');
  assert.not.ok(contoso.some((r) => r.type === 'MailUser' && r.userId === ids.mu1), 'and no longer a mail user');
  assert.not.ok(contoso.some((r) => r.userId === ids.carol), "the deleted user's mailbox is gone");
  assert.ok(contoso.some((r) => r.userId === ids.dave), "the unlicensed user's mailbox stays through retention");

  // 31 days on, the mailbox of the unlicensed user goes: no user change says so; the watch does.
  await w.advance(31 * 24 * HOUR);
  const later = await w.discover(state);
  assertOnlyFiltered(w.calls);
  assert.ok(w.calls.some((c) => c.cmdlet === 'Get-Recipient' && String(c.parameters.Filter).includes(ids.dave!)), 'the watched user is asked for');
  assert.not.ok(later.tenants.contoso!.recipients.some((r) => r.userId === ids.dave), 'the removed mailbox is gone');
  assertSame(later, await w.fresh());

  // An idle delta run asks Exchange the three filtered questions per tenant and nothing else.
  await w.discover(state);
  assert.is(w.calls.length, 6, JSON.stringify(w.calls.map((c) => c.cmdlet)));
});

test('a change that replicates after a delta run arrives with the next one', async () => {
  const emu = await startEmulator(testConfig({ faults: { replicationLagMs: 60_000 } }));
  emulators.push(emu);
  const w = new World(emu);
  await w.init();
  const alice = await w.user('alice@contoso.com', true);
  await w.advance(2 * HOUR); // everything above has replicated
  const state = mkdtempSync(join(tmpdir(), 't2t-lag-'));
  cleanup.push(state);
  await w.discover(state);

  await w.ex('Set-Mailbox', { Identity: alice, CustomAttribute15: 't2t:late' });
  await w.advance(10_000); // the run below starts 10 s after the change, which replicates 50 s later
  const early = await w.discover(state);
  const mailbox = () => early.tenants.contoso!.recipients.find((r) => r.userId === alice)!;
  assert.is(mailbox().customAttribute15, null, 'not replicated yet: the run saw the previous version');
  assertOnlyFiltered(w.calls);

  await w.advance(51_000);
  const next = await w.discover(state);
  assert.is(next.tenants.contoso!.recipients.find((r) => r.userId === alice)!.customAttribute15, 't2t:late', 'picked up by the next delta run');
  assertOnlyFiltered(w.calls);
  assertSame(next, await w.fresh());
});

test.run();
