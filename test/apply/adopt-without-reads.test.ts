// The create steps post at once (the plan says discovery found nothing), so what exists after all
// (replication lag, a crash between a create and its tagging) must be adopted from the service's
// "already exists" answer: never duplicated, never failed. Each step runs against the emulator
// through the real tenant client, with the state that discovery did not see made beforehand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTenantClient, type TenantClient } from '../../engine/tenant/client.js';
import { Mutex, type UserRun } from '../../engine/apply/step-types.js';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { emulatorTenant, secretsEnv } from '../tenant/fixtures.js';
import { cmdlet, contactsTo, graphGet, marker } from './tenant-view.js';
import { runStep } from './step-harness.js';

let emu: RunningEmulator;
let client: TenantClient;

test.before(async () => {
  emu = await startEmulator(testConfig());
  client = createTenantClient({ dir: '/' }, emulatorTenant(emu, 'fabrikam'), { env: secretsEnv() });
});
test.after(async () => {
  await client?.close();
  await emu?.stop();
});

function run(op: string, params: Record<string, unknown>, user?: UserRun) {
  return runStep(op, params, { client, ...(user ? { user } : {}) });
}

test('targetUser.create adopts a user that exists although the plan said create, and stamps the marker once', async () => {
  const existing = await client.graph.post<{ id: string }>('/users', { accountEnabled: true, displayName: 'Alice', mailNickname: 'alice', userPrincipalName: 'alice@fabrikam.com', passwordProfile: { password: 'Xx1!xxxxxxxxxxxx' } });
  const marker0 = { sourceTenant: 'contoso', sourceUserId: 'src-1', wave: 'w1', createdByT2t: true };
  const r = await run('targetUser.create', { userPrincipalName: 'alice@fabrikam.com', mailNickname: 'alice', displayName: 'Alice', attributes: {}, marker: marker0 });
  assert.match(r.note, /adopted existing user/);
  assert.is(r.user.targetUserId, existing.id);
  const m = await marker(emu, 'fabrikam', existing.id);
  assert.is(m?.['sourceUserId'], 'src-1');
  assert.is(m?.['createdByT2t'], undefined, 'an adopted user is not marked as created by t2t');
  // the run remembers the marker: the phase write that follows needs no read
  assert.is(r.user.marker?.['sourceUserId'], 'src-1');
  const done = await run('marker.create', { sourceTenant: 'contoso', sourceUserId: 'src-1', wave: 'w1', phase: 'prepared' }, r.user);
  assert.match(done.note, /phase prepared/);
  assert.is((await marker(emu, 'fabrikam', existing.id))?.['phase'], 'prepared');
});

test('mailUser.enable on a user mail-enabled meanwhile adopts it and corrects its external address; hide then needs no read', async () => {
  const u = await graphGet(emu, 'fabrikam', '/v1.0/users/alice@fabrikam.com');
  await cmdlet(emu, 'fabrikam', 'Enable-MailUser', { Identity: u!['id'], ExternalEmailAddress: 'SMTP:wrong@contoso.com' });
  const user: UserRun = { user: 'alice@contoso.com', wave: 'w1', targetUserId: u!['id'], identity: null, markerLock: new Mutex() };
  const r = await run('mailUser.enable', { externalEmailAddress: 'SMTP:alice@contoso.com' }, user);
  assert.match(r.note, /external address corrected/);
  const rec = (await cmdlet(emu, 'fabrikam', 'Get-MailUser', { Identity: u!['id'] }))[0]!;
  assert.match(String(rec['ExternalEmailAddress']), /alice@contoso\.com/i);
  assert.equal(user.recipient, { type: 'MailUser', hidden: false });
  const h = await run('targetVisibility.hide', { hiddenFromAddressListsEnabled: true }, user);
  assert.is(h.note, 'hidden from the address lists');
  assert.is((await cmdlet(emu, 'fabrikam', 'Get-MailUser', { Identity: u!['id'] }))[0]!['HiddenFromAddressListsEnabled'], true);
  assert.equal(user.recipient, { type: 'MailUser', hidden: true });
  assert.is((await run('targetVisibility.hide', { hiddenFromAddressListsEnabled: true }, user)).note, 'already hidden');
});

test('targetContact.create adopts the untagged contact a crash left behind (its name taken too) and tags it: one contact', async () => {
  await cmdlet(emu, 'fabrikam', 'New-MailContact', { Name: 'Bob', ExternalEmailAddress: 'SMTP:bob@contoso.com' });
  const r = await run('targetContact.create', { name: 'Bob', externalEmailAddress: 'SMTP:bob@contoso.com', customAttribute15: 't2t:src-2', hiddenFromAddressListsEnabled: false });
  assert.match(r.note, /adopted untagged contact/);
  const all = await contactsTo(emu, 'fabrikam', 'bob@contoso.com');
  assert.is(all.length, 1);
  assert.is(all[0]!['CustomAttribute15'], 't2t:src-2');
});

// New-MailContact -Name takes at most 64 characters (DisplayName 256):
// https://learn.microsoft.com/powershell/module/exchange/new-mailcontact
test('targetContact.create fits the contact Name in 64 characters (a long display name, and the name-with-address fallback) and keeps the full text as DisplayName', async () => {
  const long = 'Alexandra Konstantinopoulou-Vasilopoulou of the Northwind Traders Board';
  const r = await run('targetContact.create', { name: long, externalEmailAddress: 'SMTP:alexandra@contoso.com', customAttribute15: 't2t:src-8', hiddenFromAddressListsEnabled: false });
  assert.is(r.note, 'created contact');
  const [c] = await contactsTo(emu, 'fabrikam', 'alexandra@contoso.com');
  assert.ok(String(c!['Name']).length <= 64);
  assert.ok(long.startsWith(String(c!['Name'])));
  assert.is(c!['DisplayName'], long);

  const taken = 'Konstantinos Papadopoulos';
  await cmdlet(emu, 'fabrikam', 'New-MailContact', { Name: taken, ExternalEmailAddress: 'SMTP:kostas@elsewhere.com' });
  const address = 'konstantinos.papadopoulos@northwindtraders-hellas.com';
  const r2 = await run('targetContact.create', { name: taken, externalEmailAddress: `SMTP:${address}`, customAttribute15: 't2t:src-9', hiddenFromAddressListsEnabled: false });
  assert.is(r2.note, 'created contact');
  const [k] = await contactsTo(emu, 'fabrikam', address);
  assert.ok(String(k!['Name']).length <= 64);
  assert.ok(String(k!['Name']).endsWith(`(${address})`));
  assert.is(k!['DisplayName'], `${taken} (${address})`);
  assert.is(k!['CustomAttribute15'], 't2t:src-9');
});

test('targetContact.create with a display name another recipient uses creates a contact named with its address', async () => {
  await cmdlet(emu, 'fabrikam', 'New-MailContact', { Name: 'Carol', ExternalEmailAddress: 'SMTP:carol@elsewhere.com' });
  const r = await run('targetContact.create', { name: 'Carol', externalEmailAddress: 'SMTP:carol@contoso.com', customAttribute15: 't2t:src-3', hiddenFromAddressListsEnabled: false });
  assert.is(r.note, 'created contact');
  const mine = await contactsTo(emu, 'fabrikam', 'carol@contoso.com');
  assert.is(mine.length, 1);
  assert.is(mine[0]!['Name'], 'Carol (carol@contoso.com)');
  assert.is(mine[0]!['CustomAttribute15'], 't2t:src-3');
});

test.run();
