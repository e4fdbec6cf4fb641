// Step of guestConversion: the B2B guest becomes an internal member with its target UPN (beta
// convertExternalToInternalMemberUser). Checked first (already a member: done), and after a
// failure of unknown outcome checked again before another attempt.
import { mergeMarker } from '../../apply/marker-store.js';
import { getUser, isUncertain, need, randomPassword, sleep, str, targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

async function convert(ctx: StepContext) {
  const id = await targetUserId(ctx);
  ctx.user.recipient = undefined; // the recipient changes with the user type
  const upn = need(ctx, 'userPrincipalName');
  const mail = str(ctx.change.params, 'mail');
  let note = 'already a member';
  for (let attempt = 1; ; attempt++) {
    const u = await getUser(ctx, id, 'id,userType,userPrincipalName');
    if (!u || u.userType === 'Member') break;
    try {
      await ctx.tenant.graph.post(
        `/users/${encodeURIComponent(id)}/convertExternalToInternalMemberUser`,
        { userPrincipalName: upn, passwordProfile: { forceChangePasswordNextSignIn: true, password: randomPassword() }, ...(mail ? { mail } : {}) },
        { beta: true, object: `guest ${u.userPrincipalName}` },
      );
      note = `converted to member ${upn}`;
      break;
    } catch (e) {
      if (!isUncertain(e) || attempt >= 3) throw e;
      await sleep(200 * attempt, ctx.signal);
    }
  }
  await mergeMarker(ctx, id, (m) => (m?.['guestConvertedAt'] ? undefined : { guestConvertedAt: ctx.now().toISOString() }));
  return { note };
}

export const guestConversionSteps: StepMap = { 'guestConversion.convert': convert };
