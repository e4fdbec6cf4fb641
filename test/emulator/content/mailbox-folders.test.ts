// Graph beta mailbox writes over HTTPS with the real Graph client: create a mailboxFolder (at the
// root and as a child of a well-known folder, in the primary and the archive), its errors
// (duplicate name 409, missing type 400), an import into the new folder, and deleting a
// mailboxItem with the required disposalType; single-value extended properties on folders (PATCH,
// $expand) through both the beta mailboxFolder and the v1.0 mailFolder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { graphClient, rawRequest } from '../../helpers/graph.js';
import { createUser, graphFailure, type TestUser } from './setup.js';

let emu: RunningEmulator;
let client: Client;
let alice: TestUser;
let ids: { primaryMailboxId: string; inPlaceArchiveMailboxId: string };

interface Folder { id: string; displayName: string; parentFolderId: string; type: string; childFolderCount: number; totalItemCount: number }
const beta = (path: string) => client.api(path).version('beta');
const box = (id: string) => `/admin/exchange/mailboxes/${encodeURIComponent(id)}`;

test.before(async () => {
  emu = await startEmulator(testConfig());
  client = await graphClient(emu, 'contoso');
  alice = await createUser(client, 'alice@contoso.com');
  ids = (await beta(`/users/${alice.id}/settings/exchange`).get()) as typeof ids;
});

test.after(async () => {
  await emu?.stop();
});

test('POST folders creates a mailboxFolder at the root; POST childFolders under a well-known folder', async () => {
  const created = (await beta(`${box(ids.inPlaceArchiveMailboxId)}/folders`).post({ displayName: 'Migrated 2023', type: 'IPF.Note' })) as Folder & { '@odata.context': string };
  assert.is(created.displayName, 'Migrated 2023');
  assert.is(created.type, 'IPF.Note');
  assert.is(created.totalItemCount, 0);
  assert.match(created['@odata.context'], /\/beta\/\$metadata#admin\/exchange\/mailboxes\('MBX%3A[^']+'\)\/folders\/\$entity$/);
  const listed = ((await beta(`${box(ids.inPlaceArchiveMailboxId)}/folders`).get()) as { value: Folder[] }).value;
  assert.ok(listed.some((f) => f.id === created.id), 'listed at the root of the archive');
  const primaryList = ((await beta(`${box(ids.primaryMailboxId)}/folders`).get()) as { value: Folder[] }).value;
  assert.not.ok(primaryList.some((f) => f.id === created.id), 'not in the primary');

  const child = (await beta(`${box(ids.primaryMailboxId)}/folders/inbox/childFolders`).post({ displayName: 'Receipts', type: 'IPF.Note' })) as Folder;
  const inbox = (await beta(`${box(ids.primaryMailboxId)}/folders/inbox`).get()) as Folder;
  assert.is(child.parentFolderId, inbox.id);
  assert.is(inbox.childFolderCount, 1);
  const children = ((await beta(`${box(ids.primaryMailboxId)}/folders/inbox/childFolders`).get()) as { value: Folder[] }).value;
  assert.equal(children.map((f) => f.displayName), ['Receipts']);
  const contacts = (await beta(`${box(ids.primaryMailboxId)}/folders`).post({ displayName: 'Old contacts', type: 'IPF.Contact' })) as Folder;
  assert.is(contacts.type, 'IPF.Contact');
});

test('folder creation errors: duplicate name 409, missing type or name 400, unknown mailbox 404', async () => {
  const dup = await graphFailure(beta(`${box(ids.primaryMailboxId)}/folders/inbox/childFolders`).post({ displayName: 'receipts', type: 'IPF.Note' }));
  assert.is(dup.statusCode, 409);
  assert.is(dup.code, 'ErrorFolderExists');
  const noType = await graphFailure(beta(`${box(ids.primaryMailboxId)}/folders`).post({ displayName: 'No type' }));
  assert.is(noType.statusCode, 400);
  const noName = await graphFailure(beta(`${box(ids.primaryMailboxId)}/folders`).post({ type: 'IPF.Note' }));
  assert.is(noName.statusCode, 400);
  const unknown = await graphFailure(beta(`${box('MBX:00000000@00000000')}/folders`).post({ displayName: 'X', type: 'IPF.Note' }));
  assert.is(unknown.statusCode, 404);
});

test('an item imported into a created folder can be deleted with disposalType; without it the call is 400', async () => {
  const folder = (await beta(`${box(ids.inPlaceArchiveMailboxId)}/folders`).post({ displayName: 'Imported', type: 'IPF.Note' })) as Folder;
  const msg = (await client.api(`/users/${alice.id}/mailFolders/inbox/messages`).post({ subject: 'to archive' })) as { id: string };
  const exported = (await beta(`${box(ids.primaryMailboxId)}/exportItems`).post({ itemIds: [msg.id] })) as { value: { data: string }[] };
  const session = (await beta(`${box(ids.inPlaceArchiveMailboxId)}/createImportSession`).post({})) as { importUrl: string };
  const imported = await rawRequest(emu, null, 'POST', session.importUrl.slice(emu.url.length), { FolderId: folder.id, Mode: 'create', Data: exported.value[0]!.data });
  assert.is(imported.status, 200, JSON.stringify(imported.body));
  const itemId = (imported.body as { itemId: string }).itemId;
  const items = `${box(ids.inPlaceArchiveMailboxId)}/folders/${folder.id}/items`;
  assert.equal(((await beta(items).get()) as { value: { id: string }[] }).value.map((i) => i.id), [itemId]);

  const noDisposal = await graphFailure(beta(`${items}/${itemId}`).delete());
  assert.is(noDisposal.statusCode, 400);
  const wrongFolder = await graphFailure(beta(`${box(ids.inPlaceArchiveMailboxId)}/folders/inbox/items/${itemId}`).query({ disposalType: 'softDelete' }).delete());
  assert.is(wrongFolder.statusCode, 404);
  await beta(`${items}/${itemId}`).query({ disposalType: 'softDelete' }).delete();
  assert.is(((await beta(items).get()) as { value: unknown[] }).value.length, 0);
  const gone = await graphFailure(beta(`${items}/${itemId}`).get());
  assert.is(gone.statusCode, 404);
});

test('a folder keeps single-value extended properties: PATCH sets them, $expand with a filter shows the asked ones a folder has, in beta and v1.0 alike', async () => {
  const named = 'String {7d1f6b8e-3c2a-4e55-9b0f-5a6c2d4e8f10} Name t2tDeltaPositions';
  const other = 'String {7d1f6b8e-3c2a-4e55-9b0f-5a6c2d4e8f10} Name somethingElse';
  const expand = (id: string) => `singleValueExtendedProperties($filter=id eq '${id}')`;
  const folder = (await beta(`${box(ids.primaryMailboxId)}/folders`).post({ displayName: 'Props', type: 'IPF.Note' })) as Folder;
  const patched = (await beta(`${box(ids.primaryMailboxId)}/folders/${folder.id}`).patch({ singleValueExtendedProperties: [{ id: named, value: '{"a":1}' }, { id: other, value: 'x' }] })) as Folder;
  assert.is(patched.id, folder.id);
  const got = (await beta(`${box(ids.primaryMailboxId)}/folders/${folder.id}`).expand(expand(named)).get()) as Folder & { singleValueExtendedProperties?: { id: string; value: string }[] };
  assert.equal(got.singleValueExtendedProperties, [{ id: named, value: '{"a":1}' }]);
  // Listed with the filter: only the folder that has it carries the collection.
  const listed = ((await beta(`${box(ids.primaryMailboxId)}/folders`).expand(expand(named)).get()) as { value: (Folder & { singleValueExtendedProperties?: unknown })[] }).value;
  assert.equal(listed.filter((f) => f.singleValueExtendedProperties).map((f) => f.displayName), ['Props']);
  // The same folder through v1.0 mailFolders (same ids); a second PATCH there replaces the value.
  await client.api(`/users/${alice.id}/mailFolders/${folder.id}`).patch({ singleValueExtendedProperties: [{ id: named, value: '{"a":2}' }] });
  const v1 = (await client.api(`/users/${alice.id}/mailFolders/${folder.id}`).expand(expand(named)).get()) as { displayName: string; singleValueExtendedProperties?: { value: string }[] };
  assert.is(v1.displayName, 'Props');
  assert.equal(v1.singleValueExtendedProperties?.map((p) => p.value), ['{"a":2}']);
  const plain = (await client.api(`/users/${alice.id}/mailFolders/${folder.id}`).get()) as Record<string, unknown>;
  assert.not.ok('singleValueExtendedProperties' in plain, 'shown only when asked');
});

test('folder PATCH errors: a malformed property id or a value that is not text 400, the folder type 400, an unknown folder 404', async () => {
  const folder = (await beta(`${box(ids.primaryMailboxId)}/folders`).post({ displayName: 'Props errors', type: 'IPF.Note' })) as Folder;
  const url = `${box(ids.primaryMailboxId)}/folders/${folder.id}`;
  const badId = await graphFailure(beta(url).patch({ singleValueExtendedProperties: [{ id: 'String t2tDeltaPositions', value: 'x' }] }));
  assert.is(badId.statusCode, 400);
  assert.is(badId.code, 'ErrorInvalidProperty');
  const badValue = await graphFailure(beta(url).patch({ singleValueExtendedProperties: [{ id: 'String 0x1035', value: 7 }] }));
  assert.is(badValue.statusCode, 400);
  const type = await graphFailure(beta(url).patch({ type: 'IPF.Contact' }));
  assert.is(type.statusCode, 400);
  const missing = await graphFailure(beta(`${box(ids.primaryMailboxId)}/folders/AAMkNoSuchFolder`).patch({ displayName: 'x' }));
  assert.is(missing.statusCode, 404);
});

test.run();
