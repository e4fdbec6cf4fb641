// The Exchange admin API over HTTPS with an Exchange token: each cmdlet and its errors, -Identity
// forms, -Filter, -ResultSize, paging, EmailAddresses add/remove and X500/LegacyExchangeDN clashes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { exchangeInvoke, graphClient, rawRequest } from '../../helpers/graph.js';

let emu: RunningEmulator;
let c: Client;
const SPE_E3 = '05e9a617-0261-4cee-bb44-138d3ef5d965';
const hash = (add: string[], remove: string[] = []) => ({ '@odata.type': '#Exchange.GenericHashTable', Add: add, Remove: remove });
const ex = (cmdlet: string, params: Record<string, unknown> = {}) => exchangeInvoke(emu, 'fabrikam', cmdlet, params);
const one = async (cmdlet: string, params: Record<string, unknown>) => {
  const r = await ex(cmdlet, params);
  assert.is(r.status, 200, JSON.stringify(r.body));
  return r.body.value[0] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const detail = (r: { body: any }) => String(r.body.error.details[0].message); // eslint-disable-line @typescript-eslint/no-explicit-any

async function user(upn: string, extra: Record<string, unknown> = {}): Promise<{ id: string }> {
  const nick = upn.split('@')[0]!;
  return (await c.api('/users').post({ accountEnabled: true, displayName: nick, mailNickname: nick, userPrincipalName: upn, usageLocation: 'US', passwordProfile: { password: 'P@ss-1234' }, ...extra })) as { id: string };
}

test.before(async () => {
  emu = await startEmulator(testConfig());
  c = await graphClient(emu, 'fabrikam');
});

test.after(async () => {
  await emu?.stop();
});

test('unknown cmdlets, unknown parameters and missing mandatory ones answer the admin API error shape', async () => {
  const unknown = await ex('Get-Nothing');
  assert.is(unknown.status, 400);
  assert.is(unknown.body.error.message, 'Error executing cmdlet');
  assert.match(detail(unknown), /^CommandNotFoundException\|.*'Get-Nothing' is not recognized/);
  const badParam = await ex('Get-Mailbox', { Colour: 'red' });
  assert.is(badParam.status, 400);
  assert.match(detail(badParam), /A parameter cannot be found that matches parameter name 'Colour'/);
  const missing = await ex('Set-Mailbox', { HiddenFromAddressListsEnabled: true });
  assert.match(detail(missing), /missing mandatory parameters: Identity/);
  const notFound = await ex('Get-MailUser', { Identity: 'nobody@fabrikam.com' });
  assert.is(notFound.status, 404);
  assert.match(detail(notFound), /^Ex6F9304\|Microsoft\.Exchange\.Configuration\.Tasks\.ManagementObjectNotFoundException\|/);
});

test('a recipient carries an ExchangeObjectId apart from its Guid (what discovery keys it by); -Identity and -Filter take it', async () => {
  await user('eoid1@fabrikam.com');
  const created = await one('Enable-MailUser', { Identity: 'eoid1@fabrikam.com', ExternalEmailAddress: 'eoid1@contoso.com' });
  assert.match(created.ExchangeObjectId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.is.not(created.ExchangeObjectId, created.Guid);
  assert.is.not(created.ExchangeObjectId, created.ExternalDirectoryObjectId);
  for (const cmdlet of ['Get-MailUser', 'Get-Recipient']) {
    assert.is((await one(cmdlet, { Identity: created.ExchangeObjectId })).Guid, created.Guid, cmdlet);
  }
  await one('Set-MailUser', { Identity: created.ExchangeObjectId, HiddenFromAddressListsEnabled: true });
  const filtered = await one('Get-Recipient', { Filter: `ExchangeObjectId -eq '${created.ExchangeObjectId}'` });
  assert.equal([filtered.Guid, filtered.HiddenFromAddressListsEnabled], [created.Guid, true]);
  const wrongType = await ex('Set-Mailbox', { Identity: created.ExchangeObjectId, HiddenFromAddressListsEnabled: true });
  assert.is(wrongType.status, 404, 'a mail user is not a mailbox');
});

test('Enable-MailUser, Get-MailUser by every identity form, Set-MailUser, Disable-MailUser', async () => {
  const u = await user('meu1@fabrikam.com');
  const created = await one('Enable-MailUser', { Identity: 'meu1@fabrikam.com', ExternalEmailAddress: 'meu1@contoso.com' });
  assert.equal([created.RecipientTypeDetails, created.ExternalEmailAddress, created.PrimarySmtpAddress], ['MailUser', 'SMTP:meu1@contoso.com', 'meu1@fabrikam.com']);
  assert.match(created.LegacyExchangeDN, /^\/o=ExchangeLabs\//);
  const again = await ex('Enable-MailUser', { Identity: u.id, ExternalEmailAddress: 'meu1@contoso.com' });
  assert.is(again.status, 400, 'already mail-enabled');
  for (const identity of [u.id, created.Guid, 'meu1', 'meu1@fabrikam.com', 'MEU1@FABRIKAM.COM', created.Name]) {
    assert.is((await one('Get-MailUser', { Identity: identity })).Guid, created.Guid, `identity ${identity}`);
  }
  const dn = '/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=abc-meu1source';
  const exchangeGuid = '11111111-2222-4333-8444-555555555555';
  const r = await ex('Set-MailUser', { Identity: u.id, EmailAddresses: hash([`X500:${dn}`]), ExchangeGuid: exchangeGuid, HiddenFromAddressListsEnabled: true, CustomAttribute15: 't2t:src-1', ExternalEmailAddress: 'other@contoso.com' });
  assert.is(r.status, 200);
  assert.equal(r.body.value, [], 'Set- cmdlets write nothing');
  const got = await one('Get-MailUser', { Identity: u.id });
  assert.ok(got.EmailAddresses.includes(`X500:${dn}`));
  assert.equal([got.ExchangeGuid, got.HiddenFromAddressListsEnabled, got.CustomAttribute15, got.ExternalEmailAddress], [exchangeGuid, true, 't2t:src-1', 'SMTP:other@contoso.com']);
  const graph = (await c.api(`/users/${u.id}`).select('proxyAddresses').get()) as { proxyAddresses: string[] };
  assert.ok(graph.proxyAddresses.includes(`X500:${dn}`), 'EmailAddresses are the Graph proxyAddresses');
  await ex('Set-MailUser', { Identity: u.id, EmailAddresses: hash([], [`X500:${dn}`]) });
  assert.not.ok((await one('Get-MailUser', { Identity: u.id })).EmailAddresses.includes(`X500:${dn}`));
  const badGuid = await ex('Set-MailUser', { Identity: u.id, ExchangeGuid: 'nope' });
  assert.is(badGuid.status, 400);
  assert.is((await ex('Disable-MailUser', { Identity: u.id, Confirm: false })).status, 200);
  assert.is((await ex('Get-MailUser', { Identity: u.id })).status, 404);
});

test('Set-Mailbox: visibility, forwarding, EmailAddresses add/remove and full replacement; LegacyExchangeDN is not a parameter', async () => {
  const u = await user('mbx1@fabrikam.com', { mail: 'mbx1@fabrikam.com' });
  await c.api(`/users/${u.id}/assignLicense`).post({ addLicenses: [{ skuId: SPE_E3, disabledPlans: [] }], removeLicenses: [] });
  await ex('Set-Mailbox', { Identity: 'mbx1@fabrikam.com', HiddenFromAddressListsEnabled: true, ForwardingSmtpAddress: 'mbx1@contoso.com', DeliverToMailboxAndForward: true });
  let m = await one('Get-Mailbox', { Identity: u.id });
  assert.equal([m.HiddenFromAddressListsEnabled, m.ForwardingSmtpAddress, m.DeliverToMailboxAndForward], [true, 'smtp:mbx1@contoso.com', true]);
  await ex('Set-Mailbox', { Identity: u.id, ForwardingSmtpAddress: null, DeliverToMailboxAndForward: false });
  m = await one('Get-Mailbox', { Identity: u.id });
  assert.is(m.ForwardingSmtpAddress, null);
  await ex('Set-Mailbox', { Identity: u.id, EmailAddresses: hash(['smtp:alias1@fabrikam.com']) });
  m = await one('Get-Mailbox', { Identity: 'alias1@fabrikam.com' });
  assert.ok(m.EmailAddresses.includes('smtp:alias1@fabrikam.com'));
  await ex('Set-Mailbox', { Identity: u.id, EmailAddresses: ['SMTP:mbx1.new@fabrikam.com', 'smtp:mbx1@fabrikam.com'] });
  m = await one('Get-Mailbox', { Identity: u.id });
  assert.equal(m.EmailAddresses, ['SMTP:mbx1.new@fabrikam.com', 'smtp:mbx1@fabrikam.com']);
  assert.is(m.PrimarySmtpAddress, 'mbx1.new@fabrikam.com');
  assert.is(((await c.api(`/users/${u.id}`).select('mail').get()) as { mail: string }).mail, 'mbx1.new@fabrikam.com');
  const ro = await ex('Set-Mailbox', { Identity: u.id, LegacyExchangeDN: '' });
  assert.is(ro.status, 400);
  assert.match(detail(ro), /LegacyExchangeDN/);
  const twoPrimaries = await ex('Set-Mailbox', { Identity: u.id, EmailAddresses: ['SMTP:a@fabrikam.com', 'SMTP:b@fabrikam.com'] });
  assert.is(twoPrimaries.status, 400);
  await user('taken@fabrikam.com', { mail: 'taken@fabrikam.com' });
  const clash = await ex('Set-Mailbox', { Identity: u.id, EmailAddresses: hash(['smtp:taken@fabrikam.com']) });
  assert.is(clash.status, 400);
  assert.match(detail(clash), /The proxy address "smtp:taken@fabrikam.com" is already being used/);
});

// https://learn.microsoft.com/powershell/module/exchange/new-mailcontact and .../set-mailcontact:
// Name and Alias at most 64 characters, DisplayName at most 256.
test('mail contacts: a Name or Alias over 64 characters (DisplayName over 256) is refused, as PowerShell validates lengths', async () => {
  const long = 'N'.repeat(65);
  const refused = await ex('New-MailContact', { Name: long, ExternalEmailAddress: 'long@contoso.com' });
  assert.is(refused.status, 400);
  assert.match(detail(refused), /^ParameterArgumentValidationError\|.*Cannot validate argument on parameter 'Name'\. The length of the argument is too long\. Shorten the length of the argument to less than or equal to "64"/);
  assert.is((await ex('New-MailContact', { Name: 'Len', Alias: 'a'.repeat(65), ExternalEmailAddress: 'long@contoso.com' })).status, 400);
  assert.is((await ex('New-MailContact', { Name: 'Len', DisplayName: 'd'.repeat(257), ExternalEmailAddress: 'long@contoso.com' })).status, 400);
  const ok = await one('New-MailContact', { Name: 'N'.repeat(64), DisplayName: 'd'.repeat(256), ExternalEmailAddress: 'long@contoso.com' });
  const renamed = await ex('Set-MailContact', { Identity: ok.Guid, Name: long });
  assert.is(renamed.status, 400);
  assert.match(detail(renamed), /parameter 'Name'/);
  assert.is((await ex('Remove-MailContact', { Identity: ok.Guid })).status, 200);
});

test('mail contacts: New (with LegacyExchangeDN), Get by filter, Set, clearing LegacyExchangeDN frees it for an X500, Remove', async () => {
  const contact = await one('New-MailContact', { Name: 'Carol (contoso)', ExternalEmailAddress: 'carol@contoso.com', DisplayName: 'Carol', Alias: 'carol.contoso' });
  assert.equal([contact.RecipientTypeDetails, contact.PrimarySmtpAddress, contact.ExternalEmailAddress], ['MailContact', 'carol@contoso.com', 'SMTP:carol@contoso.com']);
  assert.match(contact.LegacyExchangeDN, /^\/o=ExchangeLabs\/.*-carol\.contoso$/);
  const dupName = await ex('New-MailContact', { Name: 'Carol (contoso)', ExternalEmailAddress: 'carol2@contoso.com' });
  assert.is(dupName.status, 400);
  await ex('Set-MailContact', { Identity: 'carol@contoso.com', CustomAttribute15: 't2t:carol-src', HiddenFromAddressListsEnabled: true });
  await one('New-MailContact', { Name: 'Dave', ExternalEmailAddress: 'dave@contoso.com' });
  const tagged = await ex('Get-MailContact', { Filter: "CustomAttribute15 -like 't2t:*'", ResultSize: 'Unlimited' });
  assert.equal(tagged.body.value.map((x: { Name: string }) => x.Name), ['Carol (contoso)']);
  assert.is(tagged.body.value[0].HiddenFromAddressListsEnabled, true);

  // The cutover stamps the contact's DN as X500 on the target user: refused while the contact holds it.
  const u = await user('carol@fabrikam.com');
  await ex('Enable-MailUser', { Identity: u.id, ExternalEmailAddress: 'carol@contoso.com' });
  const blocked = await ex('Set-MailUser', { Identity: u.id, EmailAddresses: hash([`X500:${contact.LegacyExchangeDN}`]) });
  assert.is(blocked.status, 400);
  assert.match(detail(blocked), /already being used by the proxy addresses or LegacyExchangeDN of "Carol \(contoso\)"/);
  await ex('Set-MailContact', { Identity: contact.Guid, LegacyExchangeDN: null });
  assert.is((await one('Get-MailContact', { Identity: contact.Guid })).LegacyExchangeDN, '');
  assert.is((await ex('Set-MailUser', { Identity: u.id, EmailAddresses: hash([`X500:${contact.LegacyExchangeDN}`]) })).status, 200);

  assert.is((await ex('Remove-MailContact', { Identity: 'Dave', Confirm: false })).status, 200);
  assert.is((await ex('Get-MailContact', { Identity: 'Dave' })).status, 404);
});

test('Get-Recipient lists every kind; -RecipientTypeDetails, -ResultSize with its warning, and paging by nextLink', async () => {
  const all = (await ex('Get-Recipient', { ResultSize: 'Unlimited' })).body.value as { RecipientTypeDetails: string }[];
  const kinds = new Set(all.map((r) => r.RecipientTypeDetails));
  assert.ok(kinds.has('UserMailbox') && kinds.has('MailUser') && kinds.has('MailContact'), [...kinds].join());
  const contacts = (await ex('Get-Recipient', { RecipientTypeDetails: 'MailContact' })).body.value as { RecipientTypeDetails: string }[];
  assert.ok(contacts.length >= 1 && contacts.every((r) => r.RecipientTypeDetails === 'MailContact'));
  const limited = await ex('Get-Recipient', { ResultSize: 1 });
  assert.is(limited.body.value.length, 1);
  assert.match(limited.body['@adminapi.warnings'][0], /more results available/);
  const body = { CmdletInput: { CmdletName: 'Get-Recipient', Parameters: { ResultSize: 'Unlimited' } } };
  const seen: string[] = [];
  let url: string | undefined = '/adminapi/beta/fabrikam.onmicrosoft.com/InvokeCommand';
  while (url) {
    const page = await rawRequest(emu, 'fabrikam', 'POST', url.replace(emu.url, ''), body, { Prefer: 'odata.maxpagesize=2' });
    assert.is(page.status, 200);
    assert.ok(page.body.value.length <= 2);
    seen.push(...page.body.value.map((r: { Guid: string }) => r.Guid));
    url = page.body['@odata.nextLink'];
  }
  assert.is(seen.length, all.length);
  assert.is(new Set(seen).size, seen.length);
});

test.run();
