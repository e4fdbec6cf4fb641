// POST /users/{id}/sendMail: saves the sent item (unless saveToSentItems is false), delivers a
// copy to every recipient that has a mailbox in the same tenant, and logs the send in
// t.mail.sentLog (cutover notifications are checked there and in the recipients' inboxes).
// Mail to other tenants or the internet is accepted and logged, not delivered.
import { badRequest, json, type EmuRequest, type EmuResponse } from '../core/http-types.js';
import { findUser, ownerOfAddress, type UserRef } from '../store/directory-state.js';
import type { TenantState } from '../store/tenant-state.js';
import { createMessage, findFolder, recordSent, userMailbox, type Recipient } from '../store/mail-state.js';
import { messageFields, mimeSize } from './mail-render.js';
import { requireMailbox, userAddress, writeAt } from './mail-query.js';

/** The user of this tenant that receives mail for `address`, if any. */
export function userByAddress(t: TenantState, address: string): UserRef | undefined {
  const owner = ownerOfAddress(t, address);
  return (owner !== undefined ? findUser(t, owner) : undefined) ?? findUser(t, address);
}

export function sendMail(req: EmuRequest): EmuResponse {
  const { user, mbx } = requireMailbox(req, req.params['id']!);
  const body = req.body as { message?: unknown; saveToSentItems?: unknown } | undefined;
  if (!body || typeof body.message !== 'object' || body.message === null) {
    throw badRequest("sendMail needs a 'message' object in the request body.", 'ErrorInvalidRequest');
  }
  const fields = messageFields(body.message, false);
  const all: Recipient[] = [...(fields.toRecipients ?? []), ...(fields.ccRecipients ?? []), ...(fields.bccRecipients ?? [])];
  if (all.length === 0) throw badRequest('At least one recipient is not valid., Recipient is missing.', 'ErrorInvalidRecipients');
  const me: Recipient = { emailAddress: { name: user.userPrincipalName, address: userAddress(user) } };
  const iso = new Date(req.now).toISOString();
  const sent = { ...fields, from: fields.from ?? me, sender: me, isDraft: false, sentDateTime: iso, receivedDateTime: iso };
  let internetMessageId: string | undefined = fields.internetMessageId;
  if (body.saveToSentItems !== false) {
    const folder = findFolder(mbx.primary, 'sentitems', req.now)!;
    const rec = createMessage(req.tenant, mbx.primary, folder.id, { ...sent, isRead: true }, writeAt(req));
    rec.size = mimeSize(rec);
    internetMessageId = rec.internetMessageId;
  }
  internetMessageId ??= `<${req.requestId}@${userAddress(user).split('@')[1] ?? 'emulator'}>`;
  const deliveredTo: string[] = [];
  for (const r of all) {
    const target = userByAddress(req.tenant, r.emailAddress.address);
    const box = target && userMailbox(req.tenant, target.id);
    if (!target || !box || deliveredTo.includes(target.id)) continue;
    const inbox = findFolder(box.primary, 'inbox', req.now)!;
    // Bcc is not visible to recipients.
    const rec = createMessage(req.tenant, box.primary, inbox.id, { ...sent, bccRecipients: [], isRead: false, internetMessageId }, writeAt(req));
    rec.size = mimeSize(rec);
    deliveredTo.push(target.id);
  }
  recordSent(req.tenant, {
    sentDateTime: iso,
    fromUserId: user.id,
    from: userAddress(user),
    to: (fields.toRecipients ?? []).map((r) => r.emailAddress.address),
    cc: (fields.ccRecipients ?? []).map((r) => r.emailAddress.address),
    bcc: (fields.bccRecipients ?? []).map((r) => r.emailAddress.address),
    subject: fields.subject ?? '',
    internetMessageId,
    deliveredTo,
  });
  return { status: 202 };
}

/** GET /users/{id}/mailboxSettings (the fields t2t and common clients read). */
export function getMailboxSettings(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  return json(200, {
    '@odata.context': `${req.baseUrl}/v1.0/$metadata#users('${req.params['id']}')/mailboxSettings`,
    archiveFolder: findFolder(mbx.primary, 'archive', req.now)?.id ?? null,
    timeZone: 'UTC',
    dateFormat: 'yyyy-MM-dd',
    timeFormat: 'HH:mm',
    userPurpose: 'user',
    delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
    language: { locale: 'en-US', displayName: 'English (United States)' },
    automaticRepliesSetting: {
      status: 'disabled',
      externalAudience: 'all',
      internalReplyMessage: '',
      externalReplyMessage: '',
      scheduledStartDateTime: { dateTime: new Date(req.now).toISOString().slice(0, 19), timeZone: 'UTC' },
      scheduledEndDateTime: { dateTime: new Date(req.now + 86_400_000).toISOString().slice(0, 19), timeZone: 'UTC' },
    },
    workingHours: {
      daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      startTime: '08:00:00.0000000',
      endTime: '17:00:00.0000000',
      timeZone: { name: 'UTC' },
    },
  });
}
