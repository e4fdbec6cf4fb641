// OneDrive over HTTPS with the real Graph client: lazy provisioning, simple upload by path
// (201 then 200), items by id and path, children, download through the 302 to the signed URL
// (byte-exact), folders with conflictBehavior, upload sessions (the client's LargeFileUploadTask,
// and raw fragments: 320 KiB rule, out-of-order refused), drive delta with deletions, the drive
// removed with its user.
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FileUpload, LargeFileUploadTask, ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { graphClient, rawRequest } from '../../helpers/graph.js';
import { createUser, graphFailure, type TestUser } from './setup.js';
import { quickXorHash } from '../../../emulator/store/drive-state.js';
import { redactUrl } from '../../../engine/tenant/graph.js';

let emu: RunningEmulator;
let client: Client;
let alice: TestUser;
let driveId: string;

interface Item {
  id: string;
  name: string;
  size: number;
  eTag: string;
  cTag: string;
  file?: { mimeType: string; hashes: { sha256Hash: string; quickXorHash: string } };
  folder?: { childCount: number };
  parentReference: { driveId: string; id?: string; path?: string };
  deleted?: { state: string };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex').toUpperCase();

async function download(itemId: string): Promise<Buffer> {
  const ab = (await client.api(`/drives/${driveId}/items/${itemId}/content`).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer;
  return Buffer.from(ab);
}

test.before(async () => {
  emu = await startEmulator(testConfig());
  client = await graphClient(emu, 'contoso');
  alice = await createUser(client, 'alice@contoso.com');
});

test.after(async () => {
  await emu?.stop();
});

test('a licensed user gets a OneDrive on first access; an unlicensed one 404 until licensed', async () => {
  const drive = (await client.api(`/users/${alice.userPrincipalName}/drive`).get()) as { id: string; driveType: string; owner: { user: { id: string } } };
  assert.is(drive.driveType, 'business');
  assert.is(drive.owner.user.id, alice.id);
  driveId = drive.id;
  const byId = (await client.api(`/drives/${driveId}`).get()) as { id: string };
  assert.is(byId.id, driveId);
  const root = (await client.api(`/drives/${driveId}/root`).get()) as Item & { root?: object };
  assert.ok(root.root && root.folder);
  const bob = await createUser(client, 'bob@contoso.com', false);
  const err = await graphFailure(client.api(`/users/${bob.id}/drive`).get());
  assert.is(err.statusCode, 404);
});

test('simple upload by path creates (201) then replaces (200); items by id and by path; download is byte-exact', async () => {
  const v1 = Buffer.from('hello, onedrive\n');
  const r1 = await rawRequest(emu, 'contoso', 'PUT', `/v1.0/users/${alice.id}/drive/root:/Docs/Notes/hello.txt:/content`, v1, { 'content-type': 'text/plain' });
  assert.is(r1.status, 201, r1.text);
  const created = r1.body as Item;
  assert.is(created.size, v1.length);
  assert.is(created.file!.hashes.sha256Hash, sha256(v1));
  assert.is(created.file!.hashes.quickXorHash, quickXorHash(v1));
  assert.is(created.parentReference.path, '/drive/root:/Docs/Notes', 'missing parent folders are created');
  const v2 = randomBytes(5000);
  const r2 = (await client.api(`/drives/${driveId}/root:/Docs/Notes/hello.txt:/content`).header('Content-Type', 'application/octet-stream').put(v2)) as Item;
  assert.is(r2.id, created.id, 'replace keeps the item');
  assert.is.not(r2.eTag, created.eTag);
  const byPath = (await client.api(`/drives/${driveId}/root:/Docs/Notes/hello.txt`).get()) as Item;
  assert.is(byPath.id, created.id);
  assert.is(byPath.size, 5000);
  const folder = (await client.api(`/drives/${driveId}/root:/Docs/Notes:`).get()) as Item;
  assert.is(folder.folder!.childCount, 1);
  const kids = (await client.api(`/drives/${driveId}/items/${folder.id}/children`).get()) as { value: Item[] };
  assert.equal(kids.value.map((k) => k.name), ['hello.txt']);
  assert.ok((await download(created.id)).equals(v2), 'the client follows the 302 to the download URL');
  const raw = await rawRequest(emu, 'contoso', 'GET', `/v1.0/drives/${driveId}/items/${created.id}/content`);
  assert.ok(raw.status === 200, 'undici follows the redirect too');
  const redirect = await rawRequest(emu, 'contoso', 'GET', `/v1.0/drives/${driveId}/items/${created.id}`);
  const downloadUrl = String(redirect.body['@microsoft.graph.downloadUrl']);
  assert.ok(downloadUrl.startsWith(`${emu.url}/download/${created.id}?tempauth=`), downloadUrl);
  // the capability token is in the query, as OneDrive's pre-authenticated URLs carry it: what the
  // engine's logs strip from a URL
  const token = new URL(downloadUrl).searchParams.get('tempauth')!;
  assert.ok(token.length > 20 && !redactUrl(downloadUrl).includes(token));
  const tampered = await rawRequest(emu, null, 'GET', `/download/not-${created.id}?tempauth=${encodeURIComponent(token)}`);
  assert.is(tampered.status, 404, "one item's token opens no other item");
  const missing = await graphFailure(client.api(`/drives/${driveId}/root:/Docs/nope.txt`).get());
  assert.is(missing.statusCode, 404);
  assert.is(missing.code, 'itemNotFound');
});

test('folders: POST children with folder facet; conflictBehavior fail (409) and rename', async () => {
  const f = (await client.api(`/drives/${driveId}/root/children`).post({ name: 'Reports', folder: {}, '@microsoft.graph.conflictBehavior': 'fail' })) as Item;
  assert.is(f.folder!.childCount, 0);
  const dup = await graphFailure(client.api(`/drives/${driveId}/root/children`).post({ name: 'Reports', folder: {} }));
  assert.is(dup.statusCode, 409);
  assert.is(dup.code, 'nameAlreadyExists');
  const renamed = (await client.api(`/drives/${driveId}/root/children`).post({ name: 'Reports', folder: {}, '@microsoft.graph.conflictBehavior': 'rename' })) as Item;
  assert.is(renamed.name, 'Reports 1');
  const clash = await graphFailure(client.api(`/drives/${driveId}/items/${renamed.id}`).patch({ name: 'reports' }));
  assert.is(clash.statusCode, 409, 'rename onto a sibling name is refused');
  const moved = (await client.api(`/drives/${driveId}/items/${renamed.id}`).patch({ name: 'Archive', parentReference: { id: f.id } })) as Item;
  assert.is(moved.parentReference.id, f.id);
  assert.is(moved.name, 'Archive');
  const sub = (await client.api(`/drives/${driveId}/items/${f.id}/children`).post({ name: 'Q1', folder: {} })) as Item;
  assert.is(sub.parentReference.id, f.id);
});

test('upload session with the Graph client LargeFileUploadTask: byte-exact result', async () => {
  const content = randomBytes(3 * 327_680 + 12_345);
  const session = await LargeFileUploadTask.createUploadSession(client, `/drives/${driveId}/root:/Big/data.bin:/createUploadSession`, {
    item: { '@microsoft.graph.conflictBehavior': 'replace' },
  });
  const warn = console.warn;
  console.warn = () => {}; // the client warns about a deprecated helper it calls itself
  let task: LargeFileUploadTask<unknown>;
  try {
    task = new LargeFileUploadTask(client, new FileUpload(content.buffer.slice(content.byteOffset, content.byteOffset + content.length) as ArrayBuffer, 'data.bin', content.length), session, { rangeSize: 2 * 327_680 });
  } finally {
    console.warn = warn;
  }
  const result = await task.upload();
  const item = result.responseBody as Item;
  assert.is(item.name, 'data.bin');
  assert.is(item.size, content.length);
  assert.is(item.file!.hashes.sha256Hash, sha256(content));
  assert.ok((await download(item.id)).equals(content));
});

test('upload session with raw fragments: 202 + nextExpectedRanges, 320 KiB rule, out-of-order 416, 201 at the end', async () => {
  const content = randomBytes(2 * 327_680 + 100);
  const s = (await client.api(`/users/${alice.id}/drive/root:/Raw/frag.bin:/createUploadSession`).post({ item: {} })) as { uploadUrl: string; nextExpectedRanges: string[] };
  assert.equal(s.nextExpectedRanges, ['0-']);
  const path = s.uploadUrl.slice(emu.url.length);
  const token = new URL(s.uploadUrl).searchParams.get('tempauth')!;
  assert.ok(token.length > 20 && !redactUrl(s.uploadUrl).includes(token), 'the token is in the query, which logs strip');
  const put = (start: number, end: number) =>
    rawRequest(emu, null, 'PUT', path, content.subarray(start, end + 1), { 'content-range': `bytes ${start}-${end}/${content.length}`, 'content-type': 'application/octet-stream' });
  const bad = await put(0, 99_999);
  assert.is(bad.status, 400, 'a non-final fragment must be a multiple of 320 KiB');
  const first = await put(0, 327_679);
  assert.is(first.status, 202);
  assert.equal(first.body.nextExpectedRanges, ['327680-']);
  const skipped = await put(655_360, content.length - 1);
  assert.is(skipped.status, 416, 'fragments must be contiguous');
  assert.is((await put(327_680, 655_359)).status, 202);
  const status = await rawRequest(emu, null, 'GET', path);
  assert.equal(status.body.nextExpectedRanges, ['655360-']);
  const last = await put(655_360, content.length - 1);
  assert.is(last.status, 201);
  assert.ok((await download((last.body as Item).id)).equals(content));
  const after = await put(0, 327_679);
  assert.is(after.status, 404, 'a completed session is gone');
});

test('drive delta: first round lists everything; the deltaLink returns new items and deleted facets only', async () => {
  const round = async (url: string) => {
    const items: Item[] = [];
    let next: string | undefined = url;
    let deltaLink = '';
    while (next) {
      const page = (await client.api(next).get()) as { value: Item[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
      items.push(...page.value);
      next = page['@odata.nextLink'];
      deltaLink = page['@odata.deltaLink'] ?? deltaLink;
    }
    return { items, deltaLink };
  };
  const first = await round(`/drives/${driveId}/root/delta?$top=3`);
  assert.ok(first.items.some((i) => i.name === 'hello.txt'));
  assert.ok(first.items.some((i) => i.name === 'data.bin'));
  assert.not.ok(first.items.some((i) => i.deleted), 'the first round has no deletions');
  const hello = first.items.find((i) => i.name === 'hello.txt')!;
  await client.api(`/drives/${driveId}/items/${hello.id}`).delete();
  const added = (await client.api(`/drives/${driveId}/root:/Later/new.txt:/content`).header('Content-Type', 'text/plain').put(Buffer.from('new'))) as Item;
  const second = await round(first.deltaLink);
  const byId = new Map(second.items.map((i) => [i.id, i]));
  assert.equal(byId.get(hello.id)!.deleted, { state: 'deleted' });
  assert.ok(byId.has(added.id));
  assert.not.ok(second.items.some((i) => i.name === 'data.bin'), 'unchanged items are not repeated');
  const third = await round(second.deltaLink);
  assert.is(third.items.length, 0);
});

test('deleting a user removes its OneDrive: the drive, its items and its download URLs are gone', async () => {
  const carol = await createUser(client, 'carol@contoso.com');
  const file = (await client.api(`/users/${carol.id}/drive/root:/keep.txt:/content`).header('Content-Type', 'text/plain').put(Buffer.from('carol'))) as Item & { '@microsoft.graph.downloadUrl': string };
  const drive = file.parentReference.driveId;
  const meta = (await client.api(`/drives/${drive}/items/${file.id}`).get()) as { '@microsoft.graph.downloadUrl': string };
  const url = meta['@microsoft.graph.downloadUrl'];
  assert.is((await rawRequest(emu, null, 'GET', url.slice(emu.url.length))).status, 200);
  await client.api(`/users/${carol.id}`).delete();
  assert.is((await graphFailure(client.api(`/drives/${drive}`).get())).statusCode, 404);
  assert.is((await graphFailure(client.api(`/drives/${drive}/items/${file.id}`).get())).statusCode, 404);
  assert.is((await rawRequest(emu, null, 'GET', url.slice(emu.url.length))).status, 404, 'the pre-authenticated URL no longer serves the file');
  assert.ok((await client.api(`/drives/${driveId}`).get()) as object, "another user's drive stays");
});

test.run();
