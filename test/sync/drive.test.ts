// OneDrive content sync against the emulator over HTTPS: initial copy (nested and empty folders,
// bytes equal, a large file through an upload session), a re-run copies nothing, a delta copies
// changed and new files and propagates deletions, and an abort then re-run leaves one copy each.
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SyncWatermark } from '../../engine/inventory/model.js';
import { fitMarker } from '../../engine/apply/marker-store.js';
import { pathFromReference } from '../../engine/sync/drive-sync.js';
import { SIMPLE_MAX } from '../../engine/sync/drive-upload.js';
import { syncWorkload } from '../../engine/sync/sync-workload.js';
import { download, driveChildren, putFile, recording, startSyncEnv, userPair, type SyncEnv } from './setup.js';

let env: SyncEnv;

test.before(async () => {
  env = await startSyncEnv();
});

test.after(async () => {
  await env?.stop();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('initial OneDrive sync copies folders and files byte for byte; a large file goes through an upload session', async () => {
  const { src, tgt } = await userPair(env, 'fay');
  const files: Record<string, Buffer> = {
    'readme.txt': Buffer.from('hello from contoso\n'),
    'Docs/plan.docx': randomBytes(70_000),
    'Docs/2024/q1.xlsx': randomBytes(12_345),
    // Above the simple-upload ceiling: an upload session with 320 KiB-multiple fragments.
    'Media/big.bin': randomBytes(SIMPLE_MAX + 1_700_001),
  };
  for (const [path, bytes] of Object.entries(files)) await putFile(env.contoso, src.id, path, bytes);
  await env.contoso.api(`/users/${src.id}/drive/root/children`).post({ name: 'Empty', folder: {} });

  const progress: { items: number; bytes: number }[] = [];
  const rec = recording(env.target);
  const wm = await syncWorkload({ source: env.source, target: rec.client, sourceUserId: src.id, targetUserId: tgt.id, workload: 'onedrive', mode: 'initial', onProgress: (p) => progress.push(p) });
  assert.is(wm.items, 4);
  assert.is(wm.bytes, Object.values(files).reduce((n, b) => n + b.length, 0));
  assert.equal(Object.keys(wm.deltaLinks ?? {}), ['d']);
  assert.is(progress.at(-1)!.items, 4);
  for (const [path, bytes] of Object.entries(files)) assert.is(sha(await download(env.fabrikam, tgt.id, path)), sha(bytes), `${path} is byte-equal`);
  assert.equal(await driveChildren(env.fabrikam, tgt.id, ''), ['Docs', 'Empty', 'Media', 'readme.txt']);
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'Empty'), []);
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'Docs'), ['2024', 'plan.docx']);
  // Small files by simple PUT; the big one by a session in 320 KiB-multiple fragments under 60 MiB.
  assert.is(rec.calls.filter((c) => c.method === 'PUT' && c.url.endsWith(':/content')).length, 3);
  assert.equal(rec.calls.filter((c) => c.url.endsWith('/createUploadSession')).map((c) => c.url.split('/root:/')[1]), ['Media/big.bin:/createUploadSession']);
  const fragments = rec.calls.filter((c) => c.headers?.['Content-Range']);
  assert.ok(fragments.length >= 2, `${fragments.length} fragments`);
  const big = files['Media/big.bin']!.length;
  fragments.forEach((f, i) => {
    assert.ok(f.bytes! < 60 * 1024 * 1024);
    if (i < fragments.length - 1) assert.is(f.bytes! % (320 * 1024), 0, 'fragments other than the last are multiples of 320 KiB');
  });
  assert.is(fragments.at(-1)!.headers!['Content-Range'], `bytes ${fragments.slice(0, -1).reduce((n, f) => n + f.bytes!, 0)}-${big - 1}/${big}`);

  // Same watermark again: nothing copied.
  const again = await syncWorkload({ source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'onedrive', mode: 'delta', watermark: wm });
  assert.is(again.items, 4);
  assert.is(again.bytes, wm.bytes);
});

test('OneDrive delta: changed and new files copied, unchanged skipped, deletions propagated', async () => {
  const { src, tgt } = await userPair(env, 'gus');
  await putFile(env.contoso, src.id, 'a.txt', Buffer.from('version 1'));
  await putFile(env.contoso, src.id, 'b.txt', Buffer.from('stays'));
  const gone = await putFile(env.contoso, src.id, 'Old/c.txt', Buffer.from('to be deleted'));
  await putFile(env.contoso, src.id, 'Trash/d.txt', Buffer.from('folder to be deleted'));
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'onedrive' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  assert.is(wm1.items, 4);

  await putFile(env.contoso, src.id, 'a.txt', Buffer.from('version 2, longer'));
  await putFile(env.contoso, src.id, 'Old/new.txt', Buffer.from('new file'));
  await env.contoso.api(`/users/${src.id}/drive/items/${gone.id}`).delete();
  await env.contoso.api(`/users/${src.id}/drive/root:/Trash`).delete();

  const wm2 = await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  assert.is(wm2.items - wm1.items, 2, 'a.txt and Old/new.txt only');
  assert.is((await download(env.fabrikam, tgt.id, 'a.txt')).toString(), 'version 2, longer');
  assert.is((await download(env.fabrikam, tgt.id, 'Old/new.txt')).toString(), 'new file');
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'Old'), ['new.txt']);
  assert.equal(await driveChildren(env.fabrikam, tgt.id, ''), ['Old', 'a.txt', 'b.txt']);
  assert.ok(wm2.lastDeltaAt);
});

test('OneDrive delta: a renamed folder is copied with its unchanged children under the new name', async () => {
  const { src, tgt } = await userPair(env, 'ren');
  await putFile(env.contoso, src.id, 'Before/one.txt', Buffer.from('one'));
  await putFile(env.contoso, src.id, 'Before/Inner/two.txt', Buffer.from('two'));
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'onedrive' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  await env.contoso.api(`/users/${src.id}/drive/root:/Before`).patch({ name: 'After' });
  await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  assert.equal(await driveChildren(env.fabrikam, tgt.id, ''), ['After'], 'renamed, not copied');
  assert.is((await download(env.fabrikam, tgt.id, 'After/one.txt')).toString(), 'one');
  assert.is((await download(env.fabrikam, tgt.id, 'After/Inner/two.txt')).toString(), 'two');
});

test('OneDrive delta: a renamed file, a moved file and a renamed+moved folder are renamed/moved in the target, not copied again', async () => {
  const { src, tgt } = await userPair(env, 'mov');
  await putFile(env.contoso, src.id, 'Docs/a.txt', Buffer.from('file a'));
  await putFile(env.contoso, src.id, 'Docs/b.txt', Buffer.from('file b'));
  await putFile(env.contoso, src.id, 'Box/Inner/c.txt', Buffer.from('file c'));
  const archive = await putFile(env.contoso, src.id, 'Archive/keep.txt', Buffer.from('keep'));
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'onedrive' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  assert.is(wm1.items, 4);
  const idOf = async (path: string) => ((await env.fabrikam.api(`/users/${tgt.id}/drive/root:/${path}`).get()) as { id: string }).id;
  const before = { a: await idOf('Docs/a.txt'), b: await idOf('Docs/b.txt'), box: await idOf('Box'), c: await idOf('Box/Inner/c.txt') };
  const archiveId = ((await env.contoso.api(`/users/${src.id}/drive/items/${archive.id}`).get()) as { parentReference: { id: string } }).parentReference.id;

  await env.contoso.api(`/users/${src.id}/drive/root:/Docs/a.txt`).patch({ name: 'a2.txt' });
  await env.contoso.api(`/users/${src.id}/drive/root:/Docs/b.txt`).patch({ parentReference: { id: archiveId } });
  await env.contoso.api(`/users/${src.id}/drive/root:/Box`).patch({ name: 'Box2', parentReference: { id: archiveId } });

  const rec = recording(env.target);
  const wm2 = await syncWorkload({ ...base, target: rec.client, mode: 'delta', watermark: wm1 });
  assert.is(wm2.items, wm1.items, 'nothing copied again');
  assert.is(rec.calls.filter((c) => c.method === 'PUT' || c.url.endsWith('/createUploadSession')).length, 0, 'no upload');
  assert.equal(await driveChildren(env.fabrikam, tgt.id, ''), ['Archive', 'Docs'], 'no copy left under the old folder name');
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'Docs'), ['a2.txt']);
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'Archive'), ['b.txt', 'Box2', 'keep.txt'].sort());
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'Archive/Box2/Inner'), ['c.txt']);
  assert.is((await download(env.fabrikam, tgt.id, 'Archive/Box2/Inner/c.txt')).toString(), 'file c');
  assert.is((await download(env.fabrikam, tgt.id, 'Docs/a2.txt')).toString(), 'file a');
  // The same target items, renamed and moved.
  assert.equal(
    { a: await idOf('Docs/a2.txt'), b: await idOf('Archive/b.txt'), box: await idOf('Archive/Box2'), c: await idOf('Archive/Box2/Inner/c.txt') },
    before,
  );

  // A renamed file that also changed: moved, then its content replaced in place.
  await env.contoso.api(`/users/${src.id}/drive/root:/Docs/a2.txt`).patch({ name: 'a3.txt' });
  await putFile(env.contoso, src.id, 'Docs/a3.txt', Buffer.from('file a, edited'));
  const wm3 = await syncWorkload({ ...base, mode: 'delta', watermark: wm2 });
  assert.is(wm3.items - wm2.items, 1);
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'Docs'), ['a3.txt']);
  assert.is(await idOf('Docs/a3.txt'), before.a);
  assert.is((await download(env.fabrikam, tgt.id, 'Docs/a3.txt')).toString(), 'file a, edited');

  // A delete of a moved file removes its copy at the new place; a file renamed and then deleted
  // before the next round has its copy (still under the old name) removed too.
  await env.contoso.api(`/users/${src.id}/drive/root:/Archive/b.txt`).delete();
  await env.contoso.api(`/users/${src.id}/drive/root:/Archive/keep.txt`).patch({ name: 'keep2.txt' });
  await env.contoso.api(`/users/${src.id}/drive/root:/Archive/keep2.txt`).delete();
  await syncWorkload({ ...base, mode: 'delta', watermark: wm3 });
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'Archive'), ['Box2']);
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'Archive/Box2/Inner'), ['c.txt']);
});

test('OneDrive delta: two files that swapped names end with the right content under each name, no extra copy', async () => {
  const { src, tgt } = await userPair(env, 'swp');
  await putFile(env.contoso, src.id, 'S/a.txt', Buffer.from('content of a'));
  await putFile(env.contoso, src.id, 'S/b.txt', Buffer.from('content of b, longer'));
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'onedrive' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  await env.contoso.api(`/users/${src.id}/drive/root:/S/a.txt`).patch({ name: 'tmp.txt' });
  await env.contoso.api(`/users/${src.id}/drive/root:/S/b.txt`).patch({ name: 'a.txt' });
  await env.contoso.api(`/users/${src.id}/drive/root:/S/tmp.txt`).patch({ name: 'b.txt' });
  await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'S'), ['a.txt', 'b.txt']);
  assert.is((await download(env.fabrikam, tgt.id, 'S/a.txt')).toString(), 'content of b, longer');
  assert.is((await download(env.fabrikam, tgt.id, 'S/b.txt')).toString(), 'content of a');
});

test('OneDrive: a replay from scratch over existing copies uploads nothing (size and hash match)', async () => {
  const { src, tgt } = await userPair(env, 'hal');
  for (let i = 0; i < 6; i++) await putFile(env.contoso, src.id, `Set/f${i}.bin`, randomBytes(1000 + i));
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'onedrive' as const };
  const first = await syncWorkload({ ...base, mode: 'initial' });
  assert.is(first.items, 6);
  const before = (await env.fabrikam.api(`/users/${tgt.id}/drive/root:/Set:/children`).get()) as { value: { id: string; eTag: string }[] };
  const replay = await syncWorkload({ ...base, mode: 'initial' });
  assert.is(replay.items, 0, 'every file was recognised as already copied');
  const after = (await env.fabrikam.api(`/users/${tgt.id}/drive/root:/Set:/children`).get()) as { value: { id: string; eTag: string }[] };
  assert.equal(after.value.map((i) => i.eTag).sort(), before.value.map((i) => i.eTag).sort(), 'no file was rewritten');
});

test('OneDrive: an abort mid-run, then a re-run from the last checkpoint: one copy of each file', async () => {
  const { src, tgt } = await userPair(env, 'ida');
  for (let i = 0; i < 40; i++) await putFile(env.contoso, src.id, `Many/file${String(i).padStart(2, '0')}.txt`, Buffer.from(`content ${i}`));
  const ctl = new AbortController();
  let last: SyncWatermark | undefined;
  try {
    await syncWorkload({
      source: env.source,
      target: env.target,
      sourceUserId: src.id,
      targetUserId: tgt.id,
      workload: 'onedrive',
      mode: 'initial',
      signal: ctl.signal,
      onProgress: (p) => p.items >= 10 && ctl.abort(),
      saveWatermark: async (w) => void (last = w),
    });
    assert.unreachable('aborted');
  } catch (e) {
    assert.is((e as Error).name, 'AbortError');
  }
  const partial = await driveChildren(env.fabrikam, tgt.id, 'Many');
  assert.ok(partial.length >= 10 && partial.length < 40, `${partial.length} files before the abort`);
  await syncWorkload({ source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'onedrive', mode: 'initial', ...(last ? { watermark: last } : {}) });
  const names = await driveChildren(env.fabrikam, tgt.id, 'Many');
  assert.equal(names, Array.from({ length: 40 }, (_, i) => `file${String(i).padStart(2, '0')}.txt`), 'each file once, none renamed to "file 1.txt"');
});

test("OneDrive: folder and file names with '%', '#', spaces and quotes, an empty file and a deep tree are copied, then a file changed in such a folder", async () => {
  const { src, tgt } = await userPair(env, 'pct');
  const e = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  const files: Record<string, Buffer> = {
    '100% done/50%41 of it.txt': Buffer.from('percent'),
    'C# notes/#1 (draft).txt': Buffer.from('hash'),
    "Bob's 'files'/a + b.txt": Buffer.from('quote'),
    'empty.txt': Buffer.alloc(0),
    'L1/L2/L3/L4/L5/L6/L7/L8/deep.txt': Buffer.from('deep'),
  };
  for (const [path, bytes] of Object.entries(files)) await putFile(env.contoso, src.id, e(path), bytes);
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'onedrive' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  assert.is(wm1.items, 5);
  for (const [path, bytes] of Object.entries(files)) assert.is((await download(env.fabrikam, tgt.id, e(path))).toString(), bytes.toString(), path);
  assert.equal(await driveChildren(env.fabrikam, tgt.id, ''), ["Bob's 'files'", 'C# notes', 'L1', '100% done', 'empty.txt'].sort());

  // Only the file changes: its folder is not in the delta, so its path comes from the file's
  // parentReference (a name with a '%' that is not an escape once made the whole sync fail).
  await putFile(env.contoso, src.id, e('100% done/50%41 of it.txt'), Buffer.from('percent, second version'));
  await putFile(env.contoso, src.id, 'empty.txt', Buffer.from('no longer empty'));
  const wm2 = await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  assert.is(wm2.items - wm1.items, 2);
  assert.is((await download(env.fabrikam, tgt.id, e('100% done/50%41 of it.txt'))).toString(), 'percent, second version');
  assert.is((await download(env.fabrikam, tgt.id, 'empty.txt')).toString(), 'no longer empty');
  assert.equal(await driveChildren(env.fabrikam, tgt.id, '100%25%20done'), ['50%41 of it.txt']);
});

test('a parentReference.path in either of the forms Graph writes, percent-encoded or not, gives the folder path', () => {
  assert.is(pathFromReference('/drive/root:'), '');
  assert.is(pathFromReference('/drive/root:/Docs/My%20Folder'), 'Docs/My Folder');
  // Read through /drives/{id} (as the sync reads the source drive), Graph writes the drive's id
  assert.is(pathFromReference('/drives/b!6SQl0y4WHkS2P5Me-IsSGpKw/root:/Assignments/Test%20File%20Distribution'), 'Assignments/Test File Distribution');
  assert.is(pathFromReference('/drives/b!6SQl0y4WHkS2P5Me-IsSGpKw/root:'), '');
  assert.is(pathFromReference('/drive/root:/100%25%20done/C%23%20notes'), '100% done/C# notes');
  assert.is(pathFromReference('/drive/root:/100% done'), '100% done', 'a name left unencoded is taken as written');
});

test("OneDrive: the drive's delta position left out of a full marker (fitMarker), then a rename and a move: read again from the start, nothing copied twice", async () => {
  const { src, tgt } = await userPair(env, 'fit');
  await putFile(env.contoso, src.id, 'Docs/a.txt', Buffer.from('file a'));
  await putFile(env.contoso, src.id, 'Box/Inner/c.txt', Buffer.from('file c'));
  await putFile(env.contoso, src.id, 'Archive/keep.txt', Buffer.from('keep'));
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'onedrive' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  assert.is(wm1.items, 3);

  // The marker also holds a mailbox with many folders: too big for Graph's 2 KB, so the longest
  // positions are left out, here the drive's.
  const d = wm1.deltaLinks!['d']!;
  const folders = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f:${String(i).padStart(12, '0')}`, 'x'.repeat(Math.max(1, d.length - 20))]));
  const fitted = fitMarker({ phase: 'synced', sync: { mailbox: { items: 1, bytes: 1, deltaLinks: folders }, onedrive: wm1 } });
  assert.ok(fitted.dropped > 0);
  const stored = (fitted.marker['sync'] as { onedrive: SyncWatermark }).onedrive;
  assert.is(stored.deltaLinks!['d'], undefined, "the drive's position was left out");

  const archiveId = ((await env.contoso.api(`/users/${src.id}/drive/root:/Archive`).get()) as { id: string }).id;
  await env.contoso.api(`/users/${src.id}/drive/root:/Docs/a.txt`).patch({ name: 'a2.txt' });
  await env.contoso.api(`/users/${src.id}/drive/root:/Box`).patch({ name: 'Box2', parentReference: { id: archiveId } });
  const rec = recording(env.target);
  const wm2 = await syncWorkload({ ...base, target: rec.client, mode: 'delta', watermark: stored });
  assert.is(wm2.items, wm1.items, 'nothing copied again');
  assert.is(rec.calls.filter((c) => c.method === 'PUT' || c.url.endsWith('/createUploadSession')).length, 0, 'no upload');
  assert.equal(await driveChildren(env.fabrikam, tgt.id, ''), ['Archive', 'Docs'], 'no copy left under the old folder name');
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'Docs'), ['a2.txt']);
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'Archive'), ['Box2', 'keep.txt']);
  assert.is((await download(env.fabrikam, tgt.id, 'Archive/Box2/Inner/c.txt')).toString(), 'file c');
});

test('OneDrive delta: a sub-folder renamed, then its parent renamed and moved: both moved in the target with the unchanged files, nothing left at the old place', async () => {
  const { src, tgt } = await userPair(env, 'sub');
  await putFile(env.contoso, src.id, 'Box/Inner/c.txt', Buffer.from('file c'));
  await putFile(env.contoso, src.id, 'Box/other.txt', Buffer.from('other'));
  await putFile(env.contoso, src.id, 'Archive/keep.txt', Buffer.from('keep'));
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'onedrive' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  const archiveId = ((await env.contoso.api(`/users/${src.id}/drive/root:/Archive`).get()) as { id: string }).id;
  // Delta lists Inner2 (changed first) before Box2.
  await env.contoso.api(`/users/${src.id}/drive/root:/Box/Inner`).patch({ name: 'Inner2' });
  await env.contoso.api(`/users/${src.id}/drive/root:/Box`).patch({ name: 'Box2', parentReference: { id: archiveId } });
  const wm2 = await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  assert.is(wm2.items, wm1.items, 'nothing copied again');
  assert.equal(await driveChildren(env.fabrikam, tgt.id, ''), ['Archive'], 'no copy left under the old folder name');
  assert.equal(await driveChildren(env.fabrikam, tgt.id, 'Archive/Box2'), ['Inner2', 'other.txt']);
  assert.is((await download(env.fabrikam, tgt.id, 'Archive/Box2/Inner2/c.txt')).toString(), 'file c');
});

test.run();
