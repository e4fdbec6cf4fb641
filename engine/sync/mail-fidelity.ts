// Full-fidelity mail transport: Graph beta mailbox import/export. Items leave the source as the
// service's opaque export stream (exportItems, ≤ 20 ids a call) and enter the target through the
// mailbox's pre-authenticated import URL (no Authorization header), so they keep their flags,
// dates and read state: not drafts. Folders are read through /admin/exchange/mailboxes and created
// there (or through v1.0 mailFolders for a primary mailbox when the service does not offer it).
import { TenantError } from '../errors.js';
import type { TenantClient } from '../tenant/client.js';
import { ignoreNotFound, isUnavailable, statusOf } from './sync-context.js';
import type { FolderNode, MailTransport, Payload, SourceItem, TargetItem } from './mail-types.js';
import { createFolderOnce, walkFolders } from './folder-walk.js';
import { listWithPositions, POSITIONS_EXPAND, POSITIONS_PROPERTY_ID, positionsOf } from './folder-positions.js';

export interface MailboxIds {
  primaryMailboxId: string;
  inPlaceArchiveMailboxId?: string;
}

interface RawFolder {
  id: string;
  displayName: string;
  parentFolderId?: string;
  childFolderCount?: number;
  wellKnownName?: string | null;
  type?: string;
  singleValueExtendedProperties?: { id: string; value: string }[];
}

interface RawItem {
  id: string;
  changeKey?: string;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  size?: number;
  '@removed'?: unknown;
  singleValueExtendedProperties?: { id: string; value: string }[];
}

interface ImportSession {
  url: string;
  expires: number;
}

/** Asks the service to return PidTagInternetMessageId with each item (mailboxItem has no
 *  internetMessageId property): the pairing key of a source item and its copy. */
const MESSAGE_ID_EXPAND = `$expand=${encodeURIComponent("singleValueExtendedProperties($filter=id eq 'String 0x1035')")}`;

/** PidTagInternetMessageId, when the service returns extended properties with the item. */
function messageIdOf(raw: RawItem): string | undefined {
  return raw.singleValueExtendedProperties?.find((p) => /^string 0x1035$/i.test(p.id))?.value;
}

function toItem(raw: RawItem): SourceItem & TargetItem {
  const messageId = messageIdOf(raw);
  return {
    id: raw.id,
    ...(raw['@removed'] ? { removed: true } : {}),
    ...(raw.changeKey ? { changeKey: raw.changeKey } : {}),
    ...(raw.createdDateTime ? { createdDateTime: raw.createdDateTime } : {}),
    ...(raw.lastModifiedDateTime ? { lastModifiedDateTime: raw.lastModifiedDateTime } : {}),
    ...(typeof raw.size === 'number' ? { size: raw.size } : {}),
    ...(messageId ? { messageId } : {}),
  };
}

/** Rounds of client retries an import may spend on 429 alone before the sync gives up. */
const THROTTLED_ROUNDS = 20;

const MBX = (id: string) => `/admin/exchange/mailboxes/${encodeURIComponent(id)}`;

/** Every folder under a mailbox's root, parents before children; with `positions`, each with the
 *  sync's delta positions it keeps. */
function folderTree(client: TenantClient, mailboxId: string, signal?: AbortSignal, positions = false): Promise<FolderNode[]> {
  const query = `$top=100${positions ? `&${POSITIONS_EXPAND}` : ''}`;
  return walkFolders<RawFolder>({
    pages: (url) => client.graph.pages<RawFolder>(url, { beta: true, ...(signal ? { signal } : {}) }),
    rootUrl: `${MBX(mailboxId)}/folders?${query}`,
    childrenUrl: (id) => `${MBX(mailboxId)}/folders/${encodeURIComponent(id)}/childFolders?${query}`,
    node: (f, parentId) => {
      const kept = positions ? positionsOf(f) : undefined;
      return { id: f.id, displayName: f.displayName, parentId, ...(f.wellKnownName ? { wellKnownName: f.wellKnownName } : {}), ...(f.type ? { type: f.type } : {}), ...(kept !== undefined ? { positions: kept } : {}) };
    },
  });
}

export interface FidelityEnds {
  source: TenantClient;
  target: TenantClient;
  sourceMailboxId: string;
  targetMailboxId: string;
  /** The target user, for v1.0 fallbacks on a primary mailbox. */
  targetUserId: string;
  archive: boolean;
  signal?: AbortSignal;
}

export function fidelityTransport(e: FidelityEnds): MailTransport {
  const sig = e.signal ? { signal: e.signal } : {};
  // One budget per mailbox on each side (≤ 4 in flight), the import URL's included.
  const srcOpts = { beta: true, mailbox: e.sourceMailboxId, ...sig };
  const tgtOpts = { beta: true, mailbox: e.targetMailboxId, ...sig };
  /** Cleared when the service refuses the $expand: pairing falls back to creation time and size. */
  let expand = true;
  const withExpand = (url: string) => (expand ? `${url}${url.includes('?') ? '&' : '?'}${MESSAGE_ID_EXPAND}` : url);
  /** Every page of a listing, asked with the $expand, or without it when the service refuses it. */
  const listAll = async (client: TenantClient, url: string, opts: typeof srcOpts): Promise<(SourceItem & TargetItem)[]> => {
    const out: (SourceItem & TargetItem)[] = [];
    try {
      for await (const page of client.graph.pages<RawItem>(withExpand(url), opts)) out.push(...page.map(toItem));
      return out;
    } catch (err) {
      if (!expand || statusOf(err) !== 400 || out.length) throw err;
      expand = false;
      return listAll(client, url, opts);
    }
  };
  /** The target folders were listed with the delta positions they keep. */
  let positionsRead = false;
  let session: ImportSession | undefined;
  let sessionPromise: Promise<ImportSession> | undefined;

  const importSession = async (renew = false): Promise<ImportSession> => {
    if (!renew && session && session.expires - Date.now() > 5 * 60_000) return session;
    sessionPromise ??= (async () => {
      // Creating a session twice is harmless: safe to repeat after a failure.
      const s = await e.target.graph.post<{ importUrl: string; expirationDateTime?: string }>(`${MBX(e.targetMailboxId)}/createImportSession`, {}, { ...tgtOpts, safe: true, object: `mailbox ${e.targetMailboxId}` });
      return { url: s.importUrl, expires: s.expirationDateTime ? Date.parse(s.expirationDateTime) : Date.now() + 30 * 60_000 };
    })().finally(() => (sessionPromise = undefined));
    session = await sessionPromise;
    return session;
  };

  const importOnce = async (body: Record<string, unknown>): Promise<{ itemId: string; changeKey: string }> => {
    const s = await importSession();
    try {
      return await e.target.graph.preauthenticated('POST', s.url, body, 'application/json', { mailbox: e.targetMailboxId, ...sig, object: `mailbox ${e.targetMailboxId}` });
    } catch (err) {
      // An expired or revoked import URL: get a new one once. (A refused URL imported nothing.)
      if (statusOf(err) === 401 || statusOf(err) === 403) {
        const fresh = await importSession(true);
        return e.target.graph.preauthenticated('POST', fresh.url, body, 'application/json', { mailbox: e.targetMailboxId, ...sig, object: `mailbox ${e.targetMailboxId}` });
      }
      throw err;
    }
  };

  /** An import that ran out of attempts on 429 only: throttled requests were refused before they
   *  ran, so another round is safe. Under the mailbox's upload-byte budget every import waits its
   *  turn for bytes, and one request can lose that race several times in a row; that is the budget
   *  at work, not a failure of the sync. */
  const importItem = async (body: Record<string, unknown>): Promise<{ itemId: string; changeKey: string }> => {
    for (let round = 1; ; round++) {
      try {
        return await importOnce(body);
      } catch (err) {
        if (statusOf(err) !== 429 || round >= THROTTLED_ROUNDS || e.signal?.aborted) throw err;
      }
    }
  };

  return {
    kind: 'fidelity',
    beta: true,
    sourceFolders: () => folderTree(e.source, e.sourceMailboxId, e.signal),
    async targetFolders() {
      const listed = await listWithPositions((positions) => folderTree(e.target, e.targetMailboxId, e.signal, positions));
      positionsRead = listed.positions;
      return listed.tree;
    },
    positionsReadable: () => positionsRead,

    async writePositions(folderId, value) {
      const body = { singleValueExtendedProperties: [{ id: POSITIONS_PROPERTY_ID, value }] };
      try {
        await e.target.graph.patch(`${MBX(e.targetMailboxId)}/folders/${encodeURIComponent(folderId)}`, body, { ...tgtOpts, object: `folder ${folderId} of mailbox ${e.targetMailboxId}` });
      } catch (err) {
        if (!isUnavailable(err) || statusOf(err) === 403 || e.archive) throw err;
        // The primary mailbox is also reachable through v1.0 mailFolders (same folder ids).
        await e.target.graph.patch(`/users/${encodeURIComponent(e.targetUserId)}/mailFolders/${encodeURIComponent(folderId)}`, body, { ...sig, object: `folder ${folderId} of user ${e.targetUserId}` });
      }
    },

    async renameTargetFolder(folderId, displayName) {
      try {
        await e.target.graph.patch(`${MBX(e.targetMailboxId)}/folders/${encodeURIComponent(folderId)}`, { displayName }, { ...tgtOpts, object: `folder ${folderId} of mailbox ${e.targetMailboxId}` });
      } catch (err) {
        if (!isUnavailable(err) || statusOf(err) === 403 || e.archive) throw err;
        await e.target.graph.patch(`/users/${encodeURIComponent(e.targetUserId)}/mailFolders/${encodeURIComponent(folderId)}`, { displayName }, { ...sig, object: `folder ${folderId} of user ${e.targetUserId}` });
      }
    },

    async createTargetFolder(parentId, source) {
      const body = { displayName: source.displayName, ...(source.type ? { type: source.type } : {}) };
      const url = parentId ? `${MBX(e.targetMailboxId)}/folders/${encodeURIComponent(parentId)}/childFolders` : `${MBX(e.targetMailboxId)}/folders`;
      try {
        const siblings = () => e.target.graph.pages<RawFolder>(`${parentId ? `${MBX(e.targetMailboxId)}/folders/${encodeURIComponent(parentId)}/childFolders` : `${MBX(e.targetMailboxId)}/folders`}?$top=100`, tgtOpts);
        return await createFolderOnce(() => e.target.graph.post<{ id: string }>(url, body, { ...tgtOpts, safe: true, object: `folder '${source.displayName}' of mailbox ${e.targetMailboxId}` }), siblings, source.displayName);
      } catch (err) {
        if (!isUnavailable(err) || statusOf(err) === 403) throw err;
        if (e.archive) {
          throw new TenantError(
            `tenant '${e.target.name}': cannot create folder '${source.displayName}' in the archive mailbox ${e.targetMailboxId}: the service does not offer mailbox folder creation`,
            'sync.archiveFolderUnsupported',
            { tenant: e.target.name, object: `mailbox ${e.targetMailboxId}`, ...(statusOf(err) ? { status: statusOf(err)! } : {}) },
            'create the folder in the target archive (or grant MailboxFolder.ReadWrite.All) and run the sync again',
            { cause: err },
          );
        }
        // The primary mailbox is also reachable through v1.0 mailFolders (same folder ids).
        const v1 = parentId ? `/users/${encodeURIComponent(e.targetUserId)}/mailFolders/${encodeURIComponent(parentId)}/childFolders` : `/users/${encodeURIComponent(e.targetUserId)}/mailFolders`;
        return createFolderOnce(() => e.target.graph.post<{ id: string }>(v1, { displayName: source.displayName }, { ...sig, safe: true, object: `folder '${source.displayName}' of user ${e.targetUserId}` }), () => e.target.graph.pages<RawFolder>(`${v1}?$top=100`, sig), source.displayName);
      }
    },

    deltaUrl(folderId, query) {
      const base = `${MBX(e.sourceMailboxId)}/folders/${encodeURIComponent(folderId)}/items/delta`;
      // A stored position carries the query of its first round (the $expand included).
      return query ? `${base}?${query}` : withExpand(base);
    },

    withoutMessageId() {
      if (!expand) return false;
      expand = false;
      return true;
    },

    sourceItem: (raw) => toItem(raw as unknown as RawItem),

    async listSource(folderId) {
      return listAll(e.source, `${MBX(e.sourceMailboxId)}/folders/${encodeURIComponent(folderId)}/items?$top=999`, srcOpts);
    },

    async listTarget(folderId) {
      return listAll(e.target, `${MBX(e.targetMailboxId)}/folders/${encodeURIComponent(folderId)}/items?$top=999`, tgtOpts);
    },

    async fetch(items) {
      if (items.length === 0) return [];
      // exportItems reads: repeating it after a failure is harmless.
      const res = await e.source.graph.post<{ value: { itemId: string; data?: string; error?: unknown }[] }>(
        `${MBX(e.sourceMailboxId)}/exportItems`,
        { itemIds: items.map((i) => i.id) },
        { ...srcOpts, safe: true, object: `mailbox ${e.sourceMailboxId}` },
      );
      const byId = new Map(items.map((i) => [i.id, i]));
      const out: Payload[] = [];
      for (const r of res.value ?? []) {
        const source = byId.get(r.itemId);
        if (!source || !r.data) continue; // deleted since the delta: the next round reports it
        out.push({ source, data: r.data, bytes: source.size ?? Math.floor((r.data.length * 3) / 4) });
      }
      return out;
    },

    async put(payload, folderId, existing) {
      const created = (r: { itemId: string; changeKey: string }): TargetItem => ({
        id: r.itemId,
        changeKey: r.changeKey,
        ...(payload.source.createdDateTime ? { createdDateTime: payload.source.createdDateTime } : {}),
        lastModifiedDateTime: new Date().toISOString(),
        ...(payload.source.size !== undefined ? { size: payload.source.size } : {}),
        // The import keeps the internet message id: the copy's pairing key.
        ...(payload.source.messageId ? { messageId: payload.source.messageId } : {}),
      });
      if (!existing) return created(await importItem({ FolderId: folderId, Mode: 'create', Data: payload.data }));
      const update = (t: TargetItem) => importItem({ FolderId: folderId, Mode: 'update', Data: payload.data, ItemId: t.id, ChangeKey: t.changeKey ?? '' });
      try {
        return created(await update(existing));
      } catch (err) {
        const s = statusOf(err);
        if (s === 409) {
          // The copy changed since we listed it: update the current version.
          const current = await ignoreNotFound(e.target.graph.get<RawItem>(`${MBX(e.targetMailboxId)}/folders/${encodeURIComponent(folderId)}/items/${encodeURIComponent(existing.id)}?$select=id,changeKey`, tgtOpts));
          if (current) return created(await update(toItem(current)));
        } else if (s !== 404) throw err;
        // The copy is gone: make a new one.
        return created(await importItem({ FolderId: folderId, Mode: 'create', Data: payload.data }));
      }
    },

    async remove(item, folderId) {
      try {
        await e.target.graph.delete(`${MBX(e.targetMailboxId)}/folders/${encodeURIComponent(folderId)}/items/${encodeURIComponent(item.id)}?disposalType=hardDelete`, tgtOpts);
      } catch (err) {
        if (statusOf(err) === 404) return;
        if (!isUnavailable(err) || statusOf(err) === 403 || e.archive) throw err;
        await ignoreNotFound(e.target.graph.delete(`/users/${encodeURIComponent(e.targetUserId)}/messages/${encodeURIComponent(item.id)}`, sig));
      }
    },
  };
}

/** The user's mailbox ids through beta settings/exchange; undefined when the service does not offer it. */
export async function mailboxIds(client: TenantClient, userId: string, signal?: AbortSignal): Promise<{ ids?: MailboxIds; unavailable?: string }> {
  try {
    const ids = await client.graph.get<MailboxIds>(`/users/${encodeURIComponent(userId)}/settings/exchange`, { beta: true, ...(signal ? { signal } : {}), object: `user ${userId}` });
    return { ids };
  } catch (err) {
    const s = statusOf(err);
    // MailboxNotEnabledForRESTAPI (no mailbox yet) is not "the API is missing": let it surface.
    if (s === 404 && /MailboxNotEnabled|ErrorInvalidUser/i.test((err as Error).message)) throw err;
    if (isUnavailable(err)) return { unavailable: `${(err as Error).message}` };
    throw err;
  }
}
