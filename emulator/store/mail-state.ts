// Mail section: per-user mailboxes (primary and in-place archive, each its own store with its own
// mailbox id), their folders and items, and a log of mail sent through the emulator.
// Owned by emulator/graph/mail* and mailbox-import-export*. Plain JSON (persistence saves it).
// Items and folders are Tracked: every write takes nextSeq(t); deletions leave tombstones so
// message delta can report `@removed`.
import { createHash, randomBytes } from 'node:crypto';
import type { Tracked, TenantState } from './tenant-state.js';
import { nextSeq } from './tenant-state.js';
import { recordWrite, visibleVersion } from '../core/lag.js';

export interface EmailAddress {
  name: string;
  address: string;
}
export interface Recipient {
  emailAddress: EmailAddress;
}
export interface ItemBody {
  contentType: 'text' | 'html';
  content: string;
}

export interface MailFolderRecord extends Tracked {
  id: string;
  displayName: string;
  /** '' for the mailbox root (msgfolderroot). */
  parentFolderId: string;
  /** inbox, drafts, sentitems… for the folders Exchange creates; absent for user folders. */
  wellKnownName?: string;
  isHidden: boolean;
  /** Folder class (beta mailboxFolder.type) when created with one other than IPF.Note. */
  folderClass?: string;
  /** Single-value extended properties a client set on the folder, by normalised id. */
  extendedProperties?: Record<string, { id: string; value: string }>;
}

/** A message as Graph's `message` resource shows it, plus the MIME it was imported from. */
export interface MessageRecord extends Tracked {
  id: string;
  changeKey: string;
  parentFolderId: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  receivedDateTime: string;
  sentDateTime: string | null;
  subject: string;
  from: Recipient | null;
  sender: Recipient | null;
  toRecipients: Recipient[];
  ccRecipients: Recipient[];
  bccRecipients: Recipient[];
  replyTo: Recipient[];
  isDraft: boolean;
  isRead: boolean;
  importance: 'low' | 'normal' | 'high';
  categories: string[];
  flag: { flagStatus: 'notFlagged' | 'flagged' | 'complete' };
  body: ItemBody;
  internetMessageId: string;
  conversationId: string;
  hasAttachments: boolean;
  /** Byte length of the item's MIME. */
  size: number;
  /** The raw RFC 5322 text when the item came from a MIME import; otherwise built on export. */
  mime?: string;
}

/** One physical mailbox: the primary or the in-place archive. */
export interface MailboxStore {
  /** Graph's mailbox id, e.g. MBX:1a2b3c4d@5e6f7a8b (the /admin/exchange/mailboxes/{id} key). */
  mailboxId: string;
  userId: string;
  kind: 'primary' | 'archive';
  rootFolderId: string;
  folders: Record<string, MailFolderRecord>;
  messages: Record<string, MessageRecord>;
}

export interface UserMailbox {
  userId: string;
  primary: MailboxStore;
  archive?: MailboxStore;
}

/** What POST /users/{id}/sendMail did: kept so tests and the generator can check notifications. */
export interface SentMailRecord {
  sentDateTime: string;
  fromUserId: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  internetMessageId: string;
  /** User ids whose inbox received a copy (recipients in this tenant with a mailbox). */
  deliveredTo: string[];
}

export interface MailState {
  /** By user object id. */
  mailboxes: Record<string, UserMailbox>;
  /** Mailbox id (primary or archive) -> user id. */
  mailboxIds: Record<string, string>;
  sentLog: SentMailRecord[];
}

// ---------- tracking (delta + replication lag), shared with drive-state.ts ----------

/** When a write happens and how long it stays invisible to readers (faults.replicationLagMs);
 *  handlers build it with writeAt(req) (emulator/graph/mail-query.ts). */
export interface WriteAt {
  now: number;
  lagMs: number;
}

/** The version of a record a read at `now` sees (emulator/core/lag.ts semantics). */
export function readVisible<T extends Tracked>(rec: T, now: number): T | undefined {
  return visibleVersion(rec, now);
}

/** Stamp a write: the next seq (delta), and with replication lag what readers see meanwhile. */
export function stampWrite<T extends Tracked>(t: { seq: number }, rec: T, at: WriteAt, previous: T | undefined): void {
  rec._seq = nextSeq(t as TenantState);
  recordWrite(rec, at.now, at.lagMs, previous);
}

export function emptyMail(): MailState {
  return { mailboxes: {}, mailboxIds: {}, sentLog: [] };
}

/** Well-known folders Exchange creates in every primary mailbox (msgfolderroot is the root). */
const PRIMARY_FOLDERS: ReadonlyArray<[string, string, boolean?]> = [
  ['inbox', 'Inbox'],
  ['drafts', 'Drafts'],
  ['sentitems', 'Sent Items'],
  ['deleteditems', 'Deleted Items'],
  ['junkemail', 'Junk Email'],
  ['archive', 'Archive'],
  ['outbox', 'Outbox'],
  ['conversationhistory', 'Conversation History'],
];
const ARCHIVE_FOLDERS: ReadonlyArray<[string, string, boolean?]> = [
  ['inbox', 'Inbox'],
  ['deleteditems', 'Deleted Items'],
];

export const newItemId = (prefix = 'AAMkA') => prefix + randomBytes(30).toString('base64url');

export function changeKeyFor(id: string, seq: number): string {
  return 'CQAAABYAAA' + createHash('sha256').update(`${id}:${seq}`).digest('base64').slice(0, 26);
}

function hex8(): string {
  return randomBytes(4).toString('hex');
}

function newStore(t: { seq?: number }, userId: string, kind: 'primary' | 'archive', tenantTag: string): MailboxStore {
  const store: MailboxStore = {
    mailboxId: `MBX:${hex8()}@${tenantTag}`,
    userId,
    kind,
    rootFolderId: newItemId('AAMkAF'),
    folders: {},
    messages: {},
  };
  const seq = () => (typeof t.seq === 'number' ? (t.seq += 1) : 0);
  store.folders[store.rootFolderId] = {
    id: store.rootFolderId,
    displayName: 'Top of Information Store',
    parentFolderId: '',
    wellKnownName: 'msgfolderroot',
    isHidden: false,
    _seq: seq(),
  };
  for (const [wk, name] of kind === 'primary' ? PRIMARY_FOLDERS : ARCHIVE_FOLDERS) {
    const id = newItemId('AAMkAF');
    store.folders[id] = { id, displayName: name, parentFolderId: store.rootFolderId, wellKnownName: wk, isHidden: false, _seq: seq() };
  }
  return store;
}

function section(t: { mail: MailState }): MailState {
  // Tolerate a state saved before these fields existed.
  t.mail.mailboxIds ??= {};
  t.mail.sentLog ??= [];
  return t.mail;
}

/** Create the mailbox's item store (default folders, archive if enabled) when Exchange
 *  provisions a mailbox for a licensed user. Idempotent; enabling the archive later adds it. */
export function ensureMailStore(t: { mail: MailState }, userId: string, options: { archive: boolean }): void {
  const mail = section(t);
  const tenantTag = ((t as { id?: string }).id ?? hex8()).replace(/-/g, '').slice(0, 8);
  let mbx = mail.mailboxes[userId];
  if (!mbx) {
    mbx = { userId, primary: newStore(t as { seq?: number }, userId, 'primary', tenantTag) };
    mail.mailboxes[userId] = mbx;
    mail.mailboxIds[mbx.primary.mailboxId] = userId;
  }
  if (options.archive && !mbx.archive) {
    mbx.archive = newStore(t as { seq?: number }, userId, 'archive', tenantTag);
    mail.mailboxIds[mbx.archive.mailboxId] = userId;
  }
}

/** Remove the item store when the mailbox is de-provisioned (after the retention period). */
export function dropMailStore(t: { mail: MailState }, userId: string): void {
  const mail = section(t);
  const mbx = mail.mailboxes[userId];
  if (!mbx) return;
  delete mail.mailboxIds[mbx.primary.mailboxId];
  if (mbx.archive) delete mail.mailboxIds[mbx.archive.mailboxId];
  delete mail.mailboxes[userId];
}

export function userMailbox(t: { mail: MailState }, userId: string): UserMailbox | undefined {
  return section(t).mailboxes[userId];
}

/** A primary or archive store by its Graph mailbox id. */
export function mailboxById(t: { mail: MailState }, mailboxId: string): MailboxStore | undefined {
  const mail = section(t);
  const userId = mail.mailboxIds[mailboxId];
  const mbx = userId === undefined ? undefined : mail.mailboxes[userId];
  if (!mbx) return undefined;
  if (mbx.primary.mailboxId === mailboxId) return mbx.primary;
  return mbx.archive?.mailboxId === mailboxId ? mbx.archive : undefined;
}

// ---------- folders ----------

/** A live (visible, not deleted) folder by id or well-known name (case-insensitive). */
export function findFolder(store: MailboxStore, idOrName: string, now: number): MailFolderRecord | undefined {
  const direct = store.folders[idOrName];
  const rec =
    direct ??
    Object.values(store.folders).find((f) => f.wellKnownName !== undefined && f.wellKnownName === idOrName.toLowerCase());
  const seen = rec && readVisible(rec, now);
  return seen && !seen._deleted ? seen : undefined;
}

export function childFolders(store: MailboxStore, parentId: string, now: number): MailFolderRecord[] {
  const out: MailFolderRecord[] = [];
  for (const f of Object.values(store.folders)) {
    if (f.parentFolderId !== parentId) continue;
    const seen = readVisible(f, now);
    if (seen && !seen._deleted) out.push(seen);
  }
  return out;
}

export function liveMessages(store: MailboxStore, folderId: string | undefined, now: number): MessageRecord[] {
  const out: MessageRecord[] = [];
  for (const m of Object.values(store.messages)) {
    const seen = readVisible(m, now);
    if (!seen || seen._deleted) continue;
    if (folderId === undefined || seen.parentFolderId === folderId) out.push(seen);
  }
  return out;
}

export class FolderExistsError extends Error {}

export function createFolder(t: TenantState, store: MailboxStore, parentId: string, displayName: string, at: WriteAt, isHidden = false): MailFolderRecord {
  if (childFolders(store, parentId, at.now).some((f) => f.displayName.toLowerCase() === displayName.toLowerCase())) {
    throw new FolderExistsError(displayName);
  }
  const id = newItemId('AAMkAF');
  const rec: MailFolderRecord = { id, displayName, parentFolderId: parentId, isHidden, _seq: 0 };
  stampWrite(t, rec, at, undefined);
  store.folders[id] = rec;
  return rec;
}

export function updateFolder(t: TenantState, store: MailboxStore, folder: MailFolderRecord, patch: Partial<Pick<MailFolderRecord, 'displayName' | 'extendedProperties'>>, at: WriteAt): MailFolderRecord {
  const previous = { ...folder };
  const next: MailFolderRecord = { ...folder, ...patch };
  stampWrite(t, next, at, previous);
  store.folders[folder.id] = next;
  return next;
}

/** Delete a folder, its subfolders and their items (tombstones for delta). */
export function deleteFolder(t: TenantState, store: MailboxStore, folderId: string, at: WriteAt): void {
  for (const child of childFolders(store, folderId, at.now)) deleteFolder(t, store, child.id, at);
  for (const m of liveMessages(store, folderId, at.now)) deleteMessage(t, store, m.id, at);
  const f = store.folders[folderId];
  if (f) store.folders[folderId] = tombstone(t, f, at);
}

// ---------- messages ----------

export type NewMessage = Partial<Omit<MessageRecord, 'id' | 'changeKey' | 'parentFolderId' | keyof Tracked>>;

export function createMessage(t: TenantState, store: MailboxStore, folderId: string, fields: NewMessage, at: WriteAt): MessageRecord {
  const id = newItemId();
  const iso = new Date(at.now).toISOString();
  const rec: MessageRecord = {
    id,
    changeKey: '',
    parentFolderId: folderId,
    createdDateTime: iso,
    lastModifiedDateTime: iso,
    receivedDateTime: iso,
    sentDateTime: null,
    subject: '',
    from: null,
    sender: null,
    toRecipients: [],
    ccRecipients: [],
    bccRecipients: [],
    replyTo: [],
    isDraft: true,
    isRead: true,
    importance: 'normal',
    categories: [],
    flag: { flagStatus: 'notFlagged' },
    body: { contentType: 'text', content: '' },
    internetMessageId: `<${randomBytes(12).toString('hex')}@emulator.t2t.local>`,
    conversationId: newItemId('AAQkA'),
    hasAttachments: false,
    size: 0,
    ...fields,
    _seq: 0,
  };
  stampWrite(t, rec, at, undefined);
  rec.changeKey = changeKeyFor(id, rec._seq);
  store.messages[id] = rec;
  return rec;
}

export function updateMessage(t: TenantState, store: MailboxStore, id: string, patch: NewMessage, at: WriteAt): MessageRecord {
  const current = store.messages[id]!;
  const previous = { ...current };
  const next: MessageRecord = { ...current, ...patch, lastModifiedDateTime: new Date(at.now).toISOString() };
  stampWrite(t, next, at, previous);
  next.changeKey = changeKeyFor(id, next._seq);
  store.messages[id] = next;
  return next;
}

export function deleteMessage(t: TenantState, store: MailboxStore, id: string, at: WriteAt): void {
  const m = store.messages[id];
  if (m) store.messages[id] = tombstone(t, m, at);
}

function tombstone<T extends Tracked>(t: TenantState, rec: T, at: WriteAt): T {
  const next = { ...rec, _deleted: true };
  stampWrite(t, next, at, rec);
  return next;
}

/** A live message of the store by id. */
export function findMessage(store: MailboxStore, id: string, now: number): MessageRecord | undefined {
  const rec = store.messages[id];
  const seen = rec && readVisible(rec, now);
  return seen && !seen._deleted ? seen : undefined;
}

export function recordSent(t: { mail: MailState }, entry: SentMailRecord): void {
  section(t).sentLog.push(entry);
}

/** Current change counter (for delta tokens). */
export function currentSeq(t: TenantState): number {
  return t.seq;
}

export { nextSeq };
