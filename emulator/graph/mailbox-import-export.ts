// Graph beta full-fidelity mailbox import/export:
//   POST /admin/exchange/mailboxes/{mailboxId}/exportItems {itemIds ≤ 20}
//     -> {value:[{itemId, changeKey, data} | {itemId, error}]}
//   POST /admin/exchange/mailboxes/{mailboxId}/createImportSession -> 201 {importUrl, expirationDateTime}
//   POST {importUrl} (anonymous, token in the URL) {FolderId, Mode, Data, ItemId?, ChangeKey?}
//     -> {itemId, changeKey}
// Real Exchange exports an opaque FastTransfer stream. The emulator's `data` is just as opaque to
// clients: base64 of a marker line plus the item's JSON and MIME, so import restores the item
// exactly (isDraft, read state, dates) and can refuse data that did not come from an export.
import { GraphError, badRequest, json, type EmuRequest, type EmuResponse } from '../core/http-types.js';
import type { TenantState, Tracked } from '../store/tenant-state.js';
import { createMessage, findMessage, mailboxById, updateMessage, type MessageRecord, type NewMessage } from '../store/mail-state.js';
import { folderOf, itemNotFound } from './mail-folders.js';
import { mimeSize } from './mail-render.js';
import { signToken, verifyToken } from './mail-signed-url.js';
import { requireStore } from './mailbox-import-export-folders.js';
import { writeAt } from './mail-query.js';

const MAGIC = 'T2TEMU-FTS/1\n';
/** How long an import URL stays valid. */
export const IMPORT_SESSION_MS = 60 * 60 * 1000;

type Portable = Omit<MessageRecord, keyof Tracked | 'id' | 'changeKey' | 'parentFolderId'>;

export function encodeExport(m: MessageRecord): string {
  const { id: _id, changeKey: _ck, parentFolderId: _pf, _seq, _visibleAt, _previous, _deleted, ...item } = m;
  void [_id, _ck, _pf, _seq, _visibleAt, _previous, _deleted];
  // The MIME travels only when the item came from a MIME import (its raw text is the item); a
  // built MIME is derived from the fields again on the other side, so the body is not sent twice
  // (that doubled every export stream and the upload bytes it costs).
  const portable: Portable = item;
  return Buffer.from(MAGIC + JSON.stringify(portable), 'utf8').toString('base64');
}

export function decodeExport(data: unknown): Portable {
  const corrupt = () => new GraphError(400, 'ErrorCorruptData', 'The Data is not a valid export stream: pass the data value of an exportItems response unchanged.');
  if (typeof data !== 'string' || !data) throw corrupt();
  const text = Buffer.from(data, 'base64').toString('utf8');
  if (!text.startsWith(MAGIC)) throw corrupt();
  try {
    const item = JSON.parse(text.slice(MAGIC.length)) as Portable;
    if (typeof item.subject !== 'string' || typeof item.isDraft !== 'boolean') throw corrupt();
    return item;
  } catch {
    throw corrupt();
  }
}

export function exportItems(req: EmuRequest): EmuResponse {
  const store = requireStore(req);
  const ids = (req.body as { itemIds?: unknown } | undefined)?.itemIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => typeof i !== 'string')) {
    throw badRequest("exportItems needs 'itemIds': a non-empty collection of item ids.", 'ErrorInvalidRequest');
  }
  if (ids.length > 20) throw badRequest(`exportItems accepts at most 20 item ids per request; got ${ids.length}.`, 'ErrorInvalidRequest');
  const value = (ids as string[]).map((itemId) => {
    const m = findMessage(store, itemId, req.now);
    if (!m) return { itemId, error: { code: 'ErrorItemNotFound', message: 'The specified object was not found in the store.' } };
    return { itemId, changeKey: m.changeKey, data: encodeExport(m) };
  });
  return json(200, { '@odata.context': `${req.baseUrl}/beta/$metadata#Collection(microsoft.graph.exportItemResponse)`, value });
}

export function createImportSession(req: EmuRequest): EmuResponse {
  const store = requireStore(req);
  const exp = req.now + IMPORT_SESSION_MS;
  const token = signToken({ k: 'import', t: req.tenant.id, e: exp, m: store.mailboxId, a: req.appId });
  return json(201, {
    '@odata.context': `${req.baseUrl}/beta/$metadata#microsoft.graph.mailboxItemImportSession`,
    importUrl: `${req.baseUrl}/api/gbeta/Mailboxes('${store.mailboxId}')/importItem?authtoken=${token}`,
    expirationDateTime: new Date(exp).toISOString(),
  });
}

/** POST /api/gbeta/Mailboxes('{mailboxId}')/importItem?authtoken=… (anonymous route). */
export function importItem(req: EmuRequest): EmuResponse {
  const payload = verifyToken(req.query.get('authtoken'), 'import', req.now);
  const mailboxId = req.params['mailboxId'] ?? '';
  if (mailboxId !== payload['m']) throw new GraphError(401, 'InvalidAuthenticationToken', 'The import URL was altered: its mailbox does not match its token.');
  const t: TenantState | undefined = req.emulator.tenant(payload.t);
  const store = t && mailboxById(t, mailboxId);
  if (!t || !store) throw new GraphError(404, 'ErrorMailboxNotFound', `The mailbox '${mailboxId}' no longer exists.`);
  const b = (req.body ?? {}) as { FolderId?: unknown; Mode?: unknown; Data?: unknown; ItemId?: unknown; ChangeKey?: unknown };
  if (typeof b.FolderId !== 'string' || !b.FolderId) throw badRequest("The import request needs 'FolderId'.", 'ErrorInvalidRequest');
  const mode = typeof b.Mode === 'string' ? b.Mode.toLowerCase() : '';
  if (mode !== 'create' && mode !== 'update') throw badRequest(`Invalid Mode '${String(b.Mode)}': expected 'create' or 'update'.`, 'ErrorInvalidRequest');
  const folder = folderOf(store, b.FolderId, req.now);
  const item = decodeExport(b.Data);
  const fields: NewMessage = { ...item };
  let rec: MessageRecord;
  if (mode === 'create') {
    if (b.ItemId !== undefined || b.ChangeKey !== undefined) throw badRequest("Mode 'create' takes no ItemId or ChangeKey.", 'ErrorInvalidRequest');
    rec = createMessage(t, store, folder.id, fields, writeAt(req));
  } else {
    if (typeof b.ItemId !== 'string' || typeof b.ChangeKey !== 'string') throw badRequest("Mode 'update' needs 'ItemId' and 'ChangeKey'.", 'ErrorInvalidRequest');
    const current = findMessage(store, b.ItemId, req.now);
    if (!current || current.parentFolderId !== folder.id) throw itemNotFound();
    if (current.changeKey !== b.ChangeKey) {
      throw new GraphError(409, 'ErrorIrresolvableConflict', 'The update could not be performed because the change key passed in the request does not match the current change key for the item.');
    }
    rec = updateMessage(t, store, current.id, fields, writeAt(req));
  }
  rec.size = mimeSize(rec);
  return json(200, {
    '@odata.context': `${req.baseUrl}/api/gbeta/$metadata#microsoft.graph.importMailboxItemResponse`,
    itemId: rec.id,
    changeKey: rec.changeKey,
  });
}
