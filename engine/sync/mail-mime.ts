// MIME mail transport, the fallback when the mailbox import/export API is not available: each
// message is read as RFC 5322 text (GET …/$value) and posted to the target folder as base64
// text/plain. Graph makes such an item a draft (isDraft cannot be cleared), so this is not full
// fidelity; read state, flag, categories and importance are set afterwards by PATCH. Only the
// primary mailbox is reachable through v1.0: the in-place archive needs the import/export API.
import type { TenantClient } from '../tenant/client.js';
import { ignoreNotFound, pool } from './sync-context.js';
import type { FolderNode, MailTransport, Payload, SourceItem, TargetItem } from './mail-types.js';
import { createFolderOnce, walkFolders } from './folder-walk.js';
import { listWithPositions, POSITIONS_EXPAND, POSITIONS_PROPERTY_ID, positionsOf } from './folder-positions.js';

/** Well-known folders matched by name across tenants (v1.0 folder JSON does not carry the name). */
const WELL_KNOWN = ['inbox', 'drafts', 'sentitems', 'deleteditems', 'junkemail', 'archive', 'outbox', 'conversationhistory'];
const FLAG_FIELDS = ['isRead', 'flag', 'categories', 'importance'] as const;
const SELECT = 'id,createdDateTime,lastModifiedDateTime,internetMessageId,isRead,flag,categories,importance,changeKey';

interface RawFolder {
  id: string;
  displayName: string;
  childFolderCount?: number;
  singleValueExtendedProperties?: { id: string; value: string }[];
}

interface RawMessage {
  id: string;
  changeKey?: string;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  internetMessageId?: string;
  '@removed'?: unknown;
  [k: string]: unknown;
}

function toItem(raw: RawMessage): SourceItem & TargetItem {
  const flags: Record<string, unknown> = {};
  for (const f of FLAG_FIELDS) if (raw[f] !== undefined) flags[f] = raw[f];
  return {
    id: raw.id,
    ...(raw['@removed'] ? { removed: true } : {}),
    ...(raw.changeKey ? { changeKey: raw.changeKey } : {}),
    ...(raw.createdDateTime ? { createdDateTime: raw.createdDateTime } : {}),
    ...(raw.lastModifiedDateTime ? { lastModifiedDateTime: raw.lastModifiedDateTime } : {}),
    ...(raw.internetMessageId ? { messageId: raw.internetMessageId } : {}),
    ...(Object.keys(flags).length ? { flags } : {}),
  };
}

const U = (id: string) => `/users/${encodeURIComponent(id)}`;

/** Every folder of the mailbox, parents before children; with `positions`, each with the sync's
 *  delta positions it keeps. */
async function folderTree(client: TenantClient, userId: string, signal?: AbortSignal, positions = false): Promise<FolderNode[]> {
  const sig = signal ? { signal } : {};
  const wk = new Map<string, string>();
  for (const name of WELL_KNOWN) {
    const f = await ignoreNotFound(client.graph.get<RawFolder>(`${U(userId)}/mailFolders/${name}?$select=id`, sig));
    if (f) wk.set(f.id, name);
  }
  const query = `$top=100${positions ? `&${POSITIONS_EXPAND}` : ''}`;
  return walkFolders<RawFolder>({
    pages: (url) => client.graph.pages<RawFolder>(url, sig),
    rootUrl: `${U(userId)}/mailFolders?${query}`,
    childrenUrl: (id) => `${U(userId)}/mailFolders/${encodeURIComponent(id)}/childFolders?${query}`,
    node: (f, parentId) => {
      const name = wk.get(f.id);
      const kept = positions ? positionsOf(f) : undefined;
      return { id: f.id, displayName: f.displayName, parentId, ...(name ? { wellKnownName: name } : {}), ...(kept !== undefined ? { positions: kept } : {}) };
    },
  });
}

export interface MimeEnds {
  source: TenantClient;
  target: TenantClient;
  sourceUserId: string;
  targetUserId: string;
  concurrency: number;
  signal?: AbortSignal;
}

export function mimeTransport(e: MimeEnds): MailTransport {
  const sig = e.signal ? { signal: e.signal } : {};
  const flagsPatch = (source: SourceItem, current?: Record<string, unknown>): Record<string, unknown> => {
    const patch: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(source.flags ?? {})) if (JSON.stringify(current?.[k]) !== JSON.stringify(v)) patch[k] = v;
    return patch;
  };

  /** The target folders were listed with the delta positions they keep. */
  let positionsRead = false;

  return {
    kind: 'mime',
    beta: false,
    sourceFolders: () => folderTree(e.source, e.sourceUserId, e.signal),
    async targetFolders() {
      const listed = await listWithPositions((positions) => folderTree(e.target, e.targetUserId, e.signal, positions));
      positionsRead = listed.positions;
      return listed.tree;
    },
    positionsReadable: () => positionsRead,

    async writePositions(folderId, value) {
      await e.target.graph.patch(`${U(e.targetUserId)}/mailFolders/${encodeURIComponent(folderId)}`, { singleValueExtendedProperties: [{ id: POSITIONS_PROPERTY_ID, value }] }, { ...sig, object: `folder ${folderId} of user ${e.targetUserId}` });
    },

    async renameTargetFolder(folderId, displayName) {
      await e.target.graph.patch(`${U(e.targetUserId)}/mailFolders/${encodeURIComponent(folderId)}`, { displayName }, { ...sig, object: `folder ${folderId} of user ${e.targetUserId}` });
    },

    async createTargetFolder(parentId, source) {
      const url = parentId ? `${U(e.targetUserId)}/mailFolders/${encodeURIComponent(parentId)}/childFolders` : `${U(e.targetUserId)}/mailFolders`;
      return createFolderOnce(() => e.target.graph.post<{ id: string }>(url, { displayName: source.displayName }, { ...sig, safe: true, object: `folder '${source.displayName}' of user ${e.targetUserId}` }), () => e.target.graph.pages<RawFolder>(`${url}?$top=100`, sig), source.displayName);
    },

    deltaUrl(folderId, query) {
      const base = `${U(e.sourceUserId)}/mailFolders/${encodeURIComponent(folderId)}/messages/delta`;
      return `${base}?${query ?? `$select=${SELECT}`}`;
    },

    sourceItem: (raw) => toItem(raw as RawMessage),

    async listSource(folderId) {
      const out: SourceItem[] = [];
      for await (const page of e.source.graph.pages<RawMessage>(`${U(e.sourceUserId)}/mailFolders/${encodeURIComponent(folderId)}/messages?$select=${SELECT}&$top=999`, sig)) out.push(...page.map(toItem));
      return out;
    },

    async listTarget(folderId) {
      const out: TargetItem[] = [];
      for await (const page of e.target.graph.pages<RawMessage>(`${U(e.targetUserId)}/mailFolders/${encodeURIComponent(folderId)}/messages?$select=${SELECT}&$top=999`, sig)) out.push(...page.map(toItem));
      return out;
    },

    async fetch(items) {
      const got = await pool(items, e.concurrency, async (source) => {
        const mime = await ignoreNotFound(e.source.graph.bytes(`${U(e.sourceUserId)}/messages/${encodeURIComponent(source.id)}/$value`, { ...sig, object: `message ${source.id}` }));
        return mime ? ({ source, data: mime.toString('base64'), bytes: mime.length } satisfies Payload) : undefined;
      });
      return got.filter((p): p is Payload => p !== undefined);
    },

    async put(payload, folderId, existing) {
      let current: RawMessage | undefined;
      if (!existing) {
        current = await e.target.graph.sendBytes<RawMessage>('POST', `${U(e.targetUserId)}/mailFolders/${encodeURIComponent(folderId)}/messages`, payload.data, 'text/plain', { ...sig, object: `folder ${folderId} of user ${e.targetUserId}` });
      }
      const id = existing?.id ?? current!.id;
      const patch = flagsPatch(payload.source, current);
      if (Object.keys(patch).length) current = await e.target.graph.patch<RawMessage>(`${U(e.targetUserId)}/messages/${encodeURIComponent(id)}`, patch, { ...sig, object: `message ${id}` });
      return { ...(current ? toItem(current) : existing!), id, lastModifiedDateTime: new Date().toISOString() };
    },

    async remove(item) {
      await ignoreNotFound(e.target.graph.delete(`${U(e.targetUserId)}/messages/${encodeURIComponent(item.id)}`, sig));
    },
  };
}
