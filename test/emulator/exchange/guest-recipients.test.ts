// B2B guests in Exchange: every guest user has a mail user of its own (RecipientTypeDetails
// GuestMailUser, RecipientType MailUser), hidden from the address lists, linked by
// ExternalDirectoryObjectId; Set-MailUser shows it; conversion to a member makes it an ordinary
// MailUser (the same object); deleting the guest removes it. Over HTTPS, through Graph and the
// Exchange admin API.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { exchangeInvoke, graphClient } from '../../helpers/graph.js';

let emu: RunningEmulator;
let c: Client;
type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ex = (cmdlet: string, params: Record<string, unknown> = {}) => exchangeInvoke(emu, 'fabrikam', cmdlet, params);
const rows = async (cmdlet: string, params: Record<string, unknown> = {}): Promise<Row[]> => {
  const r = await ex(cmdlet, params);
  assert.is(r.status, 200, JSON.stringify(r.body));
  return r.body.value as Row[];
};
const invite = async (email: string): Promise<string> =>
  ((await c.api('/invitations').post({ invitedUserEmailAddress: email, inviteRedirectUrl: 'https://myapps.microsoft.com', invitedUserDisplayName: email.split('@')[0] })) as { invitedUser: { id: string } }).invitedUser.id;

test.before(async () => {
  emu = await startEmulator(testConfig());
  c = await graphClient(emu, 'fabrikam');
});

test.after(async () => {
  await emu?.stop();
});

test('an invited guest has a GuestMailUser: hidden, linked by ExternalDirectoryObjectId, routing to its own address', async () => {
  const id = await invite('gina@contoso.com');
  const [mu] = await rows('Get-MailUser', { Identity: id });
  assert.equal(
    [mu!.RecipientType, mu!.RecipientTypeDetails, mu!.HiddenFromAddressListsEnabled, mu!.ExternalDirectoryObjectId, mu!.ExternalEmailAddress, mu!.EmailAddresses, mu!.PrimarySmtpAddress],
    ['MailUser', 'GuestMailUser', true, id, 'SMTP:gina@contoso.com', ['SMTP:gina@contoso.com'], 'gina@contoso.com'],
  );
  assert.is(mu!.UserPrincipalName, 'gina_contoso.com#EXT#@fabrikam.onmicrosoft.com');
  assert.match(mu!.LegacyExchangeDN, /^\/o=ExchangeLabs\//);
  // found by its address and its Guid too, and by Get-Recipient, whole or by type details
  assert.is((await rows('Get-MailUser', { Identity: 'gina@contoso.com' }))[0]!.Guid, mu!.Guid);
  assert.is((await rows('Get-Recipient', { Identity: mu!.Guid }))[0]!.RecipientTypeDetails, 'GuestMailUser');
  const guests = await rows('Get-Recipient', { RecipientTypeDetails: 'GuestMailUser', ResultSize: 'Unlimited' });
  assert.ok(guests.some((r) => r.Guid === mu!.Guid) && guests.every((r) => r.RecipientTypeDetails === 'GuestMailUser'));
  assert.not.ok((await rows('Get-MailUser', { RecipientTypeDetails: 'MailUser', ResultSize: 'Unlimited' })).some((r) => r.Guid === mu!.Guid));
  const filtered = await rows('Get-MailUser', { Filter: `(RecipientTypeDetails -eq 'GuestMailUser') -and (ExternalDirectoryObjectId -eq '${id}')` });
  assert.equal(filtered.map((r) => r.Guid), [mu!.Guid]);
  // a second invitation finds the same guest: still one recipient
  await invite('gina@contoso.com');
  assert.is((await rows('Get-Recipient', { Filter: `ExternalDirectoryObjectId -eq '${id}'` })).length, 1);
});

test('Set-MailUser shows the guest in the address lists; Disable-MailUser is refused', async () => {
  const id = await invite('hank@contoso.com');
  assert.is((await ex('Set-MailUser', { Identity: id, HiddenFromAddressListsEnabled: false })).status, 200);
  assert.is((await rows('Get-MailUser', { Identity: 'hank@contoso.com' }))[0]!.HiddenFromAddressListsEnabled, false);
  const disable = await ex('Disable-MailUser', { Identity: id });
  assert.is(disable.status, 400);
  assert.match(String(disable.body.error.details[0].message), /guest/);
  assert.is((await rows('Get-MailUser', { Identity: id })).length, 1);
});

test('converting the guest to a member makes its recipient an ordinary MailUser, the same object', async () => {
  const id = await invite('ivy@contoso.com');
  const [before] = await rows('Get-MailUser', { Identity: id });
  await ex('Set-MailUser', { Identity: id, HiddenFromAddressListsEnabled: false });
  await c.api(`/users/${id}/convertExternalToInternalMemberUser`).version('beta').post({ userPrincipalName: 'ivy@fabrikam.com', passwordProfile: { password: 'P@ss-9876' }, mail: 'ivy@fabrikam.com' });
  const [after] = await rows('Get-MailUser', { Identity: id });
  assert.equal([after!.RecipientTypeDetails, after!.Guid, after!.LegacyExchangeDN, after!.HiddenFromAddressListsEnabled], ['MailUser', before!.Guid, before!.LegacyExchangeDN, false]);
  assert.equal([after!.UserPrincipalName, after!.PrimarySmtpAddress], ['ivy@fabrikam.com', 'ivy@fabrikam.com']);
  assert.ok(after!.WhenChangedUTC >= before!.WhenChangedUTC);
  assert.is((await rows('Get-Recipient', { RecipientTypeDetails: 'GuestMailUser', ResultSize: 'Unlimited' })).filter((r) => r.Guid === after!.Guid).length, 0);
});

test('POST /users with userType Guest, PATCH userType and mail: the recipient follows; a member gets none', async () => {
  const body = (upn: string, extra: Record<string, unknown>) => ({ accountEnabled: true, displayName: upn, mailNickname: upn.split('@')[0], userPrincipalName: upn, passwordProfile: { password: 'P@ss-1234' }, ...extra });
  const guest = (await c.api('/users').post(body('jo_contoso.com#EXT#@fabrikam.onmicrosoft.com', { userType: 'Guest', mail: 'jo@contoso.com' }))) as { id: string };
  assert.is((await rows('Get-MailUser', { Identity: guest.id }))[0]!.RecipientTypeDetails, 'GuestMailUser');
  await c.api(`/users/${guest.id}`).patch({ userType: 'Member' });
  assert.is((await rows('Get-MailUser', { Identity: guest.id }))[0]!.RecipientTypeDetails, 'MailUser');

  // a guest without an address has no recipient until it gets one
  const bare = (await c.api('/users').post(body('kim_contoso.com#EXT#@fabrikam.onmicrosoft.com', { userType: 'Guest' }))) as { id: string };
  assert.is((await ex('Get-MailUser', { Identity: bare.id })).status, 404);
  await c.api(`/users/${bare.id}`).patch({ mail: 'kim@contoso.com' });
  const [kim] = await rows('Get-MailUser', { Identity: bare.id });
  assert.equal([kim!.RecipientTypeDetails, kim!.ExternalEmailAddress, kim!.HiddenFromAddressListsEnabled], ['GuestMailUser', 'SMTP:kim@contoso.com', true]);

  // a member (no licence, not mail-enabled) has no recipient, as before
  const member = (await c.api('/users').post(body('lee@fabrikam.com', { mail: 'lee@fabrikam.com' }))) as { id: string };
  assert.is((await ex('Get-Recipient', { Identity: member.id })).status, 404);
});

test('deleting the guest removes its mail user', async () => {
  const id = await invite('max@contoso.com');
  assert.is((await rows('Get-MailUser', { Identity: id })).length, 1);
  await c.api(`/users/${id}`).delete();
  assert.is((await ex('Get-MailUser', { Identity: id })).status, 404);
  assert.equal(await rows('Get-Recipient', { Filter: `ExternalDirectoryObjectId -eq '${id}'` }), []);
  // the address is free again: a new invitation makes a new guest with a new recipient
  const again = await invite('max@contoso.com');
  assert.is.not(again, id);
  assert.is((await rows('Get-MailUser', { Identity: again }))[0]!.RecipientTypeDetails, 'GuestMailUser');
});

test.run();
