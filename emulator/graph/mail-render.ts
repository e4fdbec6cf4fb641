// How mail records look on the wire (Graph v1.0 message / mailFolder, beta mailboxFolder /
// mailboxItem), and the conversions between a message record, Graph JSON and MIME.
import type { EmuRequest } from '../core/http-types.js';
import { badRequest } from '../core/http-types.js';
import { buildMime, wrappedBase64Length, type MimeAddress, type MimeMessage } from './mime.js';
import { childFolders, liveMessages, type MailboxStore, type MailFolderRecord, type MessageRecord, type NewMessage, type Recipient } from '../store/mail-state.js';

export function bodyPreview(m: Pick<MessageRecord, 'body'>): string {
  // The first 255 characters of text need only a prefix of the body (bodies can be large and
  // every list renders a preview): a growing prefix until it yields enough text or is the whole.
  const content = m.body.content;
  for (let take = 2048; ; take *= 4) {
    const part = content.length <= take ? content : content.slice(0, take);
    const text = (m.body.contentType === 'html' ? part.replace(/<[^>]*>/g, ' ') : part).replace(/\s+/g, ' ');
    // A cut tag or word at the prefix's end is past character 255 when the text is longer than 512.
    if (part === content || text.length > 512) return text.trim().slice(0, 255);
  }
}

export function renderMessage(m: MessageRecord): Record<string, unknown> {
  return {
    '@odata.etag': `W/"${m.changeKey}"`,
    id: m.id,
    createdDateTime: m.createdDateTime,
    lastModifiedDateTime: m.lastModifiedDateTime,
    changeKey: m.changeKey,
    categories: m.categories,
    receivedDateTime: m.receivedDateTime,
    sentDateTime: m.sentDateTime,
    hasAttachments: m.hasAttachments,
    internetMessageId: m.internetMessageId,
    subject: m.subject,
    bodyPreview: bodyPreview(m),
    importance: m.importance,
    parentFolderId: m.parentFolderId,
    conversationId: m.conversationId,
    isDeliveryReceiptRequested: false,
    isReadReceiptRequested: false,
    isRead: m.isRead,
    isDraft: m.isDraft,
    inferenceClassification: 'focused',
    body: m.body,
    sender: m.sender,
    from: m.from,
    toRecipients: m.toRecipients,
    ccRecipients: m.ccRecipients,
    bccRecipients: m.bccRecipients,
    replyTo: m.replyTo,
    flag: m.flag,
  };
}

export function renderFolder(store: MailboxStore, f: MailFolderRecord, now: number): Record<string, unknown> {
  const items = liveMessages(store, f.id, now);
  return {
    id: f.id,
    displayName: f.displayName,
    parentFolderId: f.parentFolderId,
    childFolderCount: childFolders(store, f.id, now).length,
    unreadItemCount: items.filter((m) => !m.isRead).length,
    totalItemCount: items.length,
    isHidden: f.isHidden,
  };
}

/** beta mailboxFolder (admin/exchange/mailboxes/{id}/folders). */
export function renderMailboxFolder(req: EmuRequest, store: MailboxStore, f: MailFolderRecord): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.mailboxFolder',
    id: f.id,
    displayName: f.displayName,
    parentFolderId: f.parentFolderId,
    parentMailboxUrl: `${req.baseUrl}/beta/admin/exchange/mailboxes/${store.mailboxId}`,
    childFolderCount: childFolders(store, f.id, req.now).length,
    totalItemCount: liveMessages(store, f.id, req.now).length,
    wellKnownName: f.wellKnownName ?? null,
    type: f.folderClass ?? 'IPF.Note',
  };
}

/** Extended properties the emulator can answer, by normalised id (type and tag, lower case). */
const EXTENDED: Record<string, { id: string; value: (m: MessageRecord) => string | null }> = {
  'string 0x1035': { id: 'String 0x1035', value: (m) => m.internetMessageId ?? null }, // PidTagInternetMessageId
  'systemtime 0x0e06': { id: 'SystemTime 0x0E06', value: (m) => m.receivedDateTime }, // PidTagMessageDeliveryTime
  'integer 0x0e07': { id: 'Integer 0x0E07', value: (m) => String((m.isRead ? 0x1 : 0) | (m.isDraft ? 0x8 : 0)) }, // PidTagMessageFlags
};

/** What `$expand=singleValueExtendedProperties($filter=id eq '…' [or id eq '…'])` adds to an item:
 *  the asked properties the item has; nothing (no empty collection) when it has none, as Exchange does. */
export function expandedProperties(m: MessageRecord, expand: string | null | undefined): Record<string, unknown> {
  const asked = expand ? askedProperties(expand, Object.keys(EXTENDED)) : undefined;
  if (!asked) return {};
  const out: { id: string; value: string }[] = [];
  for (const k of asked) {
    const p = EXTENDED[k];
    const value = p?.value(m);
    if (p && value !== null && value !== undefined) out.push({ id: p.id, value });
  }
  return out.length ? { singleValueExtendedProperties: out } : {};
}

/** An extended property's id as the emulator compares it: case and runs of spaces do not matter. */
export function propertyKey(id: string): string {
  return id.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Normalised ids of the extended properties an $expand asks for (`all` without a $filter); also
 *  reads its compact form (`svep:id,id`, what delta tokens keep); undefined: none. */
export function askedProperties(expand: string, all: readonly string[]): string[] | undefined {
  if (expand.startsWith('svep:')) return expand.slice(5).split(',').filter(Boolean);
  const e = /singleValueExtendedProperties(?:\(\s*\$filter\s*=\s*(.*)\))?/i.exec(expand);
  if (!e) return undefined;
  return e[1] ? [...e[1].matchAll(/id\s+eq\s+'([^']+)'/gi)].map((x) => propertyKey(x[1]!)) : [...all];
}

/** An $expand as a delta token keeps it: short, since the client stores the token. */
export function compactExpand(key: string, value: string): string {
  if (key !== '$expand') return value;
  const asked = askedProperties(value, Object.keys(EXTENDED));
  return asked ? `svep:${asked.join(',')}` : value;
}

/** beta mailboxItem. */
export function renderMailboxItem(m: MessageRecord): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.mailboxItem',
    '@odata.etag': `W/"${m.changeKey}"`,
    id: m.id,
    createdDateTime: m.createdDateTime,
    lastModifiedDateTime: m.lastModifiedDateTime,
    changeKey: m.changeKey,
    categories: m.categories,
    type: 'IPM.Note',
    size: m.size,
  };
}

// ---------- JSON in ----------

function recipient(value: unknown, field: string): Recipient {
  const ea = (value as { emailAddress?: { address?: unknown; name?: unknown } } | null)?.emailAddress;
  if (!ea || typeof ea.address !== 'string' || !ea.address.includes('@')) {
    throw badRequest(`Invalid recipient in '${field}': expected {"emailAddress":{"address":"user@domain"}}.`, 'ErrorInvalidRecipients');
  }
  return { emailAddress: { name: typeof ea.name === 'string' ? ea.name : ea.address, address: ea.address } };
}

function recipients(value: unknown, field: string): Recipient[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest(`Property '${field}' must be a collection of recipients.`, 'ErrorInvalidRecipients');
  return value.map((v) => recipient(v, field));
}

/** PidTagMessageFlags (0x0E07): MSGFLAG_READ 0x1, MSGFLAG_UNSENT 0x8. Migration tools set it on
 *  create to make a non-draft item; so does the emulator's generator. */
function extendedFlags(body: Record<string, unknown>): Partial<NewMessage> {
  const props = body['singleValueExtendedProperties'];
  if (!Array.isArray(props)) return {};
  const out: Partial<NewMessage> = {};
  for (const p of props as Array<{ id?: string; value?: string }>) {
    const id = propertyKey(p.id ?? '');
    if (id === 'integer 0x0e07') {
      const flags = Number(p.value);
      if (Number.isFinite(flags)) {
        out.isDraft = (flags & 0x8) !== 0;
        out.isRead = (flags & 0x1) !== 0;
      }
    } else if (id === 'systemtime 0x0e06' && p.value) out.receivedDateTime = new Date(p.value).toISOString();
    else if (id === 'systemtime 0x0039' && p.value) out.sentDateTime = new Date(p.value).toISOString();
  }
  return out;
}

const CONTENT_FIELDS = ['subject', 'body', 'toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo', 'from', 'sender', 'internetMessageId'] as const;

/** Graph message JSON (create or PATCH) -> record fields. Unknown properties are ignored. */
export function messageFields(body: unknown, forCreate: boolean): NewMessage {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON message object (or, for MIME, base64 text with Content-Type: text/plain).', 'ErrorInvalidRequest');
  }
  const b = body as Record<string, unknown>;
  const out: NewMessage = {};
  if (typeof b['subject'] === 'string') out.subject = b['subject'];
  if (b['body'] !== undefined) {
    const bd = b['body'] as { contentType?: string; content?: unknown } | null;
    const ct = (bd?.contentType ?? 'text').toLowerCase();
    if (ct !== 'text' && ct !== 'html') throw badRequest(`Invalid body contentType '${bd?.contentType}': expected 'text' or 'html'.`, 'ErrorInvalidRequest');
    out.body = { contentType: ct, content: typeof bd?.content === 'string' ? bd.content : '' };
  }
  for (const f of ['toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo'] as const) {
    if (b[f] !== undefined) out[f] = recipients(b[f], f);
  }
  if (b['from'] !== undefined) out.from = b['from'] === null ? null : recipient(b['from'], 'from');
  if (b['sender'] !== undefined) out.sender = b['sender'] === null ? null : recipient(b['sender'], 'sender');
  if (typeof b['isRead'] === 'boolean') out.isRead = b['isRead'];
  if (b['importance'] !== undefined) {
    const imp = String(b['importance']).toLowerCase();
    if (imp !== 'low' && imp !== 'normal' && imp !== 'high') throw badRequest(`Invalid importance '${imp}'.`, 'ErrorInvalidRequest');
    out.importance = imp;
  }
  if (Array.isArray(b['categories'])) out.categories = (b['categories'] as unknown[]).map(String);
  if (b['flag'] && typeof b['flag'] === 'object') {
    const fs = String((b['flag'] as { flagStatus?: unknown }).flagStatus ?? 'notFlagged');
    if (fs === 'notFlagged' || fs === 'flagged' || fs === 'complete') out.flag = { flagStatus: fs };
  }
  if (typeof b['internetMessageId'] === 'string') out.internetMessageId = b['internetMessageId'];
  if (forCreate) Object.assign(out, extendedFlags(b));
  return out;
}

export function touchesContent(fields: NewMessage): boolean {
  return CONTENT_FIELDS.some((f) => f in fields);
}

// ---------- MIME in and out ----------

const toMime = (r: Recipient): MimeAddress => (r.emailAddress.name && r.emailAddress.name !== r.emailAddress.address ? { name: r.emailAddress.name, address: r.emailAddress.address } : { address: r.emailAddress.address });
const fromMime = (a: MimeAddress): Recipient => ({ emailAddress: { name: a.name ?? a.address, address: a.address } });

/** The message's RFC 5322 text: the imported MIME when there is one, else built from the record. */
export function messageMime(m: MessageRecord): string {
  if (m.mime !== undefined) return m.mime;
  return buildMime({
    ...(m.from ? { from: toMime(m.from) } : {}),
    to: m.toRecipients.map(toMime),
    cc: m.ccRecipients.map(toMime),
    bcc: m.bccRecipients.map(toMime),
    subject: m.subject,
    date: new Date(m.sentDateTime ?? m.receivedDateTime),
    messageId: m.internetMessageId,
    body: m.body,
  });
}

export function mimeSize(m: MessageRecord): number {
  // Imported MIME is kept as latin1 text of its bytes; built MIME is ASCII. The size of a built
  // MIME is its headers plus the wrapped base64 body, counted without building the body.
  if (m.mime !== undefined) return Buffer.byteLength(m.mime, 'latin1');
  const headers = messageMime({ ...m, body: { contentType: m.body.contentType, content: '' } });
  return Buffer.byteLength(headers, 'latin1') + wrappedBase64Length(Buffer.byteLength(m.body.content, 'utf8'));
}

/** Record fields of a message imported from MIME (Graph makes it a draft, whatever the MIME says). */
export function fieldsFromMime(parsed: MimeMessage, raw: string, now: number): NewMessage {
  const when = (parsed.date ?? new Date(now)).toISOString();
  return {
    subject: parsed.subject,
    body: parsed.body,
    ...(parsed.from ? { from: fromMime(parsed.from), sender: fromMime(parsed.from) } : {}),
    toRecipients: parsed.to.map(fromMime),
    ccRecipients: parsed.cc.map(fromMime),
    bccRecipients: parsed.bcc.map(fromMime),
    ...(parsed.messageId ? { internetMessageId: parsed.messageId } : {}),
    receivedDateTime: when,
    sentDateTime: when,
    isDraft: true,
    isRead: true,
    mime: raw,
  };
}
