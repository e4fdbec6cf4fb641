// OneDrive content sync after crashes: a run that copies files and then fails (its marker write
// refused, or an abort through the signal, mid upload session too), changes in the source before
// the re-run (renames, moves, replaced and deleted files, a renamed folder), and a re-run (its
// saved position refused with 410 too) that must leave every source file exactly once at its
// current path with its current content, nothing of the deleted files for a user t2t created,
// and every file of an adopted user's own.
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TenantError } from '../../engine/errors.js';
import type { SyncWatermark } from '../../engine/inventory/model.js';
import { SIMPLE_MAX } from '../../engine/sync/drive-upload.js';
import { syncWorkload, type SyncWorkloadOptions } from '../../engine/sync/sync-workload.js';
import type { TenantClient } from '../../engine/tenant/client.js';
import { download, putFile, startSyncEnv, userPair, type SyncEnv } from './setup.js';
import type { Client } from '@microsoft/microsoft-graph-client';

let env: SyncEnv;

test.before(async () => {
  env = await startSyncEnv();
});

test.after(async () => {
  await env?.stop();
});

/** Every file of a drive by path, with its content (hex for binary), and every folder as 'path/'. */
async function tree(client: Client, userId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (path: string): Promise<void> => {
    const url = path ? `/users/${userId}/drive/root:/${path}:/children` : `/users/${userId}/drive/root/children`;
    const page = (await client.api(url).get()) as { value: { name: string; folder?: unknown }[] };
    for (const c of page.value) {
      const p = path ? `${path}/${c.name}` : c.name;
      if (c.folder !== undefined) {
        out[`${p}/`] = '';
        await walk(p.split('/').map(encodeURIComponent).join('/'));
      } else {
        const b = await download(client, userId, p.split('/').map(encodeURIComponent).join('/'));
        out[p] = b.length > 1000 ? `${b.length}:${b.subarray(0, 16).toString('hex')}:${b.subarray(-16).toString('hex')}` : b.toString();
      }
    }
  };
  await walk('');
  return out;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const src = (userId: string, path: string) => env.contoso.api(`/users/${userId}/drive/root:/${path}`);

/** A marker store: keeps the last watermark written; from the `failFrom`th write on, refuses. */
function markerStore(initial: SyncWatermark | undefined, failWhen: (w: SyncWatermark) => boolean) {
  const store = { saved: initial, writes: 0 };
  const save = async (w: SyncWatermark) => {
    store.writes++;
    if (failWhen(w)) throw new Error('marker write failed');
    store.saved = w;
  };
  return { store, save };
}

async function crashes(p: Promise<unknown>, what: RegExp): Promise<void> {
  try {
    await p;
    assert.unreachable('the run crashed');
  } catch (e) {
    assert.match(`${(e as Error).name}: ${(e as Error).message}`, what, `${(e as Error).name}: ${(e as Error).message}`);
  }
}

test('a delta run copies new files and a new folder, then its marker write fails; renamed, moved, replaced and deleted in the source, then a re-run: the target is the source, each file once', async () => {
  for (const adopted of [false, true]) {
    const { src: s, tgt: t } = await userPair(env, adopted ? 'cra' : 'crc');
    await putFile(env.contoso, s.id, 'Docs/old.txt', Buffer.from('old file'));
    await putFile(env.contoso, s.id, 'Archive/keep.txt', Buffer.from('keep'));
    if (adopted) await putFile(env.fabrikam, t.id, 'Mine/own.txt', Buffer.from('the adopted user\'s own file'));
    const base: SyncWorkloadOptions = { source: env.source, target: env.target, sourceUserId: s.id, targetUserId: t.id, workload: 'onedrive', mode: 'initial', keepUnpaired: adopted };
    const wm1 = await syncWorkload(base);
    await wait(20);
    // Created after the first run completed; copied by the run that crashes.
    await putFile(env.contoso, s.id, 'Docs/renamed.txt', Buffer.from('to be renamed'));
    await putFile(env.contoso, s.id, 'Docs/moved.txt', Buffer.from('to be moved'));
    await putFile(env.contoso, s.id, 'Docs/replaced.txt', Buffer.from('first version'));
    await putFile(env.contoso, s.id, 'Docs/deleted.txt', Buffer.from('to be deleted'));
    await putFile(env.contoso, s.id, 'Docs/recreated.txt', Buffer.from('first item'));
    await putFile(env.contoso, s.id, 'New/Inner/n.txt', Buffer.from('in a new folder'));
    const m = markerStore(wm1, (w) => w.items > wm1.items);
    await crashes(syncWorkload({ ...base, mode: 'delta', watermark: wm1, saveWatermark: m.save }), /marker write failed/);
    assert.is((await download(env.fabrikam, t.id, 'New/Inner/n.txt')).toString(), 'in a new folder', 'the crashed run copied the new files');

    const archiveId = ((await src(s.id, 'Archive').get()) as { id: string }).id;
    await src(s.id, 'Docs/renamed.txt').patch({ name: 'renamed2.txt' });
    await src(s.id, 'Docs/moved.txt').patch({ parentReference: { id: archiveId } });
    await putFile(env.contoso, s.id, 'Docs/replaced.txt', Buffer.from('second version, longer'));
    await src(s.id, 'Docs/deleted.txt').delete();
    await src(s.id, 'Docs/recreated.txt').delete();
    await putFile(env.contoso, s.id, 'Docs/recreated.txt', Buffer.from('second item'));
    await src(s.id, 'New').patch({ name: 'New2' });

    await syncWorkload({ ...base, mode: 'delta', watermark: m.store.saved! });
    const expected = await tree(env.contoso, s.id);
    if (adopted) Object.assign(expected, { 'Mine/': '', 'Mine/own.txt': "the adopted user's own file" });
    assert.equal(await tree(env.fabrikam, t.id), expected, adopted ? 'adopted user' : 'created user');
  }
});

test('a first run aborted before any checkpoint, then a file renamed and a folder renamed, then a re-run: each file once at its current path', async () => {
  const { src: s, tgt: t } = await userPair(env, 'cfa');
  for (let i = 0; i < 12; i++) await putFile(env.contoso, s.id, `Box/f${String(i).padStart(2, '0')}.txt`, Buffer.from(`content ${i}`));
  await putFile(env.contoso, s.id, 'top.txt', Buffer.from('top'));
  const ctl = new AbortController();
  const m = markerStore(undefined, () => false);
  const base: SyncWorkloadOptions = { source: env.source, target: env.target, sourceUserId: s.id, targetUserId: t.id, workload: 'onedrive', mode: 'initial' };
  await crashes(
    syncWorkload({ ...base, signal: ctl.signal, concurrency: 1, onProgress: (p) => p.items >= 6 && ctl.abort(), saveWatermark: m.save }),
    /AbortError/,
  );
  assert.is(m.store.saved?.deltaLinks?.['d'], undefined, 'no delta position was saved');
  await src(s.id, 'top.txt').patch({ name: 'top2.txt' });
  await src(s.id, 'Box').patch({ name: 'Box2' });
  await syncWorkload({ ...base, ...(m.store.saved ? { watermark: m.store.saved } : {}) });
  assert.equal(await tree(env.fabrikam, t.id), await tree(env.contoso, s.id));
});

/** The target client aborts `ctl` once `n` fragments of an upload session were sent. */
function abortingAfterFragments(c: TenantClient, ctl: AbortController, n: number): TenantClient {
  let sent = 0;
  const g = c.graph;
  return {
    ...c,
    graph: {
      ...g,
      preauthenticated: (async (method, url, data, ct, o) => {
        const r = await g.preauthenticated(method, url, data, ct, o);
        if (o?.headers?.['Content-Range'] && ++sent >= n) ctl.abort();
        return r;
      }) as TenantClient['graph']['preauthenticated'],
    },
  };
}

test('an abort in the middle of an upload session, then the file replaced in the source, another deleted, and a re-run: one file with the current content, the deleted one gone', async () => {
  const { src: s, tgt: t } = await userPair(env, 'cup');
  await putFile(env.contoso, s.id, 'small.txt', Buffer.from('small'));
  const base: SyncWorkloadOptions = { source: env.source, target: env.target, sourceUserId: s.id, targetUserId: t.id, workload: 'onedrive', mode: 'initial' };
  const wm1 = await syncWorkload(base);
  await wait(20);
  await putFile(env.contoso, s.id, 'Big/doomed.txt', Buffer.from('copied, then deleted'));
  const big = randomBytes(SIMPLE_MAX + 2_000_000);
  await putFile(env.contoso, s.id, 'Big/big.bin', big);
  const ctl = new AbortController();
  const m = markerStore(wm1, () => false);
  await crashes(syncWorkload({ ...base, mode: 'delta', watermark: wm1, concurrency: 1, target: abortingAfterFragments(env.target, ctl, 1), signal: ctl.signal, saveWatermark: m.save }), /AbortError/);
  // Mid upload: no file at the big one's path (a session makes the item when it completes).
  const partial = await tree(env.fabrikam, t.id);
  assert.is(partial['Big/big.bin'], undefined, JSON.stringify(partial));

  // Re-run over the unfinished session: the file once.
  const wm2 = await syncWorkload({ ...base, mode: 'delta', watermark: m.store.saved! });
  assert.equal(await tree(env.fabrikam, t.id), await tree(env.contoso, s.id));

  // Again: the run crashes mid-session, the file is replaced meanwhile and another deleted.
  await wait(20);
  await putFile(env.contoso, s.id, 'Big/big.bin', randomBytes(SIMPLE_MAX + 3_500_000));
  const ctl2 = new AbortController();
  const m2 = markerStore(wm2, () => false);
  await crashes(syncWorkload({ ...base, mode: 'delta', watermark: wm2, target: abortingAfterFragments(env.target, ctl2, 1), signal: ctl2.signal, saveWatermark: m2.save }), /AbortError/);
  await putFile(env.contoso, s.id, 'Big/big.bin', randomBytes(SIMPLE_MAX + 2_500_000));
  await src(s.id, 'Big/doomed.txt').delete();
  await syncWorkload({ ...base, mode: 'delta', watermark: m2.store.saved! });
  assert.equal(await tree(env.fabrikam, t.id), await tree(env.contoso, s.id));
});

/** The source refuses the drive's saved delta position (410, as an expired sync state). */
function refusingPosition(c: TenantClient): TenantClient {
  const g = c.graph;
  return {
    ...c,
    graph: {
      ...g,
      get: (url, o) =>
        /\/root\/delta\?.*token=/.test(url) && !/skiptoken/.test(url)
          ? Promise.reject(new TenantError(`tenant '${c.name}': GET ${url} failed (410): resyncRequired`, 'tenant.failed', { tenant: c.name, status: 410 }))
          : g.get(url, o),
    },
  };
}

test('a crashed delta run, then files deleted, renamed and a folder renamed in the source, and the saved position refused (410) on the re-run: read again from the start, the target is the source', async () => {
  for (const adopted of [false, true]) {
    const { src: s, tgt: t } = await userPair(env, adopted ? 'cga' : 'cgc');
    await putFile(env.contoso, s.id, 'Docs/old.txt', Buffer.from('old file'));
    await putFile(env.contoso, s.id, 'Docs/old-deleted.txt', Buffer.from('old file, deleted'));
    await putFile(env.contoso, s.id, 'Folder/Inner/x.txt', Buffer.from('x'));
    if (adopted) await putFile(env.fabrikam, t.id, 'Docs/own.txt', Buffer.from('own'));
    const base: SyncWorkloadOptions = { source: env.source, target: env.target, sourceUserId: s.id, targetUserId: t.id, workload: 'onedrive', mode: 'initial', keepUnpaired: adopted };
    const wm1 = await syncWorkload(base);
    await wait(20);
    await putFile(env.contoso, s.id, 'Docs/new-deleted.txt', Buffer.from('new file, deleted'));
    await putFile(env.contoso, s.id, 'Docs/new-renamed.txt', Buffer.from('new file, renamed'));
    const m = markerStore(wm1, (w) => w.items > wm1.items);
    await crashes(syncWorkload({ ...base, mode: 'delta', watermark: wm1, saveWatermark: m.save }), /marker write failed/);
    await src(s.id, 'Docs/new-deleted.txt').delete();
    await src(s.id, 'Docs/old-deleted.txt').delete();
    await src(s.id, 'Docs/new-renamed.txt').patch({ name: 'new-renamed2.txt' });
    await src(s.id, 'Folder').patch({ name: 'Folder2' });
    const warnings: string[] = [];
    await syncWorkload({ ...base, source: refusingPosition(env.source), mode: 'delta', watermark: m.store.saved!, onWarning: (w) => warnings.push(w) });
    assert.ok(warnings.some((w) => /refused \(410\)/.test(w)), warnings.join('\n'));
    const expected = await tree(env.contoso, s.id);
    if (adopted) expected['Docs/own.txt'] = 'own';
    assert.equal(await tree(env.fabrikam, t.id), expected, adopted ? 'adopted user' : 'created user');
  }
});

test.run();
