// Mail content sync (mailbox or archive) over a MailTransport: the source folder tree is
// mirrored in the target (well-known folders by name, others by path, created when missing),
// then each folder's item delta is replayed: new items copied in batches of ≤ 20, changed items
// written over their copy (Mode update), deleted items' copies removed.
//
// No duplicate, even after a crash between an import and the watermark save: before writing,
// the folder's copies are read from the target (TargetIndex) and a source item that already has
// a copy there is adopted, not imported again. There is one resumable delta position per folder,
// kept on its target folder (folder-positions.ts), saved at page boundaries every few batches.
import { createHash } from 'node:crypto';
import { TenantError } from '../errors.js';
import type { SyncWatermark } from '../inventory/model.js';
import type { TenantClient } from '../tenant/client.js';
import { systemClock } from '../tenant/clock.js';
import { TargetIndex } from './target-index.js';
import { FolderPositions, keptTargets } from './folder-positions.js';
import { pool, statusOf, type SyncRun } from './sync-context.js';
import type { FolderNode, MailTransport, Payload, SourceItem, TargetItem } from './mail-types.js';

const PAGE_SIZE = 100;
const BATCH = 20;
/** Marks a stored position whose round saw deletions: the copies are reconciled at the round's end. */
const RECONCILE = 'R|';

export function folderKey(folderId: string): string {
  return `f:${createHash('sha256').update(folderId).digest('base64url').slice(0, 12)}`;
}

function queryOf(link: string): string {
  const i = link.indexOf('?');
  return i >= 0 ? link.slice(i + 1) : '';
}

interface DeltaPage {
  value?: Record<string, unknown>[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/**
 * Source folder id -> target folder id, creating what the target lacks (parents first). A source
 * folder whose position a target folder keeps (`kept`: source folder key -> target folder id, from
 * the positions of this sync's set) maps to that folder, renamed when the source folder was: its
 * copies are there, and a lookup by name would make a second folder and copy every item again.
 * Such a folder is not matched by name for another source folder.
 */
export async function mapFolders(t: MailTransport, source: FolderNode[], target: FolderNode[], kept: ReadonlyMap<string, string> = new Map(), warn: (message: string) => void = () => undefined): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const byWellKnown = new Map(target.filter((f) => f.wellKnownName).map((f) => [f.wellKnownName!.toLowerCase(), f.id]));
  const byId = new Map(target.map((f) => [f.id, f]));
  const children = new Map<string, FolderNode[]>();
  for (const f of target) {
    const k = f.parentId ?? '';
    const list = children.get(k);
    if (list) list.push(f);
    else children.set(k, [f]);
  }
  /** Target folder id -> the live source folders whose copies it holds (by their positions). */
  const owners = new Map<string, Set<string>>();
  const live = new Set(source.map((f) => folderKey(f.id)));
  for (const [key, id] of kept) {
    const node = byId.get(id);
    if (!live.has(key) || !node || node.wellKnownName) continue;
    owners.set(id, (owners.get(id) ?? new Set()).add(key));
  }
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  for (const f of source) {
    let id = f.wellKnownName ? byWellKnown.get(f.wellKnownName.toLowerCase()) : undefined;
    const mapped = f.parentId === null ? null : map.get(f.parentId);
    if (mapped === undefined) continue; // parent could not be mapped
    const parent: string | null = mapped;
    const key = folderKey(f.id);
    const own = id ? undefined : byId.get(kept.get(key) ?? '');
    if (own && owners.get(own.id)?.has(key)) {
      id = own.id;
      if (!same(own.displayName, f.displayName) && t.renameTargetFolder) {
        try {
          await t.renameTargetFolder(own.id, f.displayName);
          own.displayName = f.displayName;
        } catch (e) {
          if (statusOf(e) !== 400 && statusOf(e) !== 409) throw e;
          warn(`folder '${f.displayName}': its copies are in the target folder '${own.displayName}', which could not be renamed (${statusOf(e)}); they stay there`);
        }
      }
    }
    if (!id) {
      const siblings = children.get(parent ?? '') ?? [];
      id = siblings.find((s) => same(s.displayName, f.displayName) && (owners.get(s.id)?.has(key) ?? true))?.id;
    }
    if (!id) {
      id = await t.createTargetFolder(parent, f);
      const node: FolderNode = { id, displayName: f.displayName, parentId: parent };
      const list = children.get(parent ?? '');
      if (list) list.push(node);
      else children.set(parent ?? '', [node]);
    }
    map.set(f.id, id);
  }
  return map;
}

export async function syncMail(run: SyncRun, t: MailTransport, source: TenantClient): Promise<SyncWatermark> {
  const [sourceTree, targetTree] = await Promise.all([t.sourceFolders(), t.targetFolders()]);
  // A target folder keeping a source folder's position (this sync's set) holds its copies.
  const kept = t.positionsReadable?.() ? keptTargets(run.o.watermark?.positionsSet, targetTree) : new Map<string, string>();
  const folders = await mapFolders(t, sourceTree, targetTree, kept, (m) => run.warn(m));
  // Positions of folders that no longer exist in the source are dropped (bounded watermark).
  const live = new Set([...folders.keys()].map(folderKey));
  for (const k of Object.keys(run.links)) if (k.startsWith('f:') && !live.has(k)) delete run.links[k];
  // The positions live on the target folders when the service lets them (folder-positions.ts).
  run.positions = FolderPositions.open(run, t, targetTree, new Map([...folders].map(([sourceId, targetId]) => [folderKey(sourceId), targetId])));
  // Two source folders can land in one target folder (a localized source Inbox, "Boîte de
  // réception", and a folder of its own named "Inbox": both are the target's Inbox). The copies
  // there belong to all of them: a deletion reconcile weighs the items of every one.
  const sharing = new Map<string, string[]>();
  for (const [sourceId, targetId] of folders) sharing.set(targetId, [...(sharing.get(targetId) ?? []), sourceId]);
  const byId = new Map(sourceTree.map((f) => [f.id, f]));
  for (const f of sourceTree) {
    const targetId = folders.get(f.id);
    if (targetId === undefined) continue;
    run.checkAbort();
    try {
      await syncFolder(run, t, source, f, targetId, sharing.get(targetId) ?? [f.id]);
    } catch (e) {
      throw inFolder(e, folderPath(f, byId));
    }
  }
  await run.checkpoint();
  return run.finish();
}

/** The folder's path in the source mailbox, e.g. Inbox/Projects/Alpha. */
function folderPath(f: FolderNode, byId: Map<string, FolderNode>): string {
  const names = [f.displayName];
  for (let p = f.parentId ? byId.get(f.parentId) : undefined; p; p = p.parentId ? byId.get(p.parentId) : undefined) names.unshift(p.displayName);
  return names.join('/');
}

/** A tenant's refusal while copying a folder names the folder: the import and export calls name
 *  only the mailbox (by its id), which does not tell the user where the sync stopped. The error
 *  itself is kept (its code, details and hint), its message extended. */
function inFolder(e: unknown, path: string): unknown {
  if (e instanceof TenantError && !e.message.includes(`folder '${path}'`)) e.message = `${e.message} (copying folder '${path}')`;
  return e;
}

async function syncFolder(run: SyncRun, t: MailTransport, source: TenantClient, folder: FolderNode, targetId: string, sourcesOfTarget: string[]): Promise<void> {
  const key = folderKey(folder.id);
  const stored = run.links[key];
  let sawRemoval = stored?.startsWith(RECONCILE) ?? false;
  let url = stored !== undefined ? t.deltaUrl(folder.id, stored.replace(RECONCILE, '')) : t.deltaUrl(folder.id);
  let fromStored = stored !== undefined;
  /** No page of a first round (one without a stored position) has been read yet. */
  let firstRound = stored === undefined;
  let index: TargetIndex | undefined;
  const options = { beta: t.beta, headers: { Prefer: `odata.maxpagesize=${run.o.pageSize ?? PAGE_SIZE}` }, ...(run.signal ? { signal: run.signal } : {}), object: `folder '${folder.displayName}'` };

  /** The next delta page, read while the current page's items are written. */
  let ahead: Promise<DeltaPage> | undefined;
  for (;;) {
    let page: DeltaPage;
    try {
      const read = ahead ?? source.graph.get<DeltaPage>(url, options);
      ahead = undefined;
      page = await read;
    } catch (e) {
      // An expired or unknown position: replay the folder from the start (copies are adopted,
      // and deletions in the gap are found by the reconcile at the end).
      if (fromStored && (statusOf(e) === 410 || (statusOf(e) === 400 && /sync ?state|token/i.test((e as Error).message)))) {
        run.warn(`folder '${folder.displayName}': the saved delta position was refused (${statusOf(e)}); reading the folder again from the start`);
        url = t.deltaUrl(folder.id);
        fromStored = false;
        sawRemoval = true;
        continue;
      }
      // A first round refused for the message-id $expand: without it (pairing by creation time and size).
      if (firstRound && statusOf(e) === 400 && t.withoutMessageId?.()) {
        run.warn(`folder '${folder.displayName}': the service refused to return the internet message id with the items (${statusOf(e)}); pairing source items with their copies by creation time and size`);
        url = t.deltaUrl(folder.id);
        continue;
      }
      throw e;
    }
    fromStored = false;
    firstRound = false;
    const items = (page.value ?? []).map((raw) => t.sourceItem(raw));
    const changed = items.filter((i) => !i.removed);
    if (items.some((i) => i.removed)) sawRemoval = true;
    const next = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
    if (!next) throw new Error(`a delta page of folder '${folder.displayName}' carried neither @odata.nextLink nor @odata.deltaLink`);
    if (page['@odata.nextLink']) {
      ahead = source.graph.get<DeltaPage>(t.deltaUrl(folder.id, queryOf(next)), options);
      ahead.catch(() => undefined); // observed when awaited
    }
    if (changed.length) {
      index ??= new TargetIndex(await t.listTarget(targetId));
      await copyItems(run, t, index, changed, targetId);
    }
    if (page['@odata.deltaLink'] && sawRemoval) {
      run.links[key] = RECONCILE + queryOf(next);
      await reconcileDeletions(run, t, sourcesOfTarget, targetId);
      sawRemoval = false;
    }
    run.links[key] = (sawRemoval ? RECONCILE : '') + queryOf(next);
    // A folder's last page is a resumable position too: a mailbox of many small folders (one page
    // each) would otherwise save nothing until its end.
    await run.pageDone();
    if (page['@odata.deltaLink']) return;
    url = t.deltaUrl(folder.id, queryOf(next));
  }
}

/** Attempts of one item's write when the service answers 5xx (a 429 is waited out below). */
const WRITE_ATTEMPTS = 4;
const WRITE_RETRY_MS = [1_000, 3_000, 9_000];

/**
 * Write one item, again after a 5xx: one failed import among a mailbox's thousands must not fail
 * the whole sync. A 5xx may come after the service carried the write out, so before a new copy is
 * made the folder is read again and a copy that appeared meanwhile is taken instead (never a
 * second copy). An update over `existing` is repeated as it is (put handles a changed version).
 */
async function putWithRetry(run: SyncRun, t: MailTransport, index: TargetIndex, p: Payload, targetId: string, existing: TargetItem | undefined): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const copy = await t.put(p, targetId, existing);
      if (existing) index.replace(existing.id, copy);
      else index.addClaimed(copy);
      return;
    } catch (e) {
      const status = statusOf(e);
      if (status === undefined || status < 500 || attempt >= WRITE_ATTEMPTS) throw e;
      await systemClock.sleep(WRITE_RETRY_MS[attempt - 1] ?? 9_000, run.signal);
      if (!existing) {
        index.learn(await t.listTarget(targetId));
        if (index.claim(p.source)) return; // the failed import was carried out: that is the copy
      }
    }
  }
}

/** Source reads run this many batches ahead of the writes (each read is one exportItems call). */
const READ_AHEAD = 2;

/**
 * Copy new items and write changed ones over their copies; items whose copy is current are
 * skipped. The writes run as one continuous stream of `concurrency` workers over the whole page:
 * no worker waits for the rest of a batch to finish (a batch barrier left slots idle at every
 * batch's tail), and the next batches are read from the source while the writes go on.
 */
async function copyItems(run: SyncRun, t: MailTransport, index: TargetIndex, changed: SourceItem[], targetId: string): Promise<void> {
  const work: { source: SourceItem; existing?: TargetItem }[] = [];
  for (const s of changed) {
    const existing = index.claim(s);
    if (!existing) work.push({ source: s });
    else if (newer(s, existing)) work.push({ source: s, existing });
  }
  if (work.length === 0) return;
  const existingOf = new Map(work.filter((w) => w.existing).map((w) => [w.source.id, w.existing!]));
  const batches: SourceItem[][] = [];
  for (let i = 0; i < work.length; i += BATCH) batches.push(work.slice(i, i + BATCH).map((w) => w.source));
  const reads: Promise<Payload[]>[] = [];
  const read = (b: number) => {
    if (b < batches.length && !reads[b]) {
      reads[b] = t.fetch(batches[b]!);
      reads[b]!.catch(() => undefined); // observed when awaited; never an unhandled rejection meanwhile
    }
  };
  for (let b = 0; b < Math.min(READ_AHEAD, batches.length); b++) read(b);

  let batch = 0;
  const queue: Payload[] = [];
  let pending: Promise<void> | undefined;
  let failed = false;
  /** The next payload to write, reading the next batch when the queue runs dry (one reader at a
   *  time: idle workers wait for it rather than each starting a read); undefined at the end. */
  const take = async (): Promise<Payload | undefined> => {
    for (;;) {
      if (failed) return undefined;
      const p = queue.shift();
      if (p) return p;
      if (pending) {
        await pending;
        continue;
      }
      if (batch >= batches.length) return undefined;
      const b = batch++;
      read(b);
      read(b + READ_AHEAD);
      pending = reads[b]!.then((ps) => {
        queue.push(...ps);
        reads[b] = Promise.resolve([]); // let the payloads go once queued
      }).finally(() => (pending = undefined));
      await pending;
    }
  };
  let done = 0;
  const worker = async () => {
    try {
      for (;;) {
        const p = await take();
        if (!p) return;
        const existing = existingOf.get(p.source.id);
        await putWithRetry(run, t, index, p, targetId, existing);
        run.copied(1, p.bytes);
        if (++done % BATCH === 0) run.batchDone();
      }
    } catch (e) {
      failed = true;
      throw e;
    }
  };
  const results = await Promise.allSettled(Array.from({ length: run.concurrency }, worker));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  if (done % BATCH !== 0) run.batchDone();
}

/** The source changed after its copy was written. */
function newer(s: SourceItem, copy: TargetItem): boolean {
  if (!s.lastModifiedDateTime || !copy.lastModifiedDateTime) return false;
  return Date.parse(s.lastModifiedDateTime) > Date.parse(copy.lastModifiedDateTime);
}

/**
 * Remove the copies whose source item is gone: the target folder's copies are matched against the
 * current items of the source folders copied into it; copies left over are deleted, but only those
 * created before the previous completed run ended, so items that arrived in the target mailbox
 * itself are never touched.
 */
async function reconcileDeletions(run: SyncRun, t: MailTransport, sourceFolderIds: string[], targetId: string): Promise<void> {
  if (run.o.keepUnpaired) {
    // an adopted user's mailbox held mail of its own before the first sync: an unpaired item may
    // be the user's, not a copy whose source was deleted
    run.o.onWarning?.('items deleted in the source mailbox are not deleted in the target: the target user was not created by t2t, and its own mail cannot be told from copies');
    return;
  }
  const [sourceLists, copies] = await Promise.all([Promise.all(sourceFolderIds.map((id) => t.listSource(id))), t.listTarget(targetId)]);
  const sourceItems = sourceLists.flat();
  const index = new TargetIndex(copies);
  for (const s of sourceItems) index.claim(s);
  // A run that did not complete (a crash, an abort, a marker write that failed) made copies after
  // the watermark's times; those up to the positions it saved on this folder are known as well.
  const completed = run.previousRunEnd();
  const before = completed === undefined ? run.startedAt.getTime() : Math.max(completed, run.positions?.savedAt(targetId) ?? 0);
  const orphans = index.unclaimed().filter((c) => c.createdDateTime !== undefined && Date.parse(c.createdDateTime) < before);
  await pool(orphans, run.concurrency, (c) => t.remove(c, targetId));
}
