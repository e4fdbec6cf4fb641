// Pre-authenticated URLs (mailbox import URL, OneDrive upload session URL) carry no bearer token,
// yet count against their tenant, app and mailbox/drive budgets, read from their signed tokens:
// imports share the mailbox's concurrency (4) and upload-bytes budget with the Graph mail routes,
// and upload fragments the drive budget; the 429s have the same shapes. Over HTTPS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { rawRequest } from '../../helpers/graph.js';

const started: RunningEmulator[] = [];
test.after(async () => {
  await Promise.all(started.map((e) => e.stop()));
});

async function start(limits: Record<string, unknown>, faults: Record<string, unknown> = {}): Promise<RunningEmulator> {
  const config = testConfig({ limits, faults }) as { tenants: Record<string, unknown>[] };
  config.tenants[0]!.users = [{ userPrincipalName: 'alice@contoso.com', displayName: 'Alice', license: 'EXCHANGESTANDARD' }];
  const emu = await startEmulator(config);
  started.push(emu);
  return emu;
}

/** An import URL, the Inbox id and one exported item of alice's primary mailbox. */
async function importSetup(emu: RunningEmulator): Promise<{ url: string; body: Record<string, unknown>; userId: string }> {
  const user = (await rawRequest(emu, 'contoso', 'GET', '/v1.0/users/alice@contoso.com')).body as { id: string };
  const s = (await rawRequest(emu, 'contoso', 'GET', `/beta/users/${user.id}/settings/exchange`)).body as { primaryMailboxId: string };
  const mbx = encodeURIComponent(s.primaryMailboxId);
  const folders = (await rawRequest(emu, 'contoso', 'GET', `/beta/admin/exchange/mailboxes/${mbx}/folders`)).body as { value: { id: string; displayName: string }[] };
  const inbox = folders.value.find((f) => f.displayName === 'Inbox')!;
  const msg = (await rawRequest(emu, 'contoso', 'POST', `/v1.0/users/${user.id}/mailFolders/inbox/messages`, { subject: 'to import' })).body as { id: string };
  const exported = (await rawRequest(emu, 'contoso', 'POST', `/beta/admin/exchange/mailboxes/${mbx}/exportItems`, { itemIds: [msg.id] })).body as { value: { data: string }[] };
  const session = await rawRequest(emu, 'contoso', 'POST', `/beta/admin/exchange/mailboxes/${mbx}/createImportSession`, {});
  assert.is(session.status, 201, JSON.stringify(session.body));
  return { url: (session.body as { importUrl: string }).importUrl.slice(emu.url.length), body: { FolderId: inbox.id, Mode: 'create', Data: exported.value[0]!.data }, userId: user.id };
}

test('imports draw from the mailbox upload budget, shared with the Graph mail routes of the same mailbox', async () => {
  const emu = await start({ mailbox: { uploadMBPer5min: 1 } });
  const { url, body, userId } = await importSetup(emu);
  const pad = 'x'.repeat(700 * 1024); // ~0.7 MiB per request against a 1 MiB / 5 min budget
  const first = await rawRequest(emu, null, 'POST', url, { ...body, pad });
  assert.is(first.status, 200, JSON.stringify(first.body));
  const second = await rawRequest(emu, null, 'POST', url, { ...body, pad });
  assert.is(second.status, 429, 'the import URL is throttled although it carries no bearer token');
  assert.is(second.body.error.code, 'ApplicationThrottled');
  assert.match(second.body.error.message, /MailboxUploadBytes/);
  assert.ok(Number(second.headers['retry-after']) > 0);
  // The same mailbox through Graph with a bearer token: the imports used its budget.
  const viaGraph = await rawRequest(emu, 'contoso', 'POST', `/v1.0/users/${userId}/mailFolders/inbox/messages`, { subject: 'big', body: { contentType: 'text', content: pad } });
  assert.is(viaGraph.status, 429);
  assert.match(viaGraph.body.error.message, /MailboxUploadBytes/);
  // A forged token is not throttled but refused by the handler.
  const forged = await rawRequest(emu, null, 'POST', url.replace(/authtoken=[^&]+/, 'authtoken=bad.token'), body);
  assert.is(forged.status, 401);
});

test('the 5th concurrent import into one mailbox is 429 MailboxConcurrency', async () => {
  const emu = await start({}, { latencyMs: 500 }); // holds each request's slot
  const { url, body } = await importSetup(emu);
  const five = await Promise.all(Array.from({ length: 5 }, () => rawRequest(emu, null, 'POST', url, body)));
  const statuses = five.map((r) => r.status).sort();
  assert.equal(statuses, [200, 200, 200, 200, 429], JSON.stringify(five.map((r) => r.body)));
  const throttled = five.find((r) => r.status === 429)!;
  assert.is(throttled.body.error.code, 'ApplicationThrottled');
  assert.match(throttled.body.error.message, /MailboxConcurrency/);
});

test('upload session fragments draw from the drive budget of the app that created the session', async () => {
  const emu = await start({ drive: { resourceUnitsPerMin: 4 } });
  const session = await rawRequest(emu, 'contoso', 'POST', '/v1.0/users/alice@contoso.com/drive/root:/big.bin:/createUploadSession', {}); // 2 units
  assert.is(session.status, 200, JSON.stringify(session.body));
  const up = (session.body as { uploadUrl: string }).uploadUrl.slice(emu.url.length);
  const chunk = Buffer.alloc(320 * 1024, 1);
  const first = await rawRequest(emu, null, 'PUT', up, chunk, { 'content-range': `bytes 0-${chunk.length - 1}/${chunk.length * 3}`, 'content-type': 'application/octet-stream' }); // 2 units
  assert.is(first.status, 202, JSON.stringify(first.body));
  const second = await rawRequest(emu, null, 'PUT', up, chunk, { 'content-range': `bytes ${chunk.length}-${2 * chunk.length - 1}/${chunk.length * 3}`, 'content-type': 'application/octet-stream' });
  assert.is(second.status, 429, 'the upload URL is throttled although it carries no bearer token');
  assert.is(second.body.error.code, 'activityLimitReached');
  assert.ok(Number(second.headers['retry-after']) > 0);
  const viaGraph = await rawRequest(emu, 'contoso', 'GET', '/v1.0/users/alice@contoso.com/drive');
  assert.is(viaGraph.status, 429, 'and the app shares that budget with its bearer-token drive calls');
});

test.run();
