// Step of guestInvitation: send the B2B invitation e-mail, once. The marker records the intent
// (invitationSendingAt) before the send and the fact (invitationSentAt) after it. A run that finds
// the intent without the fact cannot tell whether the e-mail left (Graph keeps no record of sent
// invitations), and an invitation sent twice is worse than one sent late by hand: it stamps
// invitationSentAt and warns in the job log instead of sending again.
import { mergeMarker, readMarker } from '../../apply/marker-store.js';
import { need, str, targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

async function send(ctx: StepContext) {
  const p = ctx.change.params;
  const id = await targetUserId(ctx);
  const marker = await readMarker(ctx, id);
  if (marker?.invitationSentAt) return { note: `already sent on ${marker.invitationSentAt}` };
  if (marker?.['invitationSendingAt']) {
    ctx.log('invitation.uncertain', {
      level: 'warn',
      message: `an earlier run stopped while sending the invitation (${String(marker['invitationSendingAt'])}); not sent again: if the user did not get it, resend it from the Entra admin center`,
    });
    await mergeMarker(ctx, id, { invitationSentAt: String(marker['invitationSendingAt']), invitationSendingAt: null });
    return { note: 'not sent again (an earlier run may have sent it)' };
  }
  const now = ctx.now().toISOString();
  await mergeMarker(ctx, id, { invitationSendingAt: now });
  const address = need(ctx, 'invitedUserEmailAddress');
  const message = str(p, 'message');
  const language = str(p, 'language');
  await ctx.tenant.graph.post(
    '/invitations',
    {
      invitedUserEmailAddress: address,
      inviteRedirectUrl: str(p, 'inviteRedirectUrl') ?? 'https://myapplications.microsoft.com',
      invitedUserType: 'Guest',
      sendInvitationMessage: true,
      invitedUserMessageInfo: { ...(language ? { messageLanguage: language } : {}), ...(message ? { customizedMessageBody: message } : {}) },
    },
    { object: `invitation of ${address}` },
  );
  await mergeMarker(ctx, id, { invitationSentAt: now, invitationSendingAt: null });
  return { note: `invitation sent to ${address}` };
}

export const guestInvitationSteps: StepMap = { 'guestInvitation.send': send };
