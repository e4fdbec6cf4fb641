// Get-MailboxStatistics: item counts and sizes that discovery reads for the migration scope.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { exchangeInvoke, graphClient } from '../../helpers/graph.js';
import { formatByteQuantity } from '../../../emulator/exchange/cmdlets/get-mailbox-statistics.js';

let emu: RunningEmulator;
let c: Client;
const SPE_E3 = '05e9a617-0261-4cee-bb44-138d3ef5d965';

test.before(async () => {
  emu = await startEmulator(testConfig());
  c = await graphClient(emu, 'contoso');
});

test.after(async () => {
  await emu?.stop();
});

test('counts the mailbox items and sums their sizes in the ByteQuantifiedSize format', async () => {
  const u = (await c.api('/users').post({
    accountEnabled: true, displayName: 'Stats', mailNickname: 'stats', userPrincipalName: 'stats@contoso.com', usageLocation: 'US',
    passwordProfile: { password: 'P@ss-1234' },
  })) as { id: string };
  await c.api(`/users/${u.id}/assignLicense`).post({ addLicenses: [{ skuId: SPE_E3, disabledPlans: [] }], removeLicenses: [] });
  const empty = await exchangeInvoke(emu, 'contoso', 'Get-MailboxStatistics', { Identity: 'stats@contoso.com' });
  assert.is(empty.status, 200, JSON.stringify(empty.body));
  assert.is(empty.body.value[0].ItemCount, 0);
  assert.is(empty.body.value[0].TotalItemSize, '0 B (0 bytes)');
  const sizes: number[] = [];
  for (const subject of ['one', 'two']) {
    const m = (await c.api(`/users/${u.id}/mailFolders/inbox/messages`).post({ subject, body: { contentType: 'text', content: subject.repeat(500) } })) as { id: string };
    sizes.push(((await c.api(`/users/${u.id}/messages/${m.id}`).select('size').get()) as { size?: number }).size ?? NaN);
  }
  const stats = (await exchangeInvoke(emu, 'contoso', 'Get-MailboxStatistics', { Identity: u.id })).body.value[0];
  assert.is(stats.ItemCount, 2);
  const total = Number(/\(([\d,]+) bytes\)/.exec(stats.TotalItemSize)![1]!.replace(/,/g, ''));
  assert.ok(total > 3000, `size ${stats.TotalItemSize} counts the bodies`);
  if (sizes.every(Number.isFinite)) assert.is(total, sizes[0]! + sizes[1]!);
});

test('-Archive reports the archive mailbox (SPE_E3 includes one); an unknown identity is not found', async () => {
  const archive = await exchangeInvoke(emu, 'contoso', 'Get-MailboxStatistics', { Identity: 'stats@contoso.com', Archive: true });
  assert.is(archive.status, 200, JSON.stringify(archive.body));
  assert.is(archive.body.value[0].IsArchiveMailbox, true);
  assert.is(archive.body.value[0].ItemCount, 0);
  const unknown = await exchangeInvoke(emu, 'contoso', 'Get-MailboxStatistics', { Identity: 'nobody@contoso.com' });
  assert.is(unknown.status, 404);
});

test('formatByteQuantity matches Exchange text', () => {
  assert.is(formatByteQuantity(0), '0 B (0 bytes)');
  assert.is(formatByteQuantity(12800), '12.5 KB (12,800 bytes)');
  assert.is(formatByteQuantity(1293942), '1.234 MB (1,293,942 bytes)');
});

test.run();
