// OPATH -gt -ge -lt -le (dates compare as dates), the stored-property shortcut of filtered Get-*
// (each stored property filters to the same answer as the view shows), WhenChanged moving with
// directory writes to the recipient's user, and /contacts/delta reporting removed mail contacts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { exchangeInvoke, graphClient, rawRequest } from '../../helpers/graph.js';
import { evalOpath, parseOpath, parseFilterDate } from '../../../emulator/exchange/opath-filter.js';

let emu: RunningEmulator;
let c: Client;
const EXCHANGE_SKU = '4b9405b0-7788-4568-add1-99614e613b69'; // EXCHANGESTANDARD
const ex = (cmdlet: string, params: Record<string, unknown> = {}) => exchangeInvoke(emu, 'fabrikam', cmdlet, params);
type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
async function rows(cmdlet: string, params: Record<string, unknown>): Promise<Row[]> {
  const r = await ex(cmdlet, params);
  assert.is(r.status, 200, JSON.stringify(r.body));
  return r.body.value as Row[];
}
async function advance(ms: number): Promise<void> {
  const r = await rawRequest(emu, null, 'POST', '/_emulator/clock', { advanceMs: ms });
  assert.is(r.status, 200, r.text);
}
const changedSince = (iso: string) => ({ ResultSize: 'Unlimited', Filter: `WhenChangedUTC -ge '${iso}'` });

test.before(async () => {
  emu = await startEmulator(testConfig());
  c = await graphClient(emu, 'fabrikam');
});

test.after(async () => {
  await emu?.stop();
});

test('-gt -ge -lt -le: dates as dates in ISO 8601 and en-US forms, numbers as numbers, text as text', () => {
  const o = { WhenChangedUTC: '2026-06-01T12:00:00.000Z', Count: 9, Name: 'beta' };
  const t = (f: string) => evalOpath(parseOpath(f), o);
  assert.ok(t("WhenChangedUTC -gt '2026-06-01T11:59:59Z'"));
  assert.not.ok(t("WhenChangedUTC -gt '2026-06-01T12:00:00Z'"));
  assert.ok(t("WhenChangedUTC -ge '2026-06-01T12:00:00Z'"));
  assert.ok(t("WhenChangedUTC -lt '2026-06-01T14:00:00+01:00'"), 'an offset is honoured (13:00Z)');
  assert.not.ok(t("WhenChangedUTC -lt '2026-06-01T13:00:00+01:00'"));
  assert.ok(t("WhenChangedUTC -le '6/1/2026 12:00:00 PM'"), 'en-US with AM/PM');
  assert.ok(t("WhenChangedUTC -gt '06/01/2026'"), 'en-US date only');
  assert.ok(t("WhenChangedUTC -gt '2026-06-01'"), 'ISO date only');
  assert.ok(t('Count -gt 10') === false && t('Count -le 9'), '9 < 10 as numbers, not as text');
  assert.ok(t("Name -lt 'Gamma'"), 'text compares case-insensitively');
  assert.ok(t("(WhenChangedUTC -ge '2026-01-01T00:00:00Z') -and (Name -eq 'beta')"));
  assert.not.ok(evalOpath(parseOpath("WhenChangedUTC -gt '2020-01-01'"), { WhenChangedUTC: null }), '$null is neither before nor after');
  assert.is(parseFilterDate('2026-06-01T12:00Z'), Date.UTC(2026, 5, 1, 12));
  assert.is(parseFilterDate('2026-06-01T12:00:05'), Date.UTC(2026, 5, 1, 12, 0, 5), 'no zone: the time as it stands (discovery sends UTC so)');
  assert.is(parseFilterDate('12/31/2026 11:30 PM'), Date.UTC(2026, 11, 31, 23, 30));
  for (const bad of ['yesterday', '13/40/2026', '2026-13-01T00:00:00Z']) assert.is(parseFilterDate(bad), undefined, bad);
  assert.throws(() => parseOpath("WhenChangedUTC -gt 'yesterday'"), (e: Error) => /could not be converted to type System\.DateTime/.test(e.message));
  assert.throws(() => parseOpath('WhenChangedUTC -gt $true'), (e: Error) => /Invalid filter syntax/.test(e.message));
});

// https://learn.microsoft.com/powershell/exchange/filter-properties (EmailAddresses,
// ExternalEmailAddress, ForwardingSmtpAddress): "When you use a complete email address, you don't
// need to account for the smtp: prefix. If you use wildcards, you do."
test('address properties: -eq with a complete address matches with or without smtp:, -like sees the prefix', async () => {
  const o = { ExternalEmailAddress: 'SMTP:lila@fabrikam.com', EmailAddresses: ['SMTP:lila@contoso.com', 'smtp:l@contoso.com', 'X500:/o=x/cn=lila'], ForwardingSmtpAddress: 'smtp:fwd@fabrikam.com' };
  const t = (f: string) => evalOpath(parseOpath(f), o);
  assert.ok(t("ExternalEmailAddress -eq 'lila@fabrikam.com'"));
  assert.ok(t("ExternalEmailAddress -eq 'SMTP:lila@fabrikam.com'"));
  assert.not.ok(t("ExternalEmailAddress -ne 'lila@fabrikam.com'"));
  assert.not.ok(t("ExternalEmailAddress -like 'lila*'"));
  assert.ok(t("ExternalEmailAddress -like 'smtp:lila*'"));
  assert.ok(t("EmailAddresses -eq 'l@contoso.com'"));
  assert.ok(t("EmailAddresses -eq 'X500:/o=x/cn=lila'"));
  assert.not.ok(t("EmailAddresses -eq '/o=x/cn=lila'"));
  assert.ok(t("ForwardingSmtpAddress -eq 'fwd@fabrikam.com'"));
  assert.not.ok(t("Name -eq 'lila@fabrikam.com'"));
  // and through the admin API
  const made = await rows('New-MailContact', { Name: 'Lila Filter', ExternalEmailAddress: 'lila.filter@fabrikam.example' });
  const found = await rows('Get-MailContact', { Filter: "ExternalEmailAddress -eq 'lila.filter@fabrikam.example'", ResultSize: 'Unlimited' });
  assert.equal(found.map((x) => x.Guid), [made[0]!.Guid]);
});

test('a filtered Get-* over stored properties answers what the views show', async () => {
  const contact = (await rows('New-MailContact', { Name: 'Stored Props', ExternalEmailAddress: 'props@contoso.com' }))[0]!;
  await rows('Set-MailContact', { Identity: contact.Guid, CustomAttribute7: 'seven' });
  const view = (await rows('Get-MailContact', { Identity: contact.Guid }))[0]!;
  assert.is(view.ExternalDirectoryObjectId, view.Guid, "a contact's orgContact id is its Guid");
  for (const prop of ['Name', 'Alias', 'Guid', 'Identity', 'ExternalDirectoryObjectId', 'RecipientTypeDetails', 'RecipientType', 'CustomAttribute7', 'WhenChangedUTC', 'WhenCreated']) {
    const found = await rows('Get-MailContact', { ResultSize: 'Unlimited', Filter: `${prop} -eq '${String(view[prop])}'` });
    assert.ok(found.some((r) => r.Guid === view.Guid), `${prop} -eq '${String(view[prop])}'`);
  }
  const empty = await rows('Get-MailContact', { ResultSize: 'Unlimited', Filter: `(Guid -eq '${view.Guid}') -and (CustomAttribute8 -ne $null)` });
  assert.is(empty.length, 0, 'an unset custom attribute is $null, as in the view');
});

test('WhenChangedUTC moves with Set-*, with Graph writes to the user and with licences; -ge reads only those', async () => {
  const u = (await c.api('/users').post({ accountEnabled: true, displayName: 'Wanda', mailNickname: 'wanda', userPrincipalName: 'wanda@fabrikam.com', usageLocation: 'US', passwordProfile: { password: 'P@ss-1234' } })) as { id: string };
  await c.api(`/users/${u.id}/assignLicense`).post({ addLicenses: [{ skuId: EXCHANGE_SKU, disabledPlans: [] }], removeLicenses: [] });
  const other = (await rows('New-MailContact', { Name: 'Unchanged Contact', ExternalEmailAddress: 'unchanged@contoso.com' }))[0]!;
  const mark = async () => {
    await advance(60_000);
    const now = (await rawRequest(emu, null, 'GET', '/_emulator/clock')).body as { now: string };
    await advance(1_000);
    return now.now;
  };
  const changedMailboxes = async (since: string) => (await rows('Get-Mailbox', changedSince(since))).map((r) => r.ExternalDirectoryObjectId as string);

  let since = await mark();
  assert.equal(await changedMailboxes(since), [], 'nothing changed since the mark');
  assert.not.ok((await rows('Get-MailContact', changedSince(since))).some((r) => r.Guid === other.Guid));

  await c.api(`/users/${u.id}`).patch({ displayName: 'Wanda Maximoff' });
  const byName = await rows('Get-Mailbox', changedSince(since));
  assert.equal(byName.map((r) => [r.ExternalDirectoryObjectId, r.DisplayName]), [[u.id, 'Wanda Maximoff']], 'a displayName change through Graph');
  assert.ok(Date.parse(byName[0]!.WhenChangedUTC) >= Date.parse(since));

  since = await mark();
  await c.api(`/users/${u.id}`).patch({ mail: 'scarlet@fabrikam.com' }); // proxyAddresses is read-only in Graph; mail sets the primary
  const byMail = await rows('Get-Mailbox', changedSince(since));
  assert.equal(byMail.map((r) => [r.ExternalDirectoryObjectId, r.PrimarySmtpAddress]), [[u.id, 'scarlet@fabrikam.com']], 'proxyAddresses through Graph');

  since = await mark();
  await rows('Set-Mailbox', { Identity: u.id, HiddenFromAddressListsEnabled: true });
  assert.equal(await changedMailboxes(since), [u.id], 'Set-Mailbox');

  since = await mark();
  await c.api(`/users/${u.id}/assignLicense`).post({ addLicenses: [], removeLicenses: [EXCHANGE_SKU] });
  assert.equal(await changedMailboxes(since), [u.id], 'a licence removal schedules the removal: the mailbox changed');
  assert.is((await rows('Get-Mailbox', changedSince('2000-01-01T00:00:00Z'))).length > 0, true);
  assert.equal(await rows('Get-Mailbox', { ResultSize: 'Unlimited', Filter: `WhenChangedUTC -lt '2000-01-01T00:00:00Z'` }), []);
});

test('/contacts/delta: the first round lists mail contacts, the next reports removals and new ones', async () => {
  const first = await rawRequest(emu, 'fabrikam', 'GET', '/v1.0/contacts/delta?$select=id,displayName');
  assert.is(first.status, 200, first.text);
  let body = first.body as { value: Row[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
  const listed: Row[] = [...body.value];
  while (body['@odata.nextLink']) {
    body = (await rawRequest(emu, 'fabrikam', 'GET', body['@odata.nextLink'].slice(emu.url.length))).body as typeof body;
    listed.push(...body.value);
  }
  const contacts = await rows('Get-MailContact', { ResultSize: 'Unlimited' });
  assert.equal(listed.map((x) => x.id).sort(), contacts.map((x) => x.ExternalDirectoryObjectId).sort(), 'every mail contact, by its ExternalDirectoryObjectId');
  assert.ok(listed.every((x) => typeof x.displayName === 'string' && !('mail' in x)), '$select applies');
  const link = body['@odata.deltaLink']!;
  assert.ok(link);

  const gone = contacts[0]!;
  await rows('Remove-MailContact', { Identity: gone.Guid });
  const added = (await rows('New-MailContact', { Name: 'Delta Newcomer', ExternalEmailAddress: 'newcomer@contoso.com' }))[0]!;
  const next = (await rawRequest(emu, 'fabrikam', 'GET', link.slice(emu.url.length))).body as { value: Row[] };
  assert.equal(next.value.map((x) => [x.id, x['@removed'] ? 'removed' : 'changed']).sort(), [[gone.ExternalDirectoryObjectId, 'removed'], [added.ExternalDirectoryObjectId, 'changed']].sort());
});

test.run();
