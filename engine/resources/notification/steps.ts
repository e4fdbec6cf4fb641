// Step of notification: the cutover e-mail (POST /users/{from}/sendMail), the point of no return.
//
// Sending twice is worse than sending late, and a send cannot be undone, so the marker records
// the intent (notificationSendingAt) BEFORE the send and the fact (notificationSentAt) after it.
// A run that finds the intent without the fact checks the sender's Sent Items for the message
// (same recipient and subject, sent since the intent): found, it only stamps the fact; not found,
// it sends. A crash between the send and the stamp therefore never sends a second e-mail.
import { mergeMarker, readMarker } from '../../apply/marker-store.js';
import { getUser, need, str, targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

interface SentMessage {
  subject?: string;
  sentDateTime?: string;
  toRecipients?: { emailAddress?: { address?: string } }[];
}

const FIELD = /\{([A-Za-z0-9_]+)\}/g;

export function renderNotification(template: string, fields: Record<string, string>): string {
  return template.replace(FIELD, (m, name: string) => fields[name] ?? m);
}

async function alreadySent(ctx: StepContext, from: string, to: string, subject: string, since: string): Promise<boolean> {
  const url = `/users/${encodeURIComponent(from)}/mailFolders/sentitems/messages?$select=subject,sentDateTime,toRecipients&$top=50`;
  const sinceMs = Date.parse(since) - 60_000;
  let pages = 0;
  for await (const page of ctx.tenant.graph.pages<SentMessage>(url)) {
    for (const m of page) {
      const when = Date.parse(m.sentDateTime ?? '');
      if (Number.isFinite(when) && when < sinceMs) continue;
      if ((m.subject ?? '') !== subject) continue;
      if ((m.toRecipients ?? []).some((r) => (r.emailAddress?.address ?? '').toLowerCase() === to.toLowerCase())) return true;
    }
    if (++pages >= 20) break;
  }
  return false;
}

async function send(ctx: StepContext) {
  const p = ctx.change.params;
  const id = await targetUserId(ctx);
  const from = need(ctx, 'from');
  const to = need(ctx, 'to');
  const target = await getUser(ctx, id, 'id,displayName,userPrincipalName,mail');
  const fields: Record<string, string> = {
    displayName: target?.displayName ?? ctx.change.user,
    targetAddress: to,
    targetUpn: target?.userPrincipalName ?? to,
    sourceAddress: ctx.change.user,
    wave: ctx.change.wave,
  };
  const subject = renderNotification(need(ctx, 'subject'), fields);
  const marker = await readMarker(ctx, id);
  if (marker?.notificationSentAt) return { note: `already sent on ${marker.notificationSentAt}` };
  const sending = typeof marker?.['notificationSendingAt'] === 'string' ? (marker['notificationSendingAt'] as string) : undefined;
  if (sending && (await alreadySent(ctx, from, to, subject, sending))) {
    await mergeMarker(ctx, id, { notificationSentAt: sending, notificationSendingAt: null });
    return { note: 'found in the Sent Items of an earlier run: not sent again' };
  }
  const now = sending ?? ctx.now().toISOString();
  if (!sending) await mergeMarker(ctx, id, { notificationSendingAt: now });
  const bodyFile = str(p, 'bodyFile') ?? '';
  const body = renderNotification(str(p, 'body') ?? '', fields);
  await ctx.tenant.graph.post(
    `/users/${encodeURIComponent(from)}/sendMail`,
    {
      message: {
        subject,
        body: { contentType: /\.html?$/i.test(bodyFile) ? 'HTML' : 'Text', content: body },
        toRecipients: [{ emailAddress: { address: to } }],
      },
      saveToSentItems: true,
    },
    { object: `notification to ${to}` },
  );
  await mergeMarker(ctx, id, { notificationSentAt: ctx.now().toISOString(), notificationSendingAt: null });
  return { note: `notification sent from ${from} to ${to}` };
}

export const notificationSteps: StepMap = { 'notification.send': send };
