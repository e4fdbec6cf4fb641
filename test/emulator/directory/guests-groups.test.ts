// Guests (invitations, re-invitation, sent-invitation log, conversion to member) and groups
// (CRUD, $filter, members $ref and its errors, bulk members@odata.bind, memberOf).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { graphClient, rawRequest } from '../../helpers/graph.js';
import { createUser } from './setup.js';

let emu: RunningEmulator;
let c: Client;

test.before(async () => {
  emu = await startEmulator(testConfig());
  c = await graphClient(emu, 'fabrikam');
});

test.after(async () => {
  await emu?.stop();
});

interface Invitation {
  status: string;
  inviteRedeemUrl: string;
  invitedUser: { id: string };
  invitedUserEmailAddress: string;
}

test('POST /invitations creates a pending guest with the #EXT# UPN; no message unless asked; a second invitation finds the same user', async () => {
  const inv = (await c.api('/invitations').post({ invitedUserEmailAddress: 'alice@contoso.com', inviteRedirectUrl: 'https://myapps.microsoft.com', sendInvitationMessage: false })) as Invitation;
  assert.is(inv.status, 'PendingAcceptance');
  assert.ok(inv.inviteRedeemUrl.startsWith('https://login.microsoftonline.com/redeem'));
  const guest = (await c.api(`/users/${inv.invitedUser.id}`).select('userPrincipalName,userType,externalUserState,mail,creationType').get()) as Record<string, string>;
  assert.equal(guest, { ...guest, userPrincipalName: 'alice_contoso.com#EXT#@fabrikam.onmicrosoft.com', userType: 'Guest', externalUserState: 'PendingAcceptance', mail: 'alice@contoso.com', creationType: 'Invitation' });
  const byUpn = await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users/${encodeURIComponent('alice_contoso.com#EXT#@fabrikam.onmicrosoft.com')}`);
  assert.is(byUpn.body.id, inv.invitedUser.id);
  let sent = (await rawRequest(emu, null, 'GET', '/_emulator/tenants/fabrikam.onmicrosoft.com/sent-invitations')).body.value as unknown[];
  assert.is(sent.length, 0);
  const again = (await c.api('/invitations').post({ invitedUserEmailAddress: 'Alice@contoso.com', inviteRedirectUrl: 'https://myapps.microsoft.com', sendInvitationMessage: true, invitedUserMessageInfo: { messageLanguage: 'en-US', customizedMessageBody: 'Welcome' } })) as Invitation;
  assert.is(again.invitedUser.id, inv.invitedUser.id);
  sent = (await rawRequest(emu, null, 'GET', '/_emulator/tenants/fabrikam/sent-invitations')).body.value as { invitedUserId: string; customizedMessageBody: string }[];
  assert.is(sent.length, 1);
  assert.equal(sent[0], { ...(sent[0] as object), invitedUserId: inv.invitedUser.id, customizedMessageBody: 'Welcome' });
  const bad = await rawRequest(emu, 'fabrikam', 'POST', '/v1.0/invitations', { invitedUserEmailAddress: 'not-an-address', inviteRedirectUrl: 'https://x' });
  assert.is(bad.status, 400);
});

test('convertExternalToInternalMemberUser (beta) makes the guest a member with the new UPN and mail', async () => {
  const inv = (await c.api('/invitations').post({ invitedUserEmailAddress: 'bob@contoso.com', inviteRedirectUrl: 'https://myapps.microsoft.com' })) as Invitation;
  const notOnV1 = await rawRequest(emu, 'fabrikam', 'POST', `/v1.0/users/${inv.invitedUser.id}/convertExternalToInternalMemberUser`, { userPrincipalName: 'bob@fabrikam.com' });
  assert.ok(notOnV1.status >= 400, 'beta only');
  const res = (await c.api(`/users/${inv.invitedUser.id}/convertExternalToInternalMemberUser`).version('beta').post({ userPrincipalName: 'bob@fabrikam.com', passwordProfile: { password: 'P@ss-9876', forceChangePasswordNextSignIn: true }, mail: 'bob@fabrikam.com' })) as Record<string, unknown>;
  assert.is(res.userPrincipalName, 'bob@fabrikam.com');
  assert.is(res.mail, 'bob@fabrikam.com');
  assert.ok(res.convertedToInternalUserDateTime);
  const u = (await c.api(`/users/${inv.invitedUser.id}`).select('userType,userPrincipalName,externalUserState,proxyAddresses').get()) as { userType: string; userPrincipalName: string; externalUserState: string | null; proxyAddresses: string[] };
  assert.equal([u.userType, u.userPrincipalName, u.externalUserState], ['Member', 'bob@fabrikam.com', null]);
  assert.equal(u.proxyAddresses, ['SMTP:bob@fabrikam.com']);
  const member = await createUser(c, 'member1@fabrikam.com');
  const refused = await rawRequest(emu, 'fabrikam', 'POST', `/beta/users/${member.id}/convertExternalToInternalMemberUser`, { userPrincipalName: 'member2@fabrikam.com' });
  assert.is(refused.status, 400, 'only external users convert');
});

test('groups: create, get, $filter on displayName and mail, PATCH, DELETE', async () => {
  const g = (await c.api('/groups').post({ displayName: 'Sales', mailEnabled: true, mailNickname: 'sales', securityEnabled: false, groupTypes: ['Unified'] })) as { id: string; mail: string };
  assert.is(g.mail, 'sales@fabrikam.com');
  await c.api('/groups').post({ displayName: 'Pilot Users', mailEnabled: false, mailNickname: 'pilot', securityEnabled: true });
  const byName = (await c.api('/groups').filter("displayName eq 'pilot users'").get()) as { value: { displayName: string; mail: string | null }[] };
  assert.equal(byName.value.map((x) => [x.displayName, x.mail]), [['Pilot Users', null]]);
  const byMail = (await c.api('/groups').filter("mail eq 'sales@fabrikam.com'").select('id').get()) as { value: { id: string }[] };
  assert.equal(byMail.value, [{ id: g.id }]);
  await c.api(`/groups/${g.id}`).patch({ description: 'All sales' });
  assert.is(((await c.api(`/groups/${g.id}`).get()) as { description: string }).description, 'All sales');
  const mesg = await rawRequest(emu, 'fabrikam', 'POST', '/v1.0/groups', { displayName: 'DL', mailEnabled: true, mailNickname: 'dl', securityEnabled: false });
  assert.is(mesg.status, 400, 'mail-enabled non-Unified groups are Exchange-only');
  await c.api(`/groups/${g.id}`).delete();
  assert.is((await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/groups/${g.id}`)).status, 404);
});

test('members: $ref add, already-a-member error, bulk bind (all or nothing, <= 20), remove $ref, memberOf', async () => {
  const g = (await c.api('/groups').post({ displayName: 'Wave 1', mailEnabled: false, mailNickname: 'wave1', securityEnabled: true })) as { id: string };
  const users: { id: string }[] = [];
  for (let i = 0; i < 4; i++) users.push(await createUser(c, `m${i}@fabrikam.com`));
  const ref = (id: string) => `${emu.url}/v1.0/directoryObjects/${id}`;
  await c.api(`/groups/${g.id}/members/$ref`).post({ '@odata.id': ref(users[0]!.id) });
  const dup = await rawRequest(emu, 'fabrikam', 'POST', `/v1.0/groups/${g.id}/members/$ref`, { '@odata.id': ref(users[0]!.id) });
  assert.is(dup.status, 400);
  assert.is(dup.body.error.message, "One or more added object references already exist for the following modified properties: 'members'.");
  // All or nothing: one existing member in the batch -> nobody is added.
  const mixed = await rawRequest(emu, 'fabrikam', 'PATCH', `/v1.0/groups/${g.id}`, { 'members@odata.bind': [ref(users[1]!.id), ref(users[0]!.id)] });
  assert.is(mixed.status, 400);
  const tooMany = await rawRequest(emu, 'fabrikam', 'PATCH', `/v1.0/groups/${g.id}`, { 'members@odata.bind': Array.from({ length: 21 }, () => ref(users[1]!.id)) });
  assert.is(tooMany.status, 400);
  await c.api(`/groups/${g.id}`).patch({ 'members@odata.bind': [ref(users[1]!.id), ref(users[2]!.id)] });
  const members = (await c.api(`/groups/${g.id}/members`).select('id').get()) as { value: { id: string; '@odata.type': string }[] };
  assert.equal(members.value.map((m) => m.id).sort(), [users[0]!.id, users[1]!.id, users[2]!.id].sort());
  assert.is(members.value[0]!['@odata.type'], '#microsoft.graph.user');
  await c.api(`/groups/${g.id}/members/${users[1]!.id}/$ref`).delete();
  const notMember = await rawRequest(emu, 'fabrikam', 'DELETE', `/v1.0/groups/${g.id}/members/${users[3]!.id}/$ref`);
  assert.is(notMember.status, 404);
  const unknown = await rawRequest(emu, 'fabrikam', 'POST', `/v1.0/groups/${g.id}/members/$ref`, { '@odata.id': ref('00000000-0000-4000-8000-000000000000') });
  assert.is(unknown.status, 404);
  const memberOf = (await c.api(`/users/${users[0]!.id}/memberOf`).get()) as { value: { id: string }[] };
  assert.equal(memberOf.value.map((x) => x.id), [g.id]);
  const after = (await c.api(`/users/${users[1]!.id}/memberOf`).get()) as { value: unknown[] };
  assert.is(after.value.length, 0);
});

test.run();
