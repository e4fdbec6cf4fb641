// Step of notification: the cutover e-mail (POST /users/{from}/sendMail), the point of no return.
//
// Sending twice is worse than sending late, and a send cannot be undone, so the marker records
// the intent (notificationSendingAt) BEFORE the send and the fact (notificationSentAt) after it.
// A run that finds the intent without the fact checks the sender's Sent Items for the message
// (same recipient and subject, sent since the intent): found, it only stamps the fact. Exchange
// saves the sent item a moment after sendMail answers, so an intent younger than
// SENT_ITEMS_SETTLE_MS that Sent Items does not show yet fails the step (run apply again later)
// instead of sending: a crash between the send and the stamp never sends a second e-mail. An
// older intent without a sent item was a run that stopped before sending: it sends. A send the
// service refused (4xx, 503) clears the intent: nothing went out, and the next run sends at once.
import { TenantError, UserError } from '../../errors.js';
import { mergeMarker, readMarker } from '../../apply/marker-store.js';
import { getUser, need, readEventually, str, targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

interface SentMessage {
  subject?: string;
  sentDateTime?: string;
  toRecipients?: { emailAddress?: { address?: string } }[];
}

const FIELD = /\{([A-Za-z0-9_]+)\}/g;

/** How long after the recorded intent a sent notification may still be missing from Sent Items. */
export const SENT_ITEMS_SETTLE_MS = 5 * 60_000;

export function renderNotification(template: string, fields: Record<string, string>): string {
  return template.replace(FIELD, (m, name: string) => fields[name] ?? m);
}

function refusedBeforeSending(e: unknown): boolean {
  const status = e instanceof TenantError ? e.details.status : undefined;
  return status !== undefined && ((status >= 400 && status < 500) || status === 503);
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
  if (sending) {
    if (await readEventually(ctx, async () => ((await alreadySent(ctx, from, to, subject, sending)) ? true : undefined))) {
      await mergeMarker(ctx, id, { notificationSentAt: sending, notificationSendingAt: null });
      return { note: 'found in the Sent Items of an earlier run: not sent again' };
    }
    const settled = Date.parse(sending) + SENT_ITEMS_SETTLE_MS;
    if (ctx.now().getTime() < settled) {
      throw new UserError(
        `the cutover notification to ${to} may have been sent at ${sending} by a run that stopped before recording it, and the Sent Items of ${from} do not show it yet`,
        'apply.notificationUnconfirmed',
        `run apply again after ${new Date(settled).toISOString()}: the notification is sent then only if Sent Items still does not show it (sending it twice cannot be undone)`,
      );
    }
  }
  const now = sending ?? ctx.now().toISOString();
  if (!sending) await mergeMarker(ctx, id, { notificationSendingAt: now });
  const bodyFile = str(p, 'bodyFile') ?? '';
  const body = renderNotification(str(p, 'body') ?? '', fields);
  try {
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
  } catch (e) {
    // A refusal (4xx, 429) or 503 (Graph: not processed, try again) sent nothing: the next run may
    // send at once. Any other failure (500, a gateway timeout) may have sent it: the intent stays.
    if (refusedBeforeSending(e)) await mergeMarker(ctx, id, { notificationSendingAt: null }).catch(() => undefined); // else: waits out the settling time
    throw e;
  }
  await mergeMarker(ctx, id, { notificationSentAt: ctx.now().toISOString(), notificationSendingAt: null });
  return { note: `notification sent from ${from} to ${to}` };
}

export const notificationSteps: StepMap = { 'notification.send': send };
