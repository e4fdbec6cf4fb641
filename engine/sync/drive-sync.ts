// OneDrive content sync: the source drive's delta replayed on the target drive. Folders are
// created by path, files downloaded and uploaded (simple PUT up to 4 MiB, an upload session
// above), deletions propagated. Each copy is paired with its source item by the source item's id,
// kept in the copy's description (the checkpoint stays small: no id map in the marker), so a
// renamed or moved source item is renamed or moved in the target (PATCH name/parentReference),
// not copied a second time. A file whose copy already has the same size and hash is skipped, so a
// replay after a crash writes nothing twice; path-addressed uploads with conflictBehavior replace
// never make a second copy. The watermark keeps the drive's delta position.
import type { SyncWatermark } from '../inventory/model.js';
import type { TenantClient } from '../tenant/client.js';
import { uploadFile } from './drive-upload.js';
import { ignoreNotFound, pool, statusOf, type SyncRun } from './sync-context.js';

const KEY = 'd';

interface DriveItem {
  id: string;
  name?: string;
  description?: string;
  createdDateTime?: string;
  size?: number;
  root?: unknown;
  folder?: unknown;
  file?: { hashes?: { quickXorHash?: string; sha256Hash?: string } };
  deleted?: unknown;
  parentReference?: { id?: string; path?: string };
}

interface DeltaPage {
  value?: DriveItem[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** A copy's description: TAG + the id of its source item. */
const TAG = 't2t-source-item:';
const TARGET_SELECT = 'id,name,size,file,folder,description,parentReference';

/** A paired copy as the target index knows it. */
interface Copy {
  id: string;
  name: string;
  parentId?: string;
}

const sourceIdOf = (i: DriveItem): string | undefined => (i.description?.startsWith(TAG) ? i.description.slice(TAG.length) : undefined);
const parentOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

const enc = (path: string) => path.split('/').map(encodeURIComponent).join('/');

function queryOf(link: string): string {
  const i = link.indexOf('?');
  return i >= 0 ? link.slice(i + 1) : '';
}

export async function syncDrive(run: SyncRun, source: TenantClient, target: TenantClient, sourceUserId: string, targetUserId: string): Promise<SyncWatermark> {
  const sig = run.signal ? { signal: run.signal } : {};
  const srcDrive = await ignoreNotFound(source.graph.get<{ id: string }>(`/users/${encodeURIComponent(sourceUserId)}/drive?$select=id`, { ...sig, object: `OneDrive of user ${sourceUserId}` }));
  if (!srcDrive) {
    run.warn(`the source user ${sourceUserId} has no OneDrive: nothing to copy`);
    return run.finish();
  }
  const D = `/drives/${encodeURIComponent(srcDrive.id)}`;
  const stored = run.links[KEY];
  const isDelta = stored !== undefined;
  const T = `/users/${encodeURIComponent(targetUserId)}/drive`;
  // Provisions the target OneDrive on first access, as the service does.
  await target.graph.get(`${T}?$select=id`, { ...sig, object: `OneDrive of user ${targetUserId}` });
  const targetRoot = await target.graph.get<DriveItem>(`${T}/root?$select=id`, { ...sig, object: `OneDrive of user ${targetUserId}` });

  /** Source item id -> path relative to the root ('' for the root). */
  const paths = new Map<string, string>();
  const pathOf = async (item: DriveItem): Promise<string | undefined> => {
    if (item.root !== undefined) return '';
    const parent = await parentPath(item);
    return parent === undefined || item.name === undefined ? undefined : parent ? `${parent}/${item.name}` : item.name;
  };
  const parentPath = async (item: DriveItem): Promise<string | undefined> => {
    const pid = item.parentReference?.id;
    // A parent this run already placed (delta lists folders before their children): its path is
    // known by id, exactly, whatever its name holds.
    if (pid && paths.has(pid)) return paths.get(pid);
    const p = item.parentReference?.path;
    if (p !== undefined) return pathFromReference(p);
    // Delta may leave out parentReference.path: resolve the parent by id.
    if (!pid) return undefined;
    if (!paths.has(pid)) {
      const parent = await ignoreNotFound(source.graph.get<DriveItem>(`${D}/items/${encodeURIComponent(pid)}?$select=id,name,root,parentReference`, sig));
      if (!parent) return undefined; // the parent is gone too: its own deletion covers this item
      const pp = await pathOf(parent);
      if (pp === undefined) return undefined;
      paths.set(pid, pp);
    }
    return paths.get(pid);
  };

  /** Target folder id by path relative to the root ('' for the root). */
  const folderIds = new Map<string, string>([['', targetRoot.id]]);
  /** Make sure the target has the folder; its id, and whether it had to be created. */
  const ensureFolder = async (path: string): Promise<{ id: string; created: boolean }> => {
    const known = folderIds.get(path);
    if (known) return { id: known, created: false };
    const cut = path.lastIndexOf('/');
    const parent = cut < 0 ? '' : path.slice(0, cut);
    const name = cut < 0 ? path : path.slice(cut + 1);
    const lookup = () => ignoreNotFound(target.graph.get<DriveItem>(`${T}/root:/${enc(path)}?$select=id,folder`, sig));
    let existing = await lookup();
    let created = false;
    if (!existing) {
      const parentId = (await ensureFolder(parent)).id;
      try {
        // 'fail' makes a repeat harmless (409), so the POST is safe to retry.
        existing = await target.graph.post<DriveItem>(`${T}/items/${encodeURIComponent(parentId)}/children`, { name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' }, { ...sig, safe: true, object: `folder ${path}` });
        created = true;
      } catch (e) {
        if (statusOf(e) !== 409) throw e;
        existing = await lookup();
        if (!existing) throw e;
      }
    }
    folderIds.set(path, existing.id);
    return { id: existing.id, created };
  };

  // Pairing: each copy carries its source item's id in its description (TAG + id), so a source
  // item that was renamed or moved is found at its old place and moved there too, not copied again.
  const prevEnd = run.previousRunEnd();
  /** A run began after the last completed one and did not complete: it may have copied any item. */
  const unfinished = run.unfinishedRun();
  /** Copies may exist: a position was saved, a run completed (its position can have been left
   *  out of a full marker: the drive is then read from the start, over the copies it made), or a
   *  run began (it can have crashed before it saved a position). */
  const copiesMade = isDelta || prevEnd !== undefined || unfinished;
  /** An item that existed at a previous run can have a copy somewhere else in the target: one
   *  created before the last completed run ended, or any item when a later run did not complete. */
  const mayHaveCopy = (i: DriveItem) => copiesMade && (unfinished || prevEnd === undefined || !i.createdDateTime || Date.parse(i.createdDateTime) < prevEnd);
  let indexing: Promise<Map<string, Copy>> | undefined;
  /** Source item id -> its copy, from one listing of the target drive (read once, when first needed). */
  const targetIndex = () =>
    (indexing ??= (async () => {
      const map = new Map<string, Copy>();
      for await (const page of target.graph.pages<DriveItem>(`${T}/root/delta?$select=id,name,description,parentReference,folder,file,root,deleted`, { ...sig, object: `OneDrive of user ${targetUserId}` })) {
        for (const i of page) {
          const src = sourceIdOf(i);
          if (src && i.deleted === undefined && i.name) map.set(src, { id: i.id, name: i.name, ...(i.parentReference?.id ? { parentId: i.parentReference.id } : {}) });
        }
      }
      return map;
    })());

  /** Write the pairing onto a copy (once: a replaced file keeps its description). */
  const tag = async (copy: DriveItem, item: DriveItem, path: string): Promise<void> => {
    if (copy.description !== TAG + item.id) {
      await target.graph.patch(`${T}/items/${encodeURIComponent(copy.id)}`, { description: TAG + item.id }, { ...sig, object: `${item.folder ? 'folder' : 'file'} ${path}` });
    }
    if (indexing) (await indexing).set(item.id, { id: copy.id, name: nameOf(path), parentId: folderIds.get(parentOf(path)) ?? copy.parentReference?.id });
  };

  /**
   * The copy of `item` at `path`, or undefined when the target has none: the item at that path
   * (paired with it, or not paired yet: a copy made before pairing, or one whose pairing was not
   * written before a crash), else its paired copy elsewhere, renamed and/or moved to `path` by PATCH.
   */
  const placeCopy = async (item: DriveItem, path: string): Promise<DriveItem | undefined> => {
    const here = await ignoreNotFound(target.graph.get<DriveItem>(`${T}/root:/${enc(path)}?$select=${TARGET_SELECT}`, sig));
    const other = here && sourceIdOf(here);
    if (here && (other === undefined || other === item.id)) return here;
    if (!here && mayHaveCopy(item)) {
      const index = await targetIndex();
      const old = index.get(item.id);
      if (old) {
        const parentId = (await ensureFolder(parentOf(path))).id;
        const change: Record<string, unknown> = {};
        if (old.name !== nameOf(path)) change['name'] = nameOf(path);
        if (old.parentId !== parentId) change['parentReference'] = { id: parentId };
        if (Object.keys(change).length === 0) return undefined; // indexed at this very place, yet not found there: gone
        try {
          const moved = await target.graph.patch<DriveItem>(`${T}/items/${encodeURIComponent(old.id)}`, change, { ...sig, object: `${item.folder ? 'folder' : 'file'} ${path}` });
          index.set(item.id, { id: old.id, name: nameOf(path), parentId });
          // Folder paths below a moved folder changed: look them up again.
          if (item.folder !== undefined) for (const p of [...folderIds.keys()]) if (p) folderIds.delete(p);
          return moved;
        } catch (e) {
          if (statusOf(e) !== 404 && statusOf(e) !== 409) throw e;
          index.delete(item.id); // gone, or the name is taken: a new copy is made at `path`
          return undefined;
        }
      }
    }
    if (here && other !== undefined) {
      // The copy of another source item that has since left this path: this item's now.
      if (indexing) (await indexing).delete(other);
      return here;
    }
    return undefined;
  };

  const copyFile = async (item: DriveItem, path: string): Promise<void> => {
    const copy = await placeCopy(item, path);
    if (copy && sameContent(item, copy)) return tag(copy, item, path);
    const bytes = await ignoreNotFound(source.graph.bytes(`${D}/items/${encodeURIComponent(item.id)}/content`, { ...sig, object: `file ${path}` }));
    if (!bytes) return; // deleted since the delta: the next round reports it
    const cut = path.lastIndexOf('/');
    if (cut > 0) await ensureFolder(path.slice(0, cut));
    const written = await uploadFile(target, T, path, bytes, run.signal);
    await tag(written, item, path);
    run.copied(1, bytes.length);
  };

  /** A folder of the source at `path`: its copy found (or moved there), else created. */
  const placeFolder = async (f: DriveItem, path: string): Promise<void> => {
    const copy = await placeCopy(f, path);
    if (copy) {
      folderIds.set(path, copy.id);
      return tag(copy, f, path);
    }
    const made = await ensureFolder(path);
    await tag({ id: made.id }, f, path);
    // A folder that is new at this path in a delta (renamed or moved, and not paired: copied
    // before pairing existed): delta does not report its unchanged children again.
    if (made.created && isDelta) await copySubtree(f.id, path);
  };

  const removeCopy = async (item: DriveItem): Promise<void> => {
    const path = await pathOf(item);
    if (!path) return;
    let here = await ignoreNotFound(target.graph.get<DriveItem>(`${T}/root:/${enc(path)}?$select=id,description`, sig));
    if (!here && mayHaveCopy(item)) {
      // Renamed or moved, then deleted before this round: its copy is still at the old place.
      const old = (await targetIndex()).get(item.id);
      if (old) here = { id: old.id, description: TAG + item.id };
    }
    if (!here) return;
    const pairedWith = sourceIdOf(here);
    if (pairedWith !== undefined && pairedWith !== item.id) return; // another source item's copy
    if (pairedWith === undefined) {
      // an adopted user's own file may sit at that path: only a copy known as one is removed
      if (run.o.keepUnpaired) return;
      // Not paired (copied before pairing): deleted and created again under the same name, the new item's copy stays.
      const live = await ignoreNotFound(source.graph.get<DriveItem>(`${D}/root:/${enc(path)}?$select=id`, sig));
      if (live) return;
    }
    await ignoreNotFound(target.graph.delete(`${T}/items/${encodeURIComponent(here.id)}`, { ...sig, object: `${item.folder ? 'folder' : 'file'} ${path}` }));
    // A folder's copy may have been elsewhere: forget every folder path below the root.
    for (const p of [...folderIds.keys()]) if (p && (item.folder !== undefined || p === path)) folderIds.delete(p);
    if (indexing) (await indexing).delete(item.id);
  };

  /** Copies the children of a folder from a listing (copies already there are skipped). */
  const copySubtree = async (folderId: string, path: string): Promise<void> => {
    for await (const page of source.graph.pages<DriveItem>(`${D}/items/${encodeURIComponent(folderId)}/children?$top=200`, sig)) {
      for (const c of page) {
        if (!c.name || c.folder === undefined) continue;
        const p = `${path}/${c.name}`;
        paths.set(c.id, p);
        await placeFolder(c, p);
        await copySubtree(c.id, p);
      }
      await pool(page.filter((c) => c.file !== undefined && c.name), run.concurrency, (c) => copyFile(c, `${path}/${c.name}`));
    }
  };

  // Before anything is copied: the marker says a run began, so that the next run knows, if this
  // one does not complete, that items created since the last completed run may have copies.
  await run.begin();
  let url = stored !== undefined ? `${D}/root/delta?${stored}` : `${D}/root/delta`;
  let fromStored = stored !== undefined;
  /** Read from the start (no position, or one refused): every live item listed, no deletion reported. */
  let fromStart = stored === undefined;
  /** The source items a read from the start listed. */
  const listed = new Set<string>();
  for (;;) {
    run.checkAbort();
    let page: DeltaPage;
    try {
      page = await source.graph.get<DeltaPage>(url, { ...sig, object: `OneDrive of user ${sourceUserId}` });
    } catch (e) {
      if (fromStored && (statusOf(e) === 410 || statusOf(e) === 400)) {
        run.warn(`OneDrive of ${sourceUserId}: the saved delta position was refused (${statusOf(e)}); reading the drive again from the start (unchanged files are skipped)`);
        url = `${D}/root/delta`;
        fromStored = false;
        fromStart = true;
        continue;
      }
      throw e;
    }
    fromStored = false;
    const items = page.value ?? [];
    if (fromStart) for (const i of items) listed.add(i.id);
    const live = items.filter((i) => i.deleted === undefined && i.root === undefined);
    // Folders first, parents before children, then files in parallel, then deletions. Delta lists
    // an item where it last changed: a folder moved after its sub-folder was renamed comes after
    // it, and placing the sub-folder first would make the moved folder's new path from scratch
    // (its copy then left behind at the old place, with the children delta does not list again).
    const folders: { item: DriveItem; path: string }[] = [];
    for (const f of live.filter((i) => i.folder !== undefined)) {
      const path = await pathOf(f);
      if (path === undefined) continue;
      paths.set(f.id, path);
      folders.push({ item: f, path });
    }
    const depth = (path: string) => path.split('/').length;
    folders.sort((a, b) => depth(a.path) - depth(b.path));
    for (const { item, path } of folders) await placeFolder(item, path);
    const files: { item: DriveItem; path: string }[] = [];
    for (const f of live.filter((i) => i.file !== undefined)) {
      const path = await pathOf(f);
      if (path) files.push({ item: f, path });
    }
    await pool(files, run.concurrency, ({ item, path }) => copyFile(item, path));
    for (const d of items.filter((i) => i.deleted !== undefined)) await removeCopy(d);
    if (files.length) run.batchDone();
    const next = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
    if (!next) throw new Error('a drive delta page carried neither @odata.nextLink nor @odata.deltaLink');
    run.links[KEY] = queryOf(next);
    if (page['@odata.deltaLink']) break;
    await run.pageDone();
    url = `${D}/root/delta?${queryOf(next)}`;
  }
  if (fromStart && copiesMade) {
    // A read from the start reports no deletion: the copies of source items deleted since the
    // copies were made (a refused position, one left out of a full marker, a crashed first run)
    // are the paired copies whose source item it did not list.
    const gone = [...(await targetIndex())].filter(([src]) => !listed.has(src));
    for (const [, copy] of gone) await ignoreNotFound(target.graph.delete(`${T}/items/${encodeURIComponent(copy.id)}`, { ...sig, object: `copy ${copy.name} of a deleted item` }));
  }
  await run.checkpoint();
  return run.finish();
}

/**
 * The folder path in a parentReference.path, relative to the drive's root ('' for the root).
 * Graph writes `/drive/root:/a/b` or, for an item read through /drives/{id}, `/drives/{id}/root:/a/b`:
 * everything up to the first colon is the API's prefix. Names are percent-encoded there; a segment
 * that does not decode (a '%' left as it is) is taken as written.
 */
export function pathFromReference(p: string): string {
  const colon = p.indexOf(':');
  const rel = (colon >= 0 ? p.slice(colon + 1) : p.replace(/^\/drives?\/[^/]*\/root/, '')).replace(/^\/+/, '');
  return rel
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join('/');
}

/** Same bytes: equal size and an equal content hash the service computed on both sides. */
function sameContent(a: DriveItem, b: DriveItem): boolean {
  if (a.size === undefined || a.size !== b.size) return false;
  const ha = a.file?.hashes;
  const hb = b.file?.hashes;
  if (ha?.quickXorHash && hb?.quickXorHash) return ha.quickXorHash === hb.quickXorHash;
  if (ha?.sha256Hash && hb?.sha256Hash) return ha.sha256Hash === hb.sha256Hash;
  return false;
}
