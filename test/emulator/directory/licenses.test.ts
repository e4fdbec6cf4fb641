// Licences: subscribedSkus, assignLicense and its errors (usage location, no free units), consumed
// units, mailbox provisioning (from nothing and from a mail user) and removal after retention on
// the emulator clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { exchangeInvoke, graphClient, rawRequest } from '../../helpers/graph.js';
import { createUser } from './setup.js';

let emu: RunningEmulator;
let c: Client;
const SPE_E3 = '05e9a617-0261-4cee-bb44-138d3ef5d965';
const EXCHANGESTANDARD = '4b9405b0-7788-4568-add1-99614e613b69';

interface Sku {
  skuId: string;
  skuPartNumber: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number };
  servicePlans: { servicePlanName: string }[];
}

test.before(async () => {
  const config = testConfig() as { tenants: { licenses: unknown[] }[] };
  config.tenants[1]!.licenses = [{ sku: 'EXCHANGESTANDARD', units: 2 }, { sku: 'SPE_E3', units: 5 }];
  emu = await startEmulator(config);
  c = await graphClient(emu, 'fabrikam');
});

test.after(async () => {
  await emu?.stop();
});

const skus = async () => ((await c.api('/subscribedSkus').get()) as { value: Sku[] }).value;
const assign = (id: string, add: string[], remove: string[] = []) => rawRequest(emu, 'fabrikam', 'POST', `/v1.0/users/${id}/assignLicense`, { addLicenses: add.map((skuId) => ({ skuId, disabledPlans: [] })), removeLicenses: remove });

test('subscribedSkus lists real SKU ids, part numbers, prepaid and consumed units and service plans', async () => {
  const list = await skus();
  const std = list.find((s) => s.skuPartNumber === 'EXCHANGESTANDARD')!;
  assert.is(std.skuId, EXCHANGESTANDARD);
  assert.is(std.prepaidUnits.enabled, 2);
  assert.is(std.consumedUnits, 0);
  assert.ok(std.servicePlans.some((p) => p.servicePlanName === 'EXCHANGE_S_STANDARD'));
  assert.is(list.find((s) => s.skuPartNumber === 'SPE_E3')!.skuId, SPE_E3);
});

test('assignLicense needs a usage location, counts units and refuses when none are free', async () => {
  const a = await createUser(c, 'lic.a@fabrikam.com');
  const noLocation = await assign(a.id, [EXCHANGESTANDARD]);
  assert.is(noLocation.status, 400);
  assert.is(noLocation.body.error.message, 'License assignment cannot be done for user with invalid usage location.');
  await c.api(`/users/${a.id}`).patch({ usageLocation: 'US' });
  const ok = await assign(a.id, [EXCHANGESTANDARD]);
  assert.is(ok.status, 200);
  const again = await assign(a.id, [EXCHANGESTANDARD]);
  assert.is(again.status, 200, 're-assigning a held licence uses no unit');
  const b = await createUser(c, 'lic.b@fabrikam.com', { usageLocation: 'US' });
  assert.is((await assign(b.id, [EXCHANGESTANDARD])).status, 200);
  assert.is((await skus()).find((s) => s.skuId === EXCHANGESTANDARD)!.consumedUnits, 2);
  const third = await createUser(c, 'lic.c@fabrikam.com', { usageLocation: 'US' });
  const full = await assign(third.id, [EXCHANGESTANDARD]);
  assert.is(full.status, 400);
  assert.is(full.body.error.code, 'Request_BadRequest');
  assert.is(full.body.error.message, `Subscription with SKU ${EXCHANGESTANDARD} does not have any available licenses.`);
  const user = (await c.api(`/users/${a.id}`).select('assignedLicenses').get()) as { assignedLicenses: { skuId: string }[] };
  assert.equal(user.assignedLicenses.map((l) => l.skuId), [EXCHANGESTANDARD]);
  // Deleting a user gives its unit back.
  await c.api(`/users/${b.id}`).delete();
  assert.is((await skus()).find((s) => s.skuId === EXCHANGESTANDARD)!.consumedUnits, 1);
});

test('an Exchange licence provisions a mailbox (LegacyExchangeDN, addresses, ExchangeGuid); a mail user keeps its routing data', async () => {
  const u = await createUser(c, 'mbx@fabrikam.com', { usageLocation: 'US', mail: 'mbx@fabrikam.com' });
  const before = await exchangeInvoke(emu, 'fabrikam', 'Get-Mailbox', { Identity: u.id });
  assert.is(before.status, 404, 'no mailbox before the licence');
  assert.is((await assign(u.id, [SPE_E3])).status, 200);
  const mbx = (await exchangeInvoke(emu, 'fabrikam', 'Get-Mailbox', { Identity: 'mbx@fabrikam.com' })).body.value[0];
  assert.is(mbx.RecipientTypeDetails, 'UserMailbox');
  assert.match(mbx.LegacyExchangeDN, /^\/o=ExchangeLabs\/ou=Exchange Administrative Group \(FYDIBOHF23SPDLT\)\/cn=Recipients\/cn=[0-9a-f]+-mbx$/);
  assert.ok(mbx.EmailAddresses.includes('SMTP:mbx@fabrikam.com'));
  assert.ok(mbx.EmailAddresses.includes('smtp:mbx@fabrikam.onmicrosoft.com'));
  assert.is.not(mbx.ExchangeGuid, '00000000-0000-0000-0000-000000000000');
  assert.is(mbx.ExternalDirectoryObjectId, u.id);
  const graph = (await c.api(`/users/${u.id}`).select('proxyAddresses').get()) as { proxyAddresses: string[] };
  assert.equal(graph.proxyAddresses, mbx.EmailAddresses, 'one source of truth for addresses');

  const meu = await createUser(c, 'meu@fabrikam.com', { usageLocation: 'US' });
  await exchangeInvoke(emu, 'fabrikam', 'Enable-MailUser', { Identity: meu.id, ExternalEmailAddress: 'meu@contoso.com' });
  const sourceGuid = 'a1b2c3d4-0000-4000-8000-00000000abcd';
  await exchangeInvoke(emu, 'fabrikam', 'Set-MailUser', { Identity: meu.id, ExchangeGuid: sourceGuid });
  const dn = (await exchangeInvoke(emu, 'fabrikam', 'Get-MailUser', { Identity: meu.id })).body.value[0].LegacyExchangeDN;
  assert.is((await assign(meu.id, [SPE_E3])).status, 200);
  const converted = (await exchangeInvoke(emu, 'fabrikam', 'Get-Mailbox', { Identity: meu.id })).body.value[0];
  assert.equal([converted.RecipientTypeDetails, converted.ExchangeGuid, converted.LegacyExchangeDN], ['UserMailbox', sourceGuid, dn]);
  assert.is((await exchangeInvoke(emu, 'fabrikam', 'Get-MailUser', { Identity: meu.id })).status, 404);
});

test('removing the licence keeps the mailbox through the retention period, then removes it', async () => {
  const u = await createUser(c, 'leaver@fabrikam.com', { usageLocation: 'US' });
  await assign(u.id, [SPE_E3]);
  assert.is((await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users/${u.id}/mailFolders`)).status, 200, 'licensed: the mail store exists');
  assert.is((await assign(u.id, [], [SPE_E3])).status, 200);
  const pending = (await exchangeInvoke(emu, 'fabrikam', 'Get-Mailbox', { Identity: u.id })).body.value[0];
  assert.ok(pending.PendingRemovalAt, 'still there, marked for removal');
  await rawRequest(emu, null, 'POST', '/_emulator/clock', { advanceMs: 29 * 86_400_000 });
  assert.is((await exchangeInvoke(emu, 'fabrikam', 'Get-Mailbox', { Identity: u.id })).status, 200, 'day 29: still there');
  await rawRequest(emu, null, 'POST', '/_emulator/clock', { advanceMs: 2 * 86_400_000 });
  assert.is((await exchangeInvoke(emu, 'fabrikam', 'Get-Mailbox', { Identity: u.id })).status, 404, 'day 31: gone');
  const mailbox = await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users/${u.id}/mailFolders`);
  assert.ok(mailbox.status >= 400, `the mail store is gone too (got ${mailbox.status})`);
});

test.run();
