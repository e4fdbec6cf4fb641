// discovery.deltaTimestamp: an object created before the timestamp is left out unless the project
// names it: a group nested (at any depth) in a group the project names, whose members are wave
// members too; a user who joins a wave after the full read that left it out. Every object of the
// emulated tenant is created before the timestamp used here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { rawRequest } from '../helpers/graph.js';
import { loadProject } from '../../engine/manifest/load-project.js';
import { discover } from '../../engine/discovery/discover.js';
import { buildPlan } from '../../engine/plan/build-plan.js';
import type { Project } from '../../engine/manifest/model.js';
import { SECRET_ENV, writeProject } from './emulated-project.js';

const env = { ...process.env, ...SECRET_ENV };
const LATER = '2999-01-01T00:00:00Z';
const EXCHANGE_SKU = '4b9405b0-7788-4568-add1-99614e613b69'; // EXCHANGESTANDARD
const ids: Record<string, string> = {};
let emu: RunningEmulator;
let base: Project;
const cleanup: string[] = [];

async function graph(method: string, path: string, body?: unknown): Promise<{ id: string }> {
  const r = await rawRequest(emu, 'contoso', method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.body as { id: string };
}

async function user(local: string, licensed = false): Promise<string> {
  const u = await graph('POST', '/v1.0/users', {
    accountEnabled: true,
    displayName: local,
    mailNickname: local,
    userPrincipalName: `${local}@contoso.com`,
    usageLocation: 'US',
    passwordProfile: { password: 'P@ssw0rd-123456', forceChangePasswordNextSignIn: false },
  });
  if (licensed) await graph('POST', `/v1.0/users/${u.id}/assignLicense`, { addLicenses: [{ skuId: EXCHANGE_SKU, disabledPlans: [] }], removeLicenses: [] });
  return u.id;
}

async function addMember(groupId: string, memberId: string): Promise<void> {
  await graph('POST', `/v1.0/groups/${groupId}/members/$ref`, { '@odata.id': `${emu.url}/v1.0/directoryObjects/${memberId}` });
}

async function group(name: string, members: string[]): Promise<string> {
  const g = await graph('POST', '/v1.0/groups', { displayName: name, mailEnabled: false, mailNickname: name.toLowerCase(), securityEnabled: true });
  for (const m of members) await addMember(g.id, m);
  return g.id;
}

/** The project with contoso's deltaTimestamp (when given) and one wave of `groups` and `users`. */
function variant(groups: string[], deltaTimestamp?: string, users: string[] = []): Project {
  return {
    ...base,
    tenants: base.tenants.map((t) => (t.name === 'contoso' && deltaTimestamp ? { ...t, discovery: { ...t.discovery, deltaTimestamp } } : t)),
    waves: base.waves.map((w) => ({ ...w, members: { ...w.members, users, csvUsers: [], groups } })),
  };
}

function freshState(): string {
  const state = mkdtempSync(join(tmpdir(), 't2t-timestamp-'));
  cleanup.push(state);
  return state;
}

async function discovered(project: Project, state = freshState()) {
  const { inventory, report } = await discover(project, { env, stateDir: state, tenant: 'contoso' });
  const contoso = inventory.tenants['contoso']!;
  return {
    users: contoso.users.map((u) => u.userPrincipalName).sort(),
    groups: contoso.groups.map((g) => g.displayName).sort(),
    mailboxes: contoso.recipients.filter((r) => r.type === 'UserMailbox').map((r) => r.userId).sort(),
    report: report.tenants[0]!,
  };
}

test.before(async () => {
  emu = await startEmulator(testConfig());
  const [erin, fred, gina, hank] = [await user('erin'), await user('fred'), await user('gina'), await user('hank')];
  ids['ivan'] = await user('ivan', true);
  ids['judy'] = await user('judy', true);
  // Erin is in Outer through Inner, Fred through Deep (nested in Inner); Gina's group is not named
  const deep = await group('Deep', [fred]);
  const inner = await group('Inner', [erin, deep]);
  await group('Outer', [hank, inner]);
  ids['elsewhere'] = await group('Elsewhere', [gina]);
  ids['late'] = await group('Late', []);
  const dir = writeProject(emu, { users: [] });
  cleanup.push(dir);
  const loaded = await loadProject(dir);
  if (!loaded.project) throw new Error(JSON.stringify(loaded.diagnostics));
  base = loaded.project;
});

test.after(async () => {
  await emu?.stop();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

test('deltaTimestamp keeps the groups nested in a wave group, and their members, at any depth', async () => {
  const plain = await discovered(variant(['Outer']));
  assert.is(plain.report.scope?.users, 3, 'without deltaTimestamp: Hank, Erin through Inner, Fred through Deep');
  const later = await discovered(variant(['Outer'], LATER));
  assert.equal(later.groups, ['Deep', 'Inner', 'Outer'], 'the wave group and the groups nested in it; not Elsewhere, nor the others');
  assert.equal(later.users, ['erin@contoso.com', 'fred@contoso.com', 'hank@contoso.com']);
  assert.is(later.report.scope?.users, 3, 'the same migration scope as without deltaTimestamp');
  assert.ok(later.report.skipped.groups > 0, 'the other groups are still left out');
  assert.equal(later.report.changes.groups, { added: 3, updated: 0, removed: 0 }, 'admitted groups count as added once');
});

test('the plan takes the members of the groups nested in a wave group, as discovery scoped them', async () => {
  const project = variant(['Outer']);
  const prepared = { ...project, waves: project.waves.map((w) => ({ ...w, phase: 'prepared' as const })) };
  const { inventory } = await discover(prepared, { env, stateDir: freshState() });
  const plan = buildPlan({ project: prepared, inventory, revision: { commit: null, dirty: false }, now: new Date() });
  assert.equal([...new Set(plan.changes.map((c) => c.user))].sort(), ['erin@contoso.com', 'fred@contoso.com', 'hank@contoso.com']);
  assert.is(plan.waves[0]!.users, 3);
});

test('deltaTimestamp: a user who joins a wave group after the full read is read by the next (delta) run, with its mailbox', async () => {
  const state = freshState();
  const project = variant(['Late'], LATER);
  const first = await discovered(project, state);
  assert.equal(first.users, [], 'the wave group is empty: nobody yet');
  await addMember(ids['late']!, ids['ivan']!);
  const second = await discovered(project, state);
  assert.is(second.report.mode, 'delta');
  assert.equal(second.users, ['ivan@contoso.com'], 'Ivan, unchanged himself, is read by id');
  assert.equal(second.mailboxes, [ids['ivan']!], 'and his mailbox, which the WhenChangedUTC filter would not return');
  assert.is(second.report.scope?.users, 1);
  const third = await discovered(project, state);
  assert.equal(third.users, ['ivan@contoso.com'], 'kept by later delta runs');
});

test('deltaTimestamp: a user the manifests list only from now on is read by the next (delta) run; an unknown address is no error', async () => {
  const state = freshState();
  await discovered(variant([], LATER, ['hank@contoso.com']), state);
  const second = await discovered(variant([], LATER, ['hank@contoso.com', 'JUDY@contoso.com', 'nobody@contoso.com']), state);
  assert.is(second.report.mode, 'delta');
  assert.equal(second.users, ['hank@contoso.com', 'judy@contoso.com']);
  assert.equal(second.mailboxes, [ids['judy']!]);
  assert.equal(second.report.warnings.filter((w) => w.startsWith('users:')), [], 'an address no user has is not found (the plan reports it), not a failure');
});

test.run();
