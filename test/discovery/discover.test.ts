// Discovery against the emulator over loopback HTTPS, through the production tenant client
// (msal-node, the Graph client, the Exchange admin REST). One emulator for the file; each test
// changes the tenants through the Graph API as a real admin would, then discovers again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { rawRequest } from '../helpers/graph.js';
import { runCli } from '../helpers/cli.js';
import { loadProject } from '../../engine/manifest/load-project.js';
import { stateDir } from '../../engine/state/paths.js';
import { discover, loadInventory } from '../../engine/discovery/discover.js';
import { RECIPIENT_DISCOVERY_ONLY } from '../../engine/discovery/recipient-record.js';
import { openTenantCache, tenantCacheDir, type TenantCache } from '../../engine/discovery/tenant-cache.js';
import { renderReportText } from '../../engine/discovery/report.js';
import { openCollection } from '../../engine/state/sharded-store.js';
import { acquireLock } from '../../engine/state/lock.js';
import type { UserError } from '../../engine/errors.js';
import type { Project } from '../../engine/manifest/model.js';
import type { ContentSize, Inventory, InventoryRecipient } from '../../engine/inventory/model.js';
import type { DiscoveryReport, TenantReport } from '../../engine/discovery/report.js';
import { SECRET_ENV, writeProject } from './emulated-project.js';

let emu: RunningEmulator;
let dir: string;
let project: Project;
let lastHash = '';
const env = { ...process.env, ...SECRET_ENV };

// Built through the Graph API, as an admin would: users, licences (which provision mailboxes
// with archives), messages and OneDrive files.
const contosoUsers = [
  { upn: 'alice@contoso.com', employeeId: 'E1', messages: 5, files: 3 },
  { upn: 'bob@contoso.com', employeeId: 'E2', messages: 3, files: 0 },
  { upn: 'carol@contoso.com', messages: 1, files: 0 },
  { upn: 'dave@contoso.com', messages: 2, files: 0 },
];

async function createUser(upn: string, tenant: string, extra: Record<string, unknown> = {}): Promise<string> {
  const local = upn.split('@')[0]!;
  const u = (await graph('POST', '/v1.0/users', {
    accountEnabled: true,
    displayName: local[0]!.toUpperCase() + local.slice(1),
    mailNickname: local,
    userPrincipalName: upn,
    usageLocation: 'US',
    passwordProfile: { password: 'P@ssw0rd-123456', forceChangePasswordNextSignIn: false },
    ...extra,
  }, tenant)) as { id: string };
  const skus = (await graph('GET', '/v1.0/subscribedSkus', undefined, tenant)) as { value: Array<{ skuId: string; skuPartNumber: string }> };
  const sku = skus.value.find((s) => s.skuPartNumber === 'EXCHANGESTANDARD')!;
  await graph('POST', `/v1.0/users/${u.id}/assignLicense`, { addLicenses: [{ skuId: sku.skuId, disabledPlans: [] }], removeLicenses: [] }, tenant);
  return u.id;
}

async function seed(): Promise<void> {
  for (const c of contosoUsers) {
    const id = await createUser(c.upn, 'contoso', c.employeeId ? { employeeId: c.employeeId } : {});
    for (let i = 0; i < c.messages; i++) {
      await graph('POST', `/v1.0/users/${id}/mailFolders/inbox/messages`, { subject: `m${i}`, body: { contentType: 'text', content: `hello ${i}` } });
    }
    for (let i = 0; i < c.files; i++) {
      const r = await rawRequest(emu, 'contoso', 'PUT', `/v1.0/users/${id}/drive/root:/file-${i}.txt:/content`, `file ${i} of ${c.upn}`, { 'content-type': 'text/plain' });
      if (r.status >= 300) throw new Error(`drive upload: ${r.status} ${r.text}`);
    }
  }
  await createUser('bob@fabrikam.com', 'fabrikam', { employeeId: 'E2' });
}

async function run(options: { full?: boolean; tenant?: string; contentMaxAgeNearCutoverMs?: number } = {}, of: Project = project): Promise<{ inventory: Inventory; report: DiscoveryReport }> {
  try {
    return await discover(of, { env, stateDir: stateDir(dir, env), ...options });
  } catch (e) {
    // uvu 0.5 cannot print an error whose `details` is not a string (TenantError's is an object)
    // and then reports the test as neither passed nor failed: hand it a plain Error.
    throw new Error(`discover failed: ${(e as Error).message}`, { cause: e });
  }
}

function tenantReport(r: DiscoveryReport, name: string): TenantReport {
  const t = r.tenants.find((x) => x.tenant === name);
  if (!t) throw new Error(`no report for ${name}`);
  return t;
}

async function graph(method: string, path: string, body?: unknown, tenant = 'contoso') {
  const r = await rawRequest(emu, tenant, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}

async function userId(upn: string, tenant = 'contoso'): Promise<string> {
  return ((await graph('GET', `/v1.0/users/${upn}?$select=id`, undefined, tenant)) as { id: string }).id;
}

test.before(async () => {
  try {
    await setup();
  } catch (e) {
    console.error('discover.test setup failed:', e); // uvu does not print a failing hook
    throw e;
  }
});

async function setup(): Promise<void> {
  emu = await startEmulator(testConfig());
  await seed();
  dir = writeProject(emu, { users: ['alice@contoso.com'], groups: ['Pilot'] });
  // The wave's group, with Bob in it.
  const pilot = (await graph('POST', '/v1.0/groups', { displayName: 'Pilot', mailEnabled: false, mailNickname: 'pilot', securityEnabled: true })) as { id: string };
  await graph('POST', `/v1.0/groups/${pilot.id}/members/$ref`, { '@odata.id': `${emu.url}/v1.0/directoryObjects/${await userId('bob@contoso.com')}` });
  const loaded = await loadProject(dir);
  if (!loaded.project) throw new Error(JSON.stringify(loaded.diagnostics, null, 2));
  project = loaded.project;
}

test.after(async () => {
  await emu?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the first discovery reads every tenant in full: counts, licences, domains, recipients, scope', async () => {
  const { inventory, report } = await run();
  const c = tenantReport(report, 'contoso');
  assert.is(c.mode, 'full');
  assert.is(c.reason, 'first run');
  const listed = (await graph('GET', '/v1.0/users?$select=id&$top=999')) as { value: unknown[] };
  assert.is(c.counts.users, listed.value.length);
  assert.is(c.changes.users.added, listed.value.length);
  assert.ok(inventory.tenants.contoso!.users.some((u) => u.userPrincipalName === 'alice@contoso.com' && u.attributes.employeeId === 'E1'));
  assert.ok('officeLocation' in inventory.tenants.contoso!.users[0]!.attributes, 'template attributes are read');
  assert.ok(c.counts.groups >= 1);
  assert.ok(inventory.tenants.contoso!.domains.includes('contoso.com'));
  assert.ok(inventory.tenants.contoso!.skus.some((s) => s.skuPartNumber === 'EXCHANGESTANDARD' && s.consumed >= 4));
  assert.ok(c.counts.mailboxes >= 4, `mailboxes: ${c.counts.mailboxes}`);
  const alice = inventory.tenants.contoso!.users.find((u) => u.userPrincipalName === 'alice@contoso.com')!;
  const aliceMailbox = inventory.tenants.contoso!.recipients.find((r) => r.type === 'UserMailbox' && r.userId === alice.id);
  assert.ok(aliceMailbox, 'Get-Mailbox recipients are linked to their users');
  assert.is(aliceMailbox!.primarySmtpAddress?.toLowerCase(), 'alice@contoso.com');
  // Scope: Alice by address, Bob through the Pilot group.
  assert.is(c.scope?.users, 2);
  assert.is(c.scope?.mailboxes.count, 2);
  assert.is(c.scope?.mailboxes.items, 8);
  assert.ok((inventory.tenants.contoso!.content.get(alice.id)?.driveBytes ?? 0) > 0, 'OneDrive bytes of a wave member');
  assert.is(c.scope?.onedrive.count, 1);
  assert.is(c.scope?.archives.count, 2, 'EXCHANGESTANDARD comes with an archive');
  assert.is(tenantReport(report, 'fabrikam').scope, undefined, 'no content sizes for a target');
  assert.equal(report.unresolved, []);
  assert.match(report.hash, /^[0-9a-f]{64}$/);
  lastHash = report.hash;
});

test('a second discovery is a delta: one user created and one deleted, few requests', async () => {
  const first = await run(); // nothing changed since the first test
  const idle = tenantReport(first.report, 'contoso');
  assert.is(idle.mode, 'delta');
  assert.equal(idle.changes.users, { added: 0, updated: 0, removed: 0 });
  assert.is(first.report.hash, lastHash, 'an idle delta keeps the hash');

  await graph('POST', '/v1.0/users', {
    accountEnabled: true,
    displayName: 'Erin',
    mailNickname: 'erin',
    userPrincipalName: 'erin@contoso.com',
    passwordProfile: { password: 'P@ssw0rd-123456', forceChangePasswordNextSignIn: false },
  });
  await graph('DELETE', `/v1.0/users/${await userId('carol@contoso.com')}`);
  const { inventory, report } = await run();
  const c = tenantReport(report, 'contoso');
  assert.is(c.mode, 'delta');
  assert.is(c.changes.users.added, 1);
  assert.is(c.changes.users.removed, 1);
  assert.is(c.changes.users.updated, 0);
  assert.ok(c.requests <= 12, `a delta with nothing to size sends few requests, sent ${c.requests}`);
  const cached = await loadInventory(project, stateDir(dir, env));
  const upns = cached!.tenants.contoso!.users.map((u) => u.userPrincipalName);
  assert.ok(upns.includes('erin@contoso.com'));
  assert.not.ok(upns.includes('carol@contoso.com'));
  assert.is(cached!.hash, report.hash, 'the cache reloads to the same hash');
  // the read-only view a plan reads: the same recipients, without the fields only discovery reads
  const byIdentity = (rs: readonly InventoryRecipient[]) => [...rs].sort((a, b) => a.identity.localeCompare(b.identity));
  const planned = byIdentity(cached!.tenants.contoso!.recipients);
  assert.ok(planned.length > 0);
  assert.ok(planned.every((r) => RECIPIENT_DISCOVERY_ONLY.every((k) => !(k in r))), 'no field only discovery reads');
  const stripped = byIdentity(inventory.tenants.contoso!.recipients).map((r) => {
    const { alias: _a, primarySmtpAddress: _p, exchangeGuid: _e, archiveGuid: _g, ...rest } = r;
    return rest;
  });
  assert.equal(planned, stripped);
  assert.is.not(report.hash, lastHash);
  assert.is(inventory.tenants.contoso!.users.length, c.counts.users);
  lastHash = report.hash;
});

test('a group membership change arrives as members@delta and widens the scope', async () => {
  const groups = (await graph('GET', "/v1.0/groups?$filter=displayName eq 'Pilot'")) as { value: Array<{ id: string }> };
  const pilot = groups.value[0]!.id;
  const dave = await userId('dave@contoso.com');
  await graph('POST', `/v1.0/groups/${pilot}/members/$ref`, { '@odata.id': `${emu.url}/v1.0/directoryObjects/${dave}` });
  const { inventory, report } = await run({ tenant: 'contoso' });
  const c = tenantReport(report, 'contoso');
  assert.is(c.mode, 'delta');
  assert.is(c.changes.groups.updated, 1);
  assert.ok(inventory.tenants.contoso!.groups.find((g) => g.id === pilot)!.memberIds.includes(dave));
  assert.is(c.scope?.users, 3);
  assert.is(c.scope?.mailboxes.items, 10, 'Dave\'s mailbox is sized when he joins the scope');
  assert.is(report.tenants.length, 1, '--tenant discovers one tenant');
});

test('markers on target users are read, also when only the extension changed', async () => {
  const bobF = await userId('bob@fabrikam.com', 'fabrikam');
  const bobC = await userId('bob@contoso.com');
  await graph('POST', `/v1.0/users/${bobF}/extensions`, { '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: 'dev.t2t.migration', sourceTenant: 'contoso', sourceUserId: bobC, wave: 'wave-01', phase: 'prepared' }, 'fabrikam');
  const { inventory, report } = await run();
  const f = tenantReport(report, 'fabrikam');
  assert.is(f.mode, 'delta');
  assert.is(f.counts.markers, 1);
  const marker = inventory.tenants.fabrikam!.users.find((u) => u.id === bobF)!.marker;
  assert.equal(marker, { sourceTenant: 'contoso', sourceUserId: bobC, wave: 'wave-01', phase: 'prepared' });
});

test('the cache holds the records in the order a plan visits them: wave members in list order, their mailboxes and content, target users by marker', async () => {
  // another project over the same tenants: its wave lists Dave, Bob, Alice; Bob@fabrikam carries Bob's marker
  const other = writeProject(emu, { users: ['dave@contoso.com', 'bob@contoso.com', 'alice@contoso.com'] });
  try {
    const loaded = await loadProject(other);
    if (!loaded.project) throw new Error(JSON.stringify(loaded.diagnostics));
    const state = stateDir(other, env);
    await discover(loaded.project, { env, stateDir: state });
    const inventory = (await loadInventory(loaded.project, state))!;
    const c = inventory.tenants.contoso!;
    const upnOf = new Map(c.users.map((u) => [u.id, u.userPrincipalName]));
    const listed = ['dave@contoso.com', 'bob@contoso.com', 'alice@contoso.com'];
    assert.equal(c.users.slice(0, 3).map((u) => u.userPrincipalName), listed);
    assert.equal(c.recipients.slice(0, 3).map((r) => upnOf.get(r.userId ?? '')), listed, 'their mailboxes, in the same order');
    const idOf = new Map(c.users.map((u) => [u.userPrincipalName, u.id]));
    const content = await openCollection<ContentSize>(tenantCacheDir(state, 'contoso'), 'content', { omit: ['readAt'] });
    assert.equal(content.orderedValues(), listed.map((upn) => c.content.get(idOf.get(upn)!)), 'their content sizes');
    assert.is(inventory.tenants.fabrikam!.users[0]!.userPrincipalName, 'bob@fabrikam.com', "the target user carrying Bob's marker comes first");
    // a plan of it is the same whatever the layout (test/plan/inventory-order.test.ts); this one matches the tenants' count
    assert.is(c.users.length, ((await graph('GET', '/v1.0/users?$select=id&$top=999')) as { value: unknown[] }).value.length);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('--full reads everything again and finds nothing changed', async () => {
  const before = await run();
  const { report } = await run({ full: true });
  for (const t of report.tenants) {
    assert.is(t.mode, 'full');
    assert.is(t.reason, '--full');
    assert.equal(t.changes.users, { added: 0, updated: 0, removed: 0 }, t.tenant);
    assert.equal(t.changes.groups, { added: 0, updated: 0, removed: 0 }, t.tenant);
    assert.equal(t.changes.recipients, { added: 0, updated: 0, removed: 0 }, t.tenant);
  }
  assert.is(report.hash, before.report.hash);
  assert.ok(tenantReport(report, 'fabrikam').counts.markers === 1);
});

test('an invalid stored delta token falls back to a full read with a warning', async () => {
  const cache = await openTenantCache(stateDir(dir, env), 'contoso');
  const link = cache.users.store.getMeta('usersDeltaLink')!;
  cache.users.store.setMeta('usersDeltaLink', link.replace(/\$deltatoken=[^&]+/, '$deltatoken=bm90LWEtdG9rZW4'));
  await cache.users.store.flush();
  const { report } = await run({ tenant: 'contoso' });
  const c = tenantReport(report, 'contoso');
  assert.is(c.mode, 'full');
  assert.is(c.reason, 'the delta token was no longer valid');
  assert.ok(c.warnings.some((w) => /users: the delta token is no longer valid/.test(w)), c.warnings.join('\n'));
  assert.equal(c.changes.users, { added: 0, updated: 0, removed: 0 });
  const next = await run({ tenant: 'contoso' });
  assert.is(tenantReport(next.report, 'contoso').mode, 'delta', 'the full read stored a fresh delta link');
});

test('a delta that falls back to a full read (the token expired) reads the content sizes again, as a full read does', async () => {
  const alice = await userId('alice@contoso.com');
  const items = (r: { inventory: Inventory }) => r.inventory.tenants.contoso!.content.get(alice)!.mailboxItems;
  const before = await run({ tenant: 'contoso' });
  assert.is(tenantReport(before.report, 'contoso').mode, 'delta');
  await graph('POST', `/v1.0/users/${alice}/mailFolders/inbox/messages`, { subject: 'after the last size', body: { contentType: 'text', content: 'one more' } });
  // a delta keeps a size read minutes ago (a day by default): the mailbox shows its old size
  assert.is(items(await run({ tenant: 'contoso' })), items(before));
  const cache = await openTenantCache(stateDir(dir, env), 'contoso');
  const link = cache.users.store.getMeta('usersDeltaLink')!;
  cache.users.store.setMeta('usersDeltaLink', link.replace(/\$deltatoken=[^&]+/, '$deltatoken=bm90LWEtdG9rZW4'));
  await cache.users.store.flush();
  const fellBack = await run({ tenant: 'contoso' });
  const c = tenantReport(fellBack.report, 'contoso');
  assert.equal([c.mode, c.reason], ['full', 'the delta token was no longer valid']);
  assert.is(items(fellBack), items(before) + 1, 'the full read refreshed the sizes');
  assert.is(c.scope?.mailboxes.items, before.report.tenants[0]!.scope!.mailboxes.items + 1);
});

test('a cache written in an older format is discarded and read again in full, with the reason, never misread', async () => {
  const before = await run();
  const head = join(stateDir(dir, env), 'inventory', 'contoso', 'recipients', 'collection.json');
  const stored = JSON.parse(readFileSync(head, 'utf8')) as { formatVersion: number };
  const old = JSON.stringify({ ...stored, formatVersion: 1 });
  writeFileSync(head, old);
  const { report, inventory } = await run({ tenant: 'contoso' });
  const c = tenantReport(report, 'contoso');
  assert.is(c.mode, 'full');
  assert.is(c.reason, 'the cache was written by another version of t2t');
  assert.is(report.hash, before.report.hash, 'the same tenant gives the same inventory');
  // the same records (their order is the cache's layout, which the plan does not depend on)
  const byIdentity = (rs: readonly InventoryRecipient[]) => [...rs].sort((a, b) => (a.identity < b.identity ? -1 : 1));
  assert.equal(byIdentity(inventory.tenants.contoso!.recipients), byIdentity(before.inventory.tenants.contoso!.recipients));
  assert.is((await loadInventory(project, stateDir(dir, env)))?.hash, before.report.hash);

  // A plan loading the old cache gets no inventory (it discovers); what it discarded comes back.
  writeFileSync(head, old);
  assert.is(await loadInventory(project, stateDir(dir, env)), undefined, 'an old cache is no inventory');
  assert.is((await run()).report.hash, before.report.hash);
  assert.is((await loadInventory(project, stateDir(dir, env)))?.hash, before.report.hash);
});

test('a damaged cache file is discarded and the tenant read again in full; the report names the file', async () => {
  const before = await run();
  const head = join(stateDir(dir, env), 'inventory', 'contoso', 'users', 'collection.json');
  const text = readFileSync(head, 'utf8');
  writeFileSync(head, text.slice(0, text.length >> 1)); // cut short, as a full disk or a crash of the machine can leave it
  const { report } = await run({ tenant: 'contoso' });
  const c = tenantReport(report, 'contoso');
  assert.equal([c.mode, c.reason], ['full', 'the cache was unreadable']);
  assert.ok(c.warnings.some((w) => w.includes(head) && /corrupt and has been discarded/.test(w)), c.warnings.join('\n'));
  assert.is(report.hash, before.report.hash, 'the same tenant gives the same inventory');
});

test('a full read that replaces an unusable cache (a changed tenantId, another cache format) counts what it reads as added, not every record as removed and added again', async () => {
  const before = await run();
  const cases: Array<[string, (meta: TenantCache['users']['store']) => void, RegExp]> = [
    ['tenantId', (m) => m.setMeta('tenantId', 'previous.onmicrosoft.com'), /^tenantId changed: the cache of the previous tenantId was replaced$/],
    ['cacheFormat', (m) => m.setMeta('cacheFormat', 0), /^cache format changed: the cache was replaced$/],
  ];
  for (const [what, change, reason] of cases) {
    const cache = await openTenantCache(stateDir(dir, env), 'contoso');
    change(cache.users.store);
    await cache.users.store.flush();
    const { report } = await run({ tenant: 'contoso' });
    const c = tenantReport(report, 'contoso');
    assert.is(c.mode, 'full', what);
    assert.match(c.reason ?? '', reason);
    const recipients = c.counts.mailboxes + c.counts.mailUsers + c.counts.contacts;
    assert.equal(c.changes, {
      users: { added: c.counts.users, updated: 0, removed: 0 },
      groups: { added: c.counts.groups, updated: 0, removed: 0 },
      recipients: { added: recipients, updated: 0, removed: 0 },
    }, what);
    const text = renderReportText(report);
    assert.match(text, new RegExp(`^  users +${c.counts.users} .*  \\+${c.counts.users} ~0 -0$`, 'm'));
    assert.match(text, /^contoso \(source\): full read \((tenantId|cache format) changed: .*replaced\)/m);
    assert.is(report.hash, before.report.hash, `${what}: the same tenant gives the same inventory`);
  }
});

test('a cache a crash left in the middle of a compaction is no inventory for a plan; the next discovery recomputes its digest', async () => {
  const before = await run();
  // the effective digest wrong (as a crash between the shards and the meta could leave it) and
  // collection.json marked as compacting
  const cache = await openTenantCache(stateDir(dir, env), 'contoso');
  cache.users.store.setMeta('digest', 'f'.repeat(64));
  await cache.users.store.flush();
  const head = join(stateDir(dir, env), 'inventory', 'contoso', 'users', 'collection.json');
  writeFileSync(head, JSON.stringify({ ...(JSON.parse(readFileSync(head, 'utf8')) as object), compacting: true }));
  assert.is(await loadInventory(project, stateDir(dir, env)), undefined, 'a marked cache is no inventory');
  const { report } = await run({ tenant: 'contoso' });
  assert.is(tenantReport(report, 'contoso').mode, 'delta', 'the records are kept: a delta read, not a full one');
  assert.is(report.hash, before.report.hash, 'the digest computed from the records, not the stored one');
  assert.not.match(readFileSync(head, 'utf8'), /compacting/);
  assert.is((await loadInventory(project, stateDir(dir, env)))?.hash, before.report.hash);
});

test('discovery.deltaTimestamp leaves out objects created before it, except what the project names', async () => {
  const other = writeProject(emu, { users: ['alice@contoso.com'], groups: ['Pilot'], deltaTimestamp: '2999-01-01T00:00:00Z' });
  try {
    const loaded = await loadProject(other);
    assert.ok(loaded.project, JSON.stringify(loaded.diagnostics));
    const { inventory, report } = await discover(loaded.project!, { env, stateDir: stateDir(other, env), tenant: 'contoso' });
    const c = tenantReport(report, 'contoso');
    const upns = inventory.tenants.contoso!.users.map((u) => u.userPrincipalName).sort();
    assert.equal(upns, ['alice@contoso.com', 'bob@contoso.com', 'dave@contoso.com'], 'the wave member and the members of the wave group');
    assert.equal(inventory.tenants.contoso!.groups.map((g) => g.displayName), ['Pilot']);
    assert.ok(c.skipped.users > 0);
    assert.is(c.scope?.users, 3);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('the CLI prints the report as text or JSON, progress on stderr', async () => {
  const text = await runCli(['discover', dir], { env: SECRET_ENV });
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, /^contoso \(source\): delta, \d+ requests/m);
  assert.match(text.stdout, /^  users +\d+ +\(\d+ members, \d+ guests/m);
  assert.match(text.stdout, /migration scope: 3 wave members/);
  assert.match(text.stderr, /^contoso: users, \d+ pages?, \d+ users?$/m);
  assert.not.match(text.stderr, /\r/, 'no rewriting line when stderr is not a terminal');
  const tty = await runCli(['discover', dir, '--tenant', 'contoso'], { env: SECRET_ENV, tty: true });
  assert.is(tty.code, 0, tty.stderr);
  assert.match(tty.stderr, /^\r\u001b\[Kcontoso: /, 'a terminal gets one rewriting line');
  assert.ok(tty.stderr.endsWith('\r\u001b[K'), 'and it is cleared before the report');
  const json = await runCli(['discover', dir, '--output', 'json', '--tenant', 'fabrikam'], { env: SECRET_ENV });
  assert.is(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as DiscoveryReport;
  assert.is(report.tenants.length, 1);
  assert.is(report.tenants[0]!.tenant, 'fabrikam');
  assert.is(report.tenants[0]!.counts.markers, 1);
});

test('the CLI: an unknown tenant suggests the closest name; a missing secret is one line with a hint', async () => {
  const r = await runCli(['discover', dir, '--tenant', 'fabrikan'], { env: SECRET_ENV });
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: unknown tenant 'fabrikan' \(did you mean 'fabrikam'\?\)\nhint: the project's tenants are: contoso, fabrikam\n$/);
  const noSecret = await runCli(['discover', dir], { env: { CONTOSO_SECRET: '', FABRIKAM_SECRET: '' } });
  assert.is(noSecret.code, 1);
  assert.match(noSecret.stderr, /CONTOSO_SECRET/);
  assert.match(noSecret.stderr, /^hint: /m);
  assert.not.match(noSecret.stderr, /at .*\.js:\d+/);
});

test("the content sizes of a wave's members are read again sooner when its cutover is near", async () => {
  const alice = await userId('alice@contoso.com');
  const items = (r: { inventory: Inventory }) => r.inventory.tenants.contoso!.content.get(alice)!.mailboxItems;
  await graph('POST', `/v1.0/users/${alice}/mailFolders/inbox/messages`, { subject: 'grown', body: { contentType: 'text', content: 'one more' } });
  // no cutover scheduled: the size read minutes ago stands (a day by default)
  const before = await run({ tenant: 'contoso', contentMaxAgeNearCutoverMs: 0 });
  // the wave synced, its cutover in two days: its members' sizes are read again (an hour by default; 0 here)
  const wave = project.waves[0]!;
  const soon = { ...project, waves: [{ ...wave, phase: 'synced' as const, schedule: { ...wave.schedule, cutoverAt: new Date(Date.now() + 2 * 86_400_000).toISOString() } }, ...project.waves.slice(1)] };
  const after = await run({ tenant: 'contoso', contentMaxAgeNearCutoverMs: 0 }, soon);
  assert.is(items(after), items(before) + 1);
});

test("a B2B guest's recipient (a GuestMailUser) is read as a hidden mail user linked to the guest; unhidden, a delta sees it", async () => {
  const inv = (await graph('POST', '/v1.0/invitations', { invitedUserEmailAddress: 'gwen@contoso.com', inviteRedirectUrl: 'https://myapplications.microsoft.com' }, 'fabrikam')) as { invitedUser: { id: string } };
  const id = inv.invitedUser.id;
  const guestRecipient = (i: Inventory) => i.tenants.fabrikam!.recipients.filter((r) => r.userId === id);
  const first = await run({ tenant: 'fabrikam' });
  const [r] = guestRecipient(first.inventory);
  assert.ok(r, 'the guest has a recipient in the inventory');
  assert.equal([guestRecipient(first.inventory).length, r!.type, r!.hiddenFromAddressListsEnabled, r!.externalEmailAddress, r!.emailAddresses], [1, 'MailUser', true, 'SMTP:gwen@contoso.com', ['SMTP:gwen@contoso.com']]);
  const set = await rawRequest(emu, 'fabrikam', 'POST', '/adminapi/beta/fabrikam.onmicrosoft.com/InvokeCommand', { CmdletInput: { CmdletName: 'Set-MailUser', Parameters: { Identity: id, HiddenFromAddressListsEnabled: false } } });
  assert.is(set.status, 200, set.text);
  const second = await run({ tenant: 'fabrikam' });
  assert.is(tenantReport(second.report, 'fabrikam').mode, 'delta');
  assert.equal(guestRecipient(second.inventory).map((x) => x.hiddenFromAddressListsEnabled), [false]);
  await graph('DELETE', `/v1.0/users/${id}`, undefined, 'fabrikam');
  const third = await run({ tenant: 'fabrikam' });
  assert.equal(guestRecipient(third.inventory), [], 'removed with the guest');
});

test('a cache read before the manifests asked for more user properties, or with another deltaTimestamp, is no inventory for a plan', async () => {
  await run();
  assert.ok(await loadInventory(project, stateDir(dir, env)), 'the cache fits the project it was read for');
  // a new mapping reads city, which discovery did not ask Graph for: the plan would have
  // seen null for every user
  const more: Project = { ...project, attributes: [...project.attributes, { target: 'city', from: 'city', transform: [] }] };
  const reasons: string[] = [];
  assert.is(await loadInventory(more, stateDir(dir, env), (r) => reasons.push(r)), undefined);
  assert.equal(reasons, ['tenant contoso: was discovered before the manifests read other user properties (an attribute mapping, template or matching rule)']);
  // the discovery the plan then runs reads it in full, for the reason discover gives
  const { report } = await run({}, more);
  assert.is(tenantReport(report, 'contoso').reason, 'the project reads other user properties');
  assert.ok(await loadInventory(more, stateDir(dir, env)));

  const later: Project = { ...more, tenants: more.tenants.map((t) => (t.name === 'contoso' ? { ...t, discovery: { ...t.discovery, deltaTimestamp: '2020-01-01T00:00:00Z' } } : t)) };
  reasons.length = 0;
  assert.is(await loadInventory(later, stateDir(dir, env), (r) => reasons.push(r)), undefined);
  assert.equal(reasons, ['tenant contoso: was discovered with another discovery.deltaTimestamp']);
  await run();
});

test('one discovery at a time writes the cache: another is refused, naming the holder and the lock file, and the cache stays as it was', async () => {
  const before = await run();
  const state = stateDir(dir, env);
  // two at once (two terminals, a plan during a reconcile): exactly one runs
  const both = await Promise.allSettled([discover(project, { env, stateDir: state }), discover(project, { env, stateDir: state })]);
  assert.equal(both.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  const refused = (both.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as UserError;
  assert.is(refused.code, 'discover.locked', refused.message);

  const held = await acquireLock(state, { command: 'reconcile', scope: 'discovery' });
  try {
    const cli = await runCli(['discover', dir], { env: SECRET_ENV });
    assert.is(cli.code, 1);
    const lockFile = join(state, 'discovery.lock.json');
    assert.is(
      cli.stderr,
      `error: the discovery cache in ${state} is being written by 't2t reconcile' (pid ${process.pid} on ${held.holder.host}, user ${held.holder.user}, started ${held.holder.startedAt})\n` +
        `hint: wait for it to finish, then run again (it leaves the cache up to date); if that process no longer runs (for example on another machine that crashed), delete ${lockFile}\n`,
    );
    assert.is((await loadInventory(project, state))?.hash, before.report.hash, 'the refused run left the cache alone');
  } finally {
    await held.release();
  }
  // released after a discovery that failed, too
  const noSecret = await runCli(['discover', dir], { env: { CONTOSO_SECRET: '', FABRIKAM_SECRET: '' } });
  assert.is(noSecret.code, 1);
  const after = await run();
  assert.is(tenantReport(after.report, 'contoso').mode, 'delta');
  assert.is(after.report.hash, before.report.hash);
});

test('the cache loads without network after the emulator is gone', async () => {
  const online = await loadInventory(project, stateDir(dir, env));
  await emu.stop();
  const offline = await loadInventory(project, stateDir(dir, env));
  assert.ok(offline);
  assert.is(offline!.hash, online!.hash);
  assert.is(offline!.tenants.contoso!.users.length, online!.tenants.contoso!.users.length);
  assert.ok(offline!.tenants.fabrikam!.users.some((u) => u.marker?.wave === 'wave-01'));
});

test.run();
