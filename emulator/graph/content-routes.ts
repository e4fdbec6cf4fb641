// Mailbox content and OneDrive routes. Graph v1.0 patterns; the router serves /beta/… from the
// v1.0 route when there is no beta-specific one.
//
// Throttling: mail routes draw from budget 'mailbox', keyed (emulator/core/throttle.ts) on the
// mailbox in the path: params.id of /users/{id}/… (user id or UPN) or params.mailboxId of
// /admin/exchange/mailboxes/{mailboxId}/… (a primary or archive mailbox id; map it to the user
// with t.mail.mailboxIds when primary and user budgets should be one). Drive routes use 'drive'.
// The pre-authenticated URLs (import URL, upload URL, download URL) are anonymous: their tokens
// name the tenant, mailbox (params.mailboxId on the import URL) or upload session, and the app
// that created them; route.throttleScope reads them so these requests draw from the same mailbox
// (concurrency, upload bytes) and drive budgets as the bearer-token ones.
import type { HttpMethod, Route } from '../core/http-types.js';
import { json, notFound, type EmuRequest } from '../core/http-types.js';
import {
  createChildFolder,
  createMailFolder,
  deleteMailFolder,
  getMailFolder,
  listChildFolders,
  listMailFolders,
  patchMailFolder,
} from './mail-folders.js';
import {
  createDraftMessage,
  createFolderMessage,
  deleteMessageRoute,
  getMessage,
  getMessageMime,
  listFolderMessages,
  listMailboxMessages,
  messageDelta,
  patchMessage,
} from './mail-messages.js';
import { getMailboxSettings, sendMail } from './mail-send.js';
import {
  createMailboxFolder,
  deleteMailboxItem,
  getExchangeSettings,
  getMailboxFolder,
  getMailboxItem,
  listMailboxFolders,
  listMailboxItems,
  mailboxItemDelta,
  patchMailboxFolder,
} from './mailbox-import-export-folders.js';
import { createImportSession, exportItems, importItem } from './mailbox-import-export.js';
import { driveDelete, driveGet, drivePatch, drivePost, drivePut, downloadContent } from './drive-items.js';
import { cancelUpload, uploadFragment, uploadStatus } from './drive-upload.js';
import { downloadScope, importScope, uploadScope } from './mail-signed-url.js';

const MAIL_READ = ['Mail.Read', 'Mail.ReadWrite'];
const MAIL_WRITE = ['Mail.ReadWrite'];
const MAIL_SEND = ['Mail.Send'];
// Graph wants MailboxSettings.Read; Mail.Read(Write) accepted too so the documented app roles suffice.
const SETTINGS = ['MailboxSettings.Read', 'MailboxSettings.ReadWrite', 'Mail.Read', 'Mail.ReadWrite'];
const EXCHANGE_SETTINGS = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All', ...SETTINGS, 'MailboxItem.ImportExport.All'];
// Import/export: Graph's MailboxItem.* roles; Mail.ReadWrite is also accepted (lenient, noted).
const BOX_READ = ['MailboxFolder.Read.All', 'MailboxFolder.ReadWrite.All', 'MailboxItem.Read.All', 'MailboxItem.Export.All', 'MailboxItem.ImportExport.All', ...MAIL_READ];
const EXPORT = ['MailboxItem.Export.All', 'MailboxItem.ImportExport.All', 'Mail.ReadWrite'];
const IMPORT = ['MailboxItem.ImportExport.All', 'Mail.ReadWrite'];
const BOX_FOLDER_WRITE = ['MailboxFolder.ReadWrite.All', 'Mail.ReadWrite'];
const BOX_ITEM_WRITE = ['MailboxItem.ReadWrite.All', 'Mail.ReadWrite'];
const FILES_READ = ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'];
const FILES_WRITE = ['Files.ReadWrite.All', 'Sites.ReadWrite.All'];

const mail = (method: HttpMethod, pattern: string, roles: string[], handler: Route['handler']): Route => ({
  method,
  pattern,
  roles,
  budget: 'mailbox',
  handler,
});

const U = '/v1.0/users/{id}';
const F = `${U}/mailFolders/{folderId}`;
const MBX = '/v1.0/admin/exchange/mailboxes/{mailboxId}';

const mailRoutes: Route[] = [
  mail('GET', `${U}/mailFolders`, MAIL_READ, listMailFolders),
  mail('POST', `${U}/mailFolders`, MAIL_WRITE, createMailFolder),
  mail('GET', F, MAIL_READ, getMailFolder),
  mail('PATCH', F, MAIL_WRITE, patchMailFolder),
  mail('DELETE', F, MAIL_WRITE, deleteMailFolder),
  mail('GET', `${F}/childFolders`, MAIL_READ, listChildFolders),
  mail('POST', `${F}/childFolders`, MAIL_WRITE, createChildFolder),
  mail('GET', `${F}/messages`, MAIL_READ, listFolderMessages),
  mail('POST', `${F}/messages`, MAIL_WRITE, createFolderMessage),
  mail('GET', `${F}/messages/delta`, MAIL_READ, messageDelta),
  mail('GET', `${F}/messages/{messageId}`, MAIL_READ, getMessage),
  mail('PATCH', `${F}/messages/{messageId}`, MAIL_WRITE, patchMessage),
  mail('DELETE', `${F}/messages/{messageId}`, MAIL_WRITE, deleteMessageRoute),
  mail('GET', `${F}/messages/{messageId}/$value`, MAIL_READ, getMessageMime),
  mail('GET', `${U}/messages`, MAIL_READ, listMailboxMessages),
  mail('POST', `${U}/messages`, MAIL_WRITE, createDraftMessage),
  mail('GET', `${U}/messages/{messageId}`, MAIL_READ, getMessage),
  mail('PATCH', `${U}/messages/{messageId}`, MAIL_WRITE, patchMessage),
  mail('DELETE', `${U}/messages/{messageId}`, MAIL_WRITE, deleteMessageRoute),
  mail('GET', `${U}/messages/{messageId}/$value`, MAIL_READ, getMessageMime),
  mail('POST', `${U}/sendMail`, MAIL_SEND, sendMail),
  mail('GET', `${U}/mailboxSettings`, SETTINGS, getMailboxSettings),
  mail('GET', `${U}/settings/exchange`, EXCHANGE_SETTINGS, getExchangeSettings),
  // Full-fidelity import/export (beta; served under /beta through the router's v1.0 fallback).
  mail('GET', `${MBX}/folders`, BOX_READ, listMailboxFolders),
  mail('GET', `${MBX}/folders/{folderId}`, BOX_READ, getMailboxFolder),
  mail('GET', `${MBX}/folders/{folderId}/childFolders`, BOX_READ, listMailboxFolders),
  mail('PATCH', `${MBX}/folders/{folderId}`, BOX_FOLDER_WRITE, patchMailboxFolder),
  mail('POST', `${MBX}/folders`, BOX_FOLDER_WRITE, createMailboxFolder),
  mail('POST', `${MBX}/folders/{folderId}/childFolders`, BOX_FOLDER_WRITE, createMailboxFolder),
  mail('DELETE', `${MBX}/folders/{folderId}/items/{itemId}`, BOX_ITEM_WRITE, deleteMailboxItem),
  mail('GET', `${MBX}/folders/{folderId}/items`, BOX_READ, listMailboxItems),
  mail('GET', `${MBX}/folders/{folderId}/items/delta`, BOX_READ, mailboxItemDelta),
  mail('GET', `${MBX}/folders/{folderId}/items/{itemId}`, BOX_READ, getMailboxItem),
  mail('POST', `${MBX}/exportItems`, EXPORT, exportItems),
  mail('POST', `${MBX}/createImportSession`, IMPORT, createImportSession),
  // The pre-authenticated import URL (Exchange's is on outlook.office365.com; the emulator's on itself).
  { method: 'POST', pattern: "/api/gbeta/Mailboxes('{mailboxId}')/importItem", anonymous: true, budget: 'mailbox', throttleScope: importScope, handler: importItem },
];

// OneDrive: every addressing form under both /users/{id}/drive and /drives/{driveId}; the
// handlers parse the address from the path themselves (drive-address.ts).
const ITEM_FORMS = ['/root', '/root:/{path}:', '/root:/{path}', '/items/{itemId}', '/items/{itemId}:/{path}:', '/items/{itemId}:/{path}'];

function driveRoutes(): Route[] {
  const out: Route[] = [];
  const add = (method: HttpMethod, pattern: string, roles: string[], handler: Route['handler']) =>
    out.push({ method, pattern, roles, budget: 'drive', handler });
  for (const base of ['/v1.0/users/{id}/drive', '/v1.0/drives/{driveId}']) {
    add('GET', base, FILES_READ, driveGet);
    add('GET', `${base}/root/delta`, FILES_READ, driveGet);
    for (const form of ITEM_FORMS) {
      const item = base + form;
      const colon = form.endsWith(':') ? '' : form.includes(':') ? null : '';
      add('GET', item, FILES_READ, driveGet);
      add('PATCH', item, FILES_WRITE, drivePatch);
      add('DELETE', item, FILES_WRITE, driveDelete);
      if (colon === null) continue; // `root:/a/b` without a closing colon takes no further segment
      add('GET', `${item}/children`, FILES_READ, driveGet);
      add('GET', `${item}/content`, FILES_READ, driveGet);
      add('POST', `${item}/children`, FILES_WRITE, drivePost);
      add('PUT', `${item}/content`, FILES_WRITE, drivePut);
      add('POST', `${item}/createUploadSession`, FILES_WRITE, drivePost);
    }
  }
  out.push(
    { method: 'PUT', pattern: '/up/{session}', anonymous: true, budget: 'drive', throttleScope: uploadScope, handler: uploadFragment },
    { method: 'GET', pattern: '/up/{session}', anonymous: true, budget: 'drive', throttleScope: uploadScope, handler: uploadStatus },
    { method: 'DELETE', pattern: '/up/{session}', anonymous: true, budget: 'drive', throttleScope: uploadScope, handler: cancelUpload },
    { method: 'GET', pattern: '/download/{item}', anonymous: true, budget: 'drive', throttleScope: downloadScope, handler: downloadContent },
  );
  return out;
}

/** GET /_emulator/tenants/{tenant}/sentMail: what sendMail sent (tests check notifications). */
function sentMail(req: EmuRequest) {
  const t = req.tenant as EmuRequest['tenant'] | undefined;
  if (!t) throw notFound(req.params['tenant'] ?? '');
  return json(200, { value: t.mail.sentLog ?? [] });
}

export const contentRoutes: Route[] = [
  ...mailRoutes,
  ...driveRoutes(),
  { method: 'GET', pattern: '/_emulator/tenants/{tenant}/sentMail', anonymous: true, budget: 'none', handler: sentMail },
];
