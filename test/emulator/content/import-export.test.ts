// Full-fidelity mailbox import/export (Graph beta) over HTTPS with the real Graph client:
// settings/exchange mailbox ids, mailbox folders and items, exportItems -> createImportSession ->
// POST to the pre-authenticated importUrl (no Authorization header), the imported item keeps
// isDraft=false, read state and dates; update mode with change keys; the archive mailbox by its
// own id; item delta; forged, altered and expired import URLs refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { graphClient, rawRequest } from '../../helpers/graph.js';
import { createUser, graphFailure, type TestUser } from './setup.js';

let emu: RunningEmulator;
let client: Client;
let alice: TestUser;
let bob: TestUser;

interface Folder { id: string; displayName: string; wellKnownName: string | null; totalItemCount: number }
interface Export { itemId: string; changeKey?: string; data?: string; error?: { code: string } }
interface Session { importUrl: string; expirationDateTime: string }

const RECEIVED = '2024-03-01T09:30:00.000Z';
const settings = async (u: TestUser) => (await client.api(`/users/${u.id}/settings/exchange`).version('beta').get()) as { primaryMailboxId: string; inPlaceArchiveMailboxId?: string };
const folders = async (mbx: string) => ((await client.api(`/admin/exchange/mailboxes/${mbx}/folders`).version('beta').get()) as { value: Folder[] }).value;
const wellKnown = async (mbx: string, name: string) => (await folders(mbx)).find((f) => f.wellKnownName === name)!;
/** POST to the import URL as Exchange wants it: no Authorization header. */
const postImport = (url: string, body: unknown) => rawRequest(emu, null, 'POST', url.slice(emu.url.length), body);

test.before(async () => {
  emu = await startEmulator(testConfig());
  client = await graphClient(emu, 'contoso');
  alice = await createUser(client, 'alice@contoso.com');
  bob = await createUser(client, 'bob@contoso.com');
});

test.after(async () => {
  await emu?.stop();
});

test('settings/exchange gives the primary and in-place archive mailbox ids; folders list under the root', async () => {
  const s = await settings(alice);
  assert.match(s.primaryMailboxId, /^MBX:[0-9a-f]{8}@[0-9a-f]{8}$/);
  assert.ok(s.inPlaceArchiveMailboxId && s.inPlaceArchiveMailboxId !== s.primaryMailboxId, 'SPE_E3 includes an archive');
  const list = await folders(s.primaryMailboxId);
  assert.ok(list.some((f) => f.wellKnownName === 'inbox' && f.displayName === 'Inbox'));
  const archiveList = await folders(s.inPlaceArchiveMailboxId!);
  assert.ok(archiveList.length > 0);
  assert.not.equal(archiveList.map((f) => f.id).sort(), list.map((f) => f.id).sort());
  const v1 = (await client.api(`/users/${alice.id}/settings/exchange`).get()) as Record<string, unknown>;
  assert.is(v1.primaryMailboxId, s.primaryMailboxId);
});

test('exportItems -> import session -> importUrl round trip keeps full fidelity (not a draft)', async () => {
  // A received, read item with a delivery time in the past (PidTagMessageFlags / PidTagMessageDeliveryTime).
  const src = (await client.api(`/users/${alice.id}/mailFolders/inbox/messages`).post({
    subject: 'Contract signed',
    body: { contentType: 'html', content: '<p>Done.</p>' },
    from: { emailAddress: { address: 'partner@fabrikam.com', name: 'Partner' } },
    toRecipients: [{ emailAddress: { address: 'alice@contoso.com' } }],
    singleValueExtendedProperties: [
      { id: 'Integer 0x0E07', value: '1' },
      { id: 'SystemTime 0x0E06', value: RECEIVED },
    ],
  })) as { id: string; isDraft: boolean; isRead: boolean; receivedDateTime: string; internetMessageId: string };
  assert.is(src.isDraft, false);
  assert.is(src.receivedDateTime, RECEIVED);
  const from = (await settings(alice)).primaryMailboxId;
  const items = (await client.api(`/admin/exchange/mailboxes/${from}/folders/${(await wellKnown(from, 'inbox')).id}/items`).version('beta').get()) as { value: { id: string; size: number; type: string }[] };
  const listed = items.value.find((i) => i.id === src.id)!;
  assert.ok(listed.size > 0);
  assert.is(listed.type, 'IPM.Note');

  const exported = (await client.api(`/admin/exchange/mailboxes/${from}/exportItems`).version('beta').post({ itemIds: [src.id, 'AAMkAnotthere'] })) as { value: Export[] };
  assert.is(exported.value.length, 2);
  const ok = exported.value[0]!;
  assert.is(ok.itemId, src.id);
  assert.ok(ok.data && ok.changeKey);
  assert.is(exported.value[1]!.error?.code, 'ErrorItemNotFound');

  const to = (await settings(bob)).primaryMailboxId;
  const inbox = await wellKnown(to, 'inbox');
  const session = (await client.api(`/admin/exchange/mailboxes/${to}/createImportSession`).version('beta').post({})) as Session;
  assert.ok(session.importUrl.startsWith(`${emu.url}/`));
  assert.ok(Date.parse(session.expirationDateTime) > Date.now());
  const res = await postImport(session.importUrl, { FolderId: inbox.id, Mode: 'create', Data: ok.data });
  assert.is(res.status, 200, res.text);
  const imported = (await client.api(`/users/${bob.id}/messages/${res.body.itemId}`).get()) as { isDraft: boolean; isRead: boolean; receivedDateTime: string; subject: string; changeKey: string; internetMessageId: string; from: { emailAddress: { address: string } }; parentFolderId: string; body: { content: string } };
  assert.is(imported.isDraft, false, 'full fidelity: not a draft, unlike MIME import');
  assert.is(imported.isRead, true);
  assert.is(imported.receivedDateTime, RECEIVED);
  assert.is(imported.subject, 'Contract signed');
  assert.is(imported.body.content, '<p>Done.</p>');
  assert.is(imported.from.emailAddress.address, 'partner@fabrikam.com');
  assert.is(imported.internetMessageId, src.internetMessageId);
  assert.is(imported.parentFolderId, inbox.id);
  assert.is(imported.changeKey, res.body.changeKey);

  // Update mode: a stale change key is refused, the current one accepted.
  const stale = await postImport(session.importUrl, { FolderId: inbox.id, Mode: 'update', Data: ok.data, ItemId: res.body.itemId, ChangeKey: 'CQAAABYAAAstale' });
  assert.is(stale.status, 409);
  assert.is(stale.body.error.code, 'ErrorIrresolvableConflict');
  const updated = await postImport(session.importUrl, { FolderId: inbox.id, Mode: 'update', Data: ok.data, ItemId: res.body.itemId, ChangeKey: res.body.changeKey });
  assert.is(updated.status, 200);
  assert.is(updated.body.itemId, res.body.itemId);
  assert.is.not(updated.body.changeKey, res.body.changeKey);
});

test('import refuses data that is not an export stream and create with an ItemId', async () => {
  const to = (await settings(bob)).primaryMailboxId;
  const inbox = await wellKnown(to, 'inbox');
  const session = (await client.api(`/admin/exchange/mailboxes/${to}/createImportSession`).version('beta').post({})) as Session;
  const junk = await postImport(session.importUrl, { FolderId: inbox.id, Mode: 'create', Data: Buffer.from('From: x@y\r\n\r\nhi').toString('base64') });
  assert.is(junk.status, 400);
  assert.is(junk.body.error.code, 'ErrorCorruptData');
  const withId = await postImport(session.importUrl, { FolderId: inbox.id, Mode: 'create', Data: 'x', ItemId: 'AAMk' });
  assert.is(withId.status, 400);
});

test('exportItems refuses more than 20 ids', async () => {
  const from = (await settings(alice)).primaryMailboxId;
  const err = await graphFailure(client.api(`/admin/exchange/mailboxes/${from}/exportItems`).version('beta').post({ itemIds: Array.from({ length: 21 }, (_, i) => `id${i}`) }));
  assert.is(err.statusCode, 400);
});

test('the archive mailbox is addressed by its own id: import into it, item delta reports it', async () => {
  const s = await settings(alice);
  const src = (await client.api(`/users/${alice.id}/mailFolders/inbox/messages`).post({ subject: 'Old news', singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: '0' }] })) as { id: string };
  const data = ((await client.api(`/admin/exchange/mailboxes/${s.primaryMailboxId}/exportItems`).version('beta').post({ itemIds: [src.id] })) as { value: Export[] }).value[0]!.data!;
  const archiveInbox = await wellKnown(s.inPlaceArchiveMailboxId!, 'inbox');
  const itemsDelta = `/admin/exchange/mailboxes/${s.inPlaceArchiveMailboxId}/folders/${archiveInbox.id}/items/delta`;
  const first = (await client.api(itemsDelta).version('beta').get()) as { value: unknown[]; '@odata.deltaLink': string };
  assert.is(first.value.length, 0);
  const session = (await client.api(`/admin/exchange/mailboxes/${s.inPlaceArchiveMailboxId}/createImportSession`).version('beta').post({})) as Session;
  const res = await postImport(session.importUrl, { FolderId: archiveInbox.id, Mode: 'create', Data: data });
  assert.is(res.status, 200);
  const second = (await client.api(first['@odata.deltaLink']).get()) as { value: { id: string; '@odata.type': string }[] };
  assert.equal(second.value.map((i) => i.id), [res.body.itemId]);
  assert.is(second.value[0]!['@odata.type'], '#microsoft.graph.mailboxItem');
  // Not in the primary mailbox.
  const primaryHit = await graphFailure(client.api(`/users/${alice.id}/messages/${res.body.itemId}`).get());
  assert.is(primaryHit.statusCode, 404);
});

test('forged, altered and expired import URLs are refused with 401', async () => {
  const to = (await settings(bob)).primaryMailboxId;
  const inbox = await wellKnown(to, 'inbox');
  const session = (await client.api(`/admin/exchange/mailboxes/${to}/createImportSession`).version('beta').post({})) as Session;
  const body = { FolderId: inbox.id, Mode: 'create', Data: 'irrelevant' };
  const url = new URL(session.importUrl);
  const token = url.searchParams.get('authtoken')!;
  const [payload, sig] = token.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), e: Date.now() + 1e9 })).toString('base64url');
  const forged = new URL(session.importUrl);
  forged.searchParams.set('authtoken', `${forgedPayload}.${sig}`);
  assert.is((await postImport(forged.toString(), body)).status, 401, 'a payload changed without the key is refused');
  const aliceMbx = (await settings(alice)).primaryMailboxId;
  const otherMailbox = session.importUrl.replace(to, aliceMbx);
  assert.is((await postImport(otherMailbox, body)).status, 401, 'the token is bound to its mailbox');
  const noToken = `${url.origin}${url.pathname}`;
  assert.is((await postImport(noToken, body)).status, 401);
  // Two hours later (the emulator's clock), the session has expired.
  await rawRequest(emu, null, 'POST', '/_emulator/clock', { advanceMs: 2 * 60 * 60 * 1000 });
  const expired = await postImport(session.importUrl, body);
  assert.is(expired.status, 401);
  assert.match(expired.body.error.message, /expired/);
});

test.run();
