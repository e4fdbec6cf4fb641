// OneDrive content sync: the source drive's delta replayed on the target drive by path. Folders
// are created by path, files downloaded and uploaded (simple PUT up to 4 MiB, an upload session
// above), deletions propagated. A file whose copy already has the same size and hash is skipped,
// so a replay after a crash writes nothing twice; path-addressed uploads with conflictBehavior
// replace never make a second copy. The watermark keeps the drive's delta position.
import type { SyncWatermark } from '../inventory/model.js';
import type { TenantClient } from '../tenant/client.js';
import { uploadFile } from './drive-upload.js';
import { ignoreNotFound, pool, statusOf, type SyncRun } from './sync-context.js';

const KEY = 'd';

interface DriveItem {
  id: string;
  name?: string;
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
  const T = `/users/${encodeURIComponent(targetUserId)}/drive`;
  // Provisions the target OneDrive on first access, as the service does.
  await target.graph.get(`${T}?$select=id`, { ...sig, object: `OneDrive of user ${targetUserId}` });

  /** Source item id -> path relative to the root ('' for the root). */
  const paths = new Map<string, string>();
  const pathOf = async (item: DriveItem): Promise<string | undefined> => {
    if (item.root !== undefined) return '';
    const parent = await parentPath(item);
    return parent === undefined || item.name === undefined ? undefined : parent ? `${parent}/${item.name}` : item.name;
  };
  const parentPath = async (item: DriveItem): Promise<string | undefined> => {
    const p = item.parentReference?.path;
    if (p !== undefined) {
      const rel = p.replace(/^\/drive\/root:?\/?/, '');
      return rel.split('/').map((s) => decodeURIComponent(s)).join('/');
    }
    // Delta may leave out parentReference.path: resolve the parent by id.
    const pid = item.parentReference?.id;
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

  const madeFolders = new Set<string>(['']);
  /** Make sure the target has the folder; true when it had to be created. */
  const ensureFolder = async (path: string): Promise<boolean> => {
    if (madeFolders.has(path)) return false;
    const cut = path.lastIndexOf('/');
    const parent = cut < 0 ? '' : path.slice(0, cut);
    const name = cut < 0 ? path : path.slice(cut + 1);
    const existing = await ignoreNotFound(target.graph.get<DriveItem>(`${T}/root:/${enc(path)}?$select=id,folder`, sig));
    if (!existing) {
      await ensureFolder(parent);
      const url = parent ? `${T}/root:/${enc(parent)}:/children` : `${T}/root/children`;
      try {
        // 'fail' makes a repeat harmless (409), so the POST is safe to retry.
        await target.graph.post(url, { name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' }, { ...sig, safe: true, object: `folder ${path}` });
      } catch (e) {
        if (statusOf(e) !== 409) throw e;
      }
    }
    madeFolders.add(path);
    return !existing;
  };

  const copyFile = async (item: DriveItem, path: string): Promise<void> => {
    const copy = await ignoreNotFound(target.graph.get<DriveItem>(`${T}/root:/${enc(path)}?$select=id,size,file`, sig));
    if (copy && sameContent(item, copy)) return;
    const bytes = await ignoreNotFound(source.graph.bytes(`${D}/items/${encodeURIComponent(item.id)}/content`, { ...sig, object: `file ${path}` }));
    if (!bytes) return; // deleted since the delta: the next round reports it
    const cut = path.lastIndexOf('/');
    if (cut > 0) await ensureFolder(path.slice(0, cut));
    await uploadFile(target, T, path, bytes, run.signal);
    run.copied(1, bytes.length);
  };

  const removeCopy = async (item: DriveItem): Promise<void> => {
    const path = await pathOf(item);
    if (!path) return;
    // Deleted and created again under the same name: the new item's copy stays.
    const live = await ignoreNotFound(source.graph.get<DriveItem>(`${D}/root:/${enc(path)}?$select=id`, sig));
    if (live) return;
    await ignoreNotFound(target.graph.delete(`${T}/root:/${enc(path)}`, { ...sig, object: `${item.folder ? 'folder' : 'file'} ${path}` }));
    madeFolders.delete(path);
  };

  /** A folder that appears under a new path in a delta (renamed or moved): delta does not report
   *  its unchanged children again, so they are copied from a listing (copies already there are skipped). */
  const copySubtree = async (folderId: string, path: string): Promise<void> => {
    for await (const page of source.graph.pages<DriveItem>(`${D}/items/${encodeURIComponent(folderId)}/children?$top=200`, sig)) {
      for (const c of page) {
        if (!c.name) continue;
        const p = `${path}/${c.name}`;
        if (c.folder !== undefined) {
          paths.set(c.id, p);
          await ensureFolder(p);
          await copySubtree(c.id, p);
        }
      }
      await pool(page.filter((c) => c.file !== undefined && c.name), run.concurrency, (c) => copyFile(c, `${path}/${c.name}`));
    }
  };

  const stored = run.links[KEY];
  const isDelta = stored !== undefined;
  let url = stored !== undefined ? `${D}/root/delta?${stored}` : `${D}/root/delta`;
  let fromStored = stored !== undefined;
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
        continue;
      }
      throw e;
    }
    fromStored = false;
    const items = page.value ?? [];
    const live = items.filter((i) => i.deleted === undefined && i.root === undefined);
    // Folders first (in order, parents before children), then files in parallel, then deletions.
    for (const f of live.filter((i) => i.folder !== undefined)) {
      const path = await pathOf(f);
      if (path === undefined) continue;
      paths.set(f.id, path);
      if ((await ensureFolder(path)) && isDelta) await copySubtree(f.id, path);
    }
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
  await run.checkpoint();
  return run.finish();
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
