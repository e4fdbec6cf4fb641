// Replication lag (faults.replicationLagMs) on directory and Exchange objects, over HTTPS with the
// real Graph client and the emulator clock moved by POST /_emulator/clock: a just-created user,
// group or recipient is 404 to reads (GET, $filter, lists, delta, Get-*) until it replicates, an
// update shows the previous version meanwhile, and writes of the same chain (POST then PATCH,
// assignLicense, Set-Mailbox) reach the primary at once, as in Graph.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { exchangeInvoke, graphClient, rawRequest } from '../../helpers/graph.js';
import { allPages, createUser } from './setup.js';

let emu: RunningEmulator;
let c: Client;
const LAG = 60_000;
const EXCHANGESTANDARD = '4b9405b0-7788-4568-add1-99614e613b69';
const advance = async () => assert.is((await rawRequest(emu, null, 'POST', '/_emulator/clock', { advanceMs: LAG + 1 })).status, 200);
const status = async (path: string) => (await rawRequest(emu, 'contoso', 'GET', path)).status;

type Round = { value: { id: string; 'members@delta'?: { id: string; '@removed'?: unknown }[] }[]; '@odata.deltaLink'?: string; '@odata.nextLink'?: string };

/** Every page of a delta round, and its deltaLink. */
async function drain(first: Round): Promise<{ value: Round['value']; link: string }> {
  let r = first;
  const value = [...r.value];
  while (r['@odata.nextLink']) {
    r = (await c.api(r['@odata.nextLink']).get()) as Round;
    value.push(...r.value);
  }
  return { value, link: r['@odata.deltaLink']! };
}

test.before(async () => {
  emu = await startEmulator(testConfig({ faults: { replicationLagMs: LAG } }));
  c = await graphClient(emu, 'contoso');
});

test.after(async () => {
  await emu?.stop();
});

test('a new user is invisible to reads until it replicates, while writes to it work at once', async () => {
  const u = await createUser(c, 'lagging@contoso.com', { usageLocation: 'US' });
  assert.is(await status(`/v1.0/users/${u.id}`), 404);
  assert.is(await status(`/v1.0/users/lagging@contoso.com`), 404);
  const filtered = (await c.api('/users').filter("userPrincipalName eq 'lagging@contoso.com'").get()) as { value: unknown[] };
  assert.is(filtered.value.length, 0, '$filter does not find it');
  const listed = await allPages<{ id: string }>(c, await c.api('/users').select('id').top(999).get());
  assert.not.ok(listed.some((x) => x.id === u.id), 'lists leave it out');
  // Same chain: PATCH and assignLicense go to the primary.
  await c.api(`/users/${u.id}`).patch({ jobTitle: 'Engineer' });
  await c.api(`/users/${u.id}/assignLicense`).post({ addLicenses: [{ skuId: EXCHANGESTANDARD, disabledPlans: [] }], removeLicenses: [] });
  assert.is(await status(`/v1.0/users/${u.id}`), 404, 'writes do not make it visible early');
  await advance();
  const got = (await c.api(`/users/${u.id}`).select('id,jobTitle,assignedLicenses').get()) as { jobTitle: string; assignedLicenses: { skuId: string }[] };
  assert.is(got.jobTitle, 'Engineer');
  assert.equal(got.assignedLicenses.map((l) => l.skuId), [EXCHANGESTANDARD]);
  const found = (await c.api('/users').filter("userPrincipalName eq 'lagging@contoso.com'").get()) as { value: { id: string }[] };
  assert.equal(found.value.map((x) => x.id), [u.id]);
});

test('an update shows the previous version to reads until it replicates; several updates keep the first version', async () => {
  const u = await createUser(c, 'updating@contoso.com', { jobTitle: 'Before' });
  await advance();
  await c.api(`/users/${u.id}`).patch({ jobTitle: 'Middle' });
  await c.api(`/users/${u.id}`).patch({ jobTitle: 'After' });
  const early = (await c.api(`/users/${u.id}`).select('jobTitle').get()) as { jobTitle: string };
  assert.is(early.jobTitle, 'Before');
  const byFilter = (await c.api('/users').filter("jobTitle eq 'After'").get()) as { value: unknown[] };
  assert.is(byFilter.value.length, 0, 'the new value is not filterable yet');
  await advance();
  const late = (await c.api(`/users/${u.id}`).select('jobTitle').get()) as { jobTitle: string };
  assert.is(late.jobTitle, 'After');
});

test('a new group is 404 until it replicates; members added in the same chain show with it', async () => {
  const member = await createUser(c, 'member@contoso.com');
  await advance();
  const g = (await c.api('/groups').post({ displayName: 'Lagging', mailNickname: 'lagging', mailEnabled: false, securityEnabled: true })) as { id: string };
  await c.api(`/groups/${g.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${member.id}` });
  assert.is(await status(`/v1.0/groups/${g.id}`), 404);
  assert.is(await status(`/v1.0/groups/${g.id}/members`), 404);
  const listed = (await c.api('/groups').get()) as { value: { id: string }[] };
  assert.not.ok(listed.value.some((x) => x.id === g.id));
  await advance();
  const members = (await c.api(`/groups/${g.id}/members`).get()) as { value: { id: string }[] };
  assert.equal(members.value.map((m) => m.id), [member.id]);
});

test('a delta round taken during the lag neither reports nor skips the lagging create', async () => {
  let round = (await c.api('/users/delta').select('id').get()) as { '@odata.deltaLink'?: string; '@odata.nextLink'?: string };
  while (round['@odata.nextLink']) round = (await c.api(round['@odata.nextLink']).get()) as typeof round;
  const u = await createUser(c, 'delta.lag@contoso.com');
  const during = (await c.api(round['@odata.deltaLink']!).get()) as { value: { id: string }[]; '@odata.deltaLink': string };
  assert.not.ok(during.value.some((x) => x.id === u.id));
  await advance();
  const after = (await c.api(during['@odata.deltaLink']).get()) as { value: { id: string }[] };
  assert.ok(after.value.some((x) => x.id === u.id), 'reported once visible');
});

test('groups/delta: a member added or removed during the lag is reported by the first round after it replicates', async () => {
  const a = await createUser(c, 'member.a@contoso.com');
  const g = (await c.api('/groups').post({ displayName: 'Delta Members', mailNickname: 'deltamembers', mailEnabled: false, securityEnabled: true })) as { id: string };
  await advance();
  let link = (await drain((await c.api('/groups/delta').select('displayName,members').get()) as Round)).link;
  const membersOf = (round: { value: Round['value'] }) => round.value.find((x) => x.id === g.id)?.['members@delta'] ?? [];
  for (const change of ['add', 'remove'] as const) {
    if (change === 'add') await c.api(`/groups/${g.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${a.id}` });
    else await c.api(`/groups/${g.id}/members/${a.id}/$ref`).delete();
    // a round while the change replicates: it must neither report it nor move past it
    const during = await drain((await c.api(link).get()) as Round);
    assert.equal(membersOf(during), [], `${change}: not reported during the lag`);
    await advance();
    const after = await drain((await c.api(during.link).get()) as Round);
    const m = membersOf(after).filter((x) => x.id === a.id);
    assert.is(m.length, 1, `${change}: reported once it replicates`);
    assert.is(m[0]!['@removed'] !== undefined, change === 'remove');
    link = after.link;
  }
});

test('groups/delta: a member change is reported even when a later write to the group lags past the round that covers it', async () => {
  // A round ends below the group's lagging write, so it may cover the seq of an earlier member
  // change while leaving the group out: the earlier change must travel with the group's latest
  // write. Twice: both changes in one lag window, then the first already replicated.
  const a = await createUser(c, 'window.a@contoso.com');
  const b = await createUser(c, 'window.b@contoso.com');
  const c2 = await createUser(c, 'window.c@contoso.com');
  const d = await createUser(c, 'window.d@contoso.com');
  const g = (await c.api('/groups').post({ displayName: 'Window Members', mailNickname: 'windowmembers', mailEnabled: false, securityEnabled: true })) as { id: string };
  await advance();
  let link = (await drain((await c.api('/groups/delta').select('displayName,members').get()) as Round)).link;
  const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
  for (const [first, second, pause] of [[a.id, b.id, LAG / 2], [c2.id, d.id, LAG + 1]] as const) {
    await c.api(`/groups/${g.id}/members/$ref`).post(ref(first));
    assert.is((await rawRequest(emu, null, 'POST', '/_emulator/clock', { advanceMs: pause })).status, 200);
    await c.api(`/groups/${g.id}/members/$ref`).post(ref(second));
    const during = await drain((await c.api(link).get()) as Round);
    assert.not.ok(during.value.some((x) => x.id === g.id), 'the group is not reported while its last write replicates');
    await advance();
    const after = await drain((await c.api(during.link).get()) as Round);
    const added = (after.value.find((x) => x.id === g.id)?.['members@delta'] ?? []).filter((m) => !m['@removed']).map((m) => m.id);
    assert.ok(added.includes(first) && added.includes(second), `both members are reported (pause ${pause} ms)`);
    link = after.link;
  }
});

test('Exchange: a licence-provisioned mailbox is not found by Get-* until it replicates; Set-Mailbox updates lag too', async () => {
  const u = await createUser(c, 'mbx.lag@contoso.com', { usageLocation: 'US' });
  await advance();
  await c.api(`/users/${u.id}/assignLicense`).post({ addLicenses: [{ skuId: EXCHANGESTANDARD, disabledPlans: [] }], removeLicenses: [] });
  const early = await exchangeInvoke(emu, 'contoso', 'Get-Mailbox', { Identity: u.id });
  assert.is(early.status, 404, JSON.stringify(early.body));
  const listed = await exchangeInvoke(emu, 'contoso', 'Get-Mailbox', { ResultSize: 'Unlimited' });
  assert.not.ok((listed.body.value as { ExternalDirectoryObjectId: string }[]).some((m) => m.ExternalDirectoryObjectId === u.id));
  const set = await exchangeInvoke(emu, 'contoso', 'Set-Mailbox', { Identity: u.id, CustomAttribute1: 'first' });
  assert.is(set.status, 200, 'the write reaches the primary');
  await advance();
  const got = await exchangeInvoke(emu, 'contoso', 'Get-Mailbox', { Identity: u.id });
  assert.is(got.status, 200);
  assert.is(got.body.value[0].CustomAttribute1, 'first');
  await exchangeInvoke(emu, 'contoso', 'Set-Mailbox', { Identity: u.id, CustomAttribute1: 'second' });
  const stale = await exchangeInvoke(emu, 'contoso', 'Get-Mailbox', { Identity: u.id });
  assert.is(stale.body.value[0].CustomAttribute1, 'first');
  await advance();
  assert.is((await exchangeInvoke(emu, 'contoso', 'Get-Mailbox', { Identity: u.id })).body.value[0].CustomAttribute1, 'second');
});

test.run();
