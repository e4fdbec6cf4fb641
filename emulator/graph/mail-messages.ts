// Graph v1.0 messages: list (per folder or the whole mailbox), get, create from JSON or from
// base64 MIME (Content-Type text/plain: always a draft, as Graph does), PATCH, DELETE,
// GET …/$value (the MIME), and message delta per folder.
import { GraphError, badRequest, json, type EmuRequest, type EmuResponse } from '../core/http-types.js';
import {
  createMessage,
  deleteMessage,
  findMessage,
  liveMessages,
  updateMessage,
  type MailboxStore,
  type MessageRecord,
} from '../store/mail-state.js';
import { folderOf, itemNotFound } from './mail-folders.js';
import { deltaPage } from './mail-delta.js';
import { applyFilter, applyOrderBy, applySelect, pageList, requireMailbox, writeAt } from './mail-query.js';
import { compactExpand, expandedProperties, fieldsFromMime, messageFields, messageMime, mimeSize, renderMessage, touchesContent } from './mail-render.js';
import { looksLikeMime, parseMime } from './mime.js';

function listOf(req: EmuRequest, messages: MessageRecord[]): EmuResponse {
  const expand = req.query.get('$expand');
  const rendered = messages.map((m) => ({ ...renderMessage(m), ...expandedProperties(m, expand) }));
  const filtered = applyFilter(rendered, req.query.get('$filter'));
  const ordered = applyOrderBy(filtered, req.query.get('$orderby'), 'receivedDateTime desc');
  return json(200, pageList(req, ordered, 10, (m) => m));
}

export function listFolderMessages(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  const folder = folderOf(mbx.primary, req.params['folderId']!, req.now);
  return listOf(req, liveMessages(mbx.primary, folder.id, req.now));
}

export function listMailboxMessages(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  return listOf(req, liveMessages(mbx.primary, undefined, req.now));
}

/** The message named by params.messageId, checked against params.folderId when present. */
function messageOf(req: EmuRequest, store: MailboxStore): MessageRecord {
  const m = findMessage(store, req.params['messageId']!, req.now);
  if (!m) throw itemNotFound();
  if (req.params['folderId'] !== undefined && folderOf(store, req.params['folderId'], req.now).id !== m.parentFolderId) throw itemNotFound();
  return m;
}

export function getMessage(req: EmuRequest): EmuResponse {
  if (req.params['messageId'] === 'delta' && req.params['folderId'] !== undefined) return messageDelta(req);
  const { mbx } = requireMailbox(req, req.params['id']!);
  const m = messageOf(req, mbx.primary);
  return json(200, applySelect({ ...renderMessage(m), ...expandedProperties(m, req.query.get('$expand')) }, req.query.get('$select')));
}

/** GET …/messages/{id}/$value: the RFC 5322 text of the message. */
export function getMessageMime(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  const m = messageOf(req, mbx.primary);
  return { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from(messageMime(m), 'latin1') };
}

/** Base64 MIME in a text/plain body -> the MIME text (latin1 of its bytes). */
function decodeMimeBody(req: EmuRequest): string {
  const text = req.rawBody.toString('latin1').replace(/\s+/g, '');
  const invalid = () => new GraphError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
  if (!text || !/^[A-Za-z0-9+/]+=*$/.test(text)) throw invalid();
  const raw = Buffer.from(text, 'base64').toString('latin1');
  if (!looksLikeMime(raw)) throw new GraphError(400, 'ErrorMimeContentInvalid', 'The MIME content is invalid: expected RFC 5322 header lines, a blank line and a body.');
  return raw;
}

function isMimeRequest(req: EmuRequest): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('text/plain');
}

function createIn(req: EmuRequest, store: MailboxStore, folderId: string): EmuResponse {
  let rec: MessageRecord;
  if (isMimeRequest(req)) {
    const raw = decodeMimeBody(req);
    rec = createMessage(req.tenant, store, folderId, fieldsFromMime(parseMime(raw), raw, req.now), writeAt(req));
  } else {
    const fields = messageFields(req.body, true);
    rec = createMessage(req.tenant, store, folderId, { isDraft: true, ...fields }, writeAt(req));
  }
  rec.size = mimeSize(rec);
  return json(201, renderMessage(rec));
}

export function createFolderMessage(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  return createIn(req, mbx.primary, folderOf(mbx.primary, req.params['folderId']!, req.now).id);
}

/** POST /users/{id}/messages creates the draft in Drafts. */
export function createDraftMessage(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  return createIn(req, mbx.primary, folderOf(mbx.primary, 'drafts', req.now).id);
}

export function patchMessage(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  const m = messageOf(req, mbx.primary);
  const fields = messageFields(req.body, false);
  if (!m.isDraft && touchesContent(fields)) {
    throw badRequest('The subject, body, recipients and sender of a sent or received message cannot be changed; only drafts can.', 'ErrorInvalidPropertyUpdateSentMessage');
  }
  // A content change invalidates the imported MIME: export rebuilds it from the record.
  const next = updateMessage(req.tenant, mbx.primary, m.id, touchesContent(fields) ? { ...fields, mime: undefined } : fields, writeAt(req));
  if (next.mime === undefined) delete next.mime;
  next.size = mimeSize(next);
  return json(200, renderMessage(next));
}

export function deleteMessageRoute(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  const m = messageOf(req, mbx.primary);
  deleteMessage(req.tenant, mbx.primary, m.id, writeAt(req));
  return { status: 204 };
}

/** GET /users/{id}/mailFolders/{folderId}/messages/delta */
export function messageDelta(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  const folder = folderOf(mbx.primary, req.params['folderId']!, req.now);
  const records = Object.values(mbx.primary.messages).filter((m) => m.parentFolderId === folder.id);
  return json(
    200,
    deltaPage(req, {
      scope: `msg:${folder.id}`,
      records,
      currentSeq: req.tenant.seq,
      defaultPageSize: 10,
      render: (m, q) => ({ ...renderMessage(m), ...expandedProperties(m, q['$expand']) }),
      keep: ['$select', '$expand'],
      compact: compactExpand,
      renderRemoved: (m) => ({ '@odata.type': '#microsoft.graph.message', id: m.id, '@removed': { reason: 'deleted' } }),
    }),
  );
}
