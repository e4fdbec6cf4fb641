// Steps of targetVisibility: the target user's recipient hidden from / shown in the address lists
// (Set-MailUser or Set-Mailbox HiddenFromAddressListsEnabled, whichever the recipient is now).
import { getRecipientEventually, missingRecipient, setCmdletFor } from '../../apply/exchange-kit.js';
import { targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

async function setHidden(ctx: StepContext, hidden: boolean) {
  const id = await targetUserId(ctx);
  const r = await getRecipientEventually(ctx, ctx.tenant, id);
  if (!r) {
    if (ctx.dryRun) return { note: 'recipient not created yet (dry run)' };
    throw missingRecipient(ctx, ctx.tenant, id, 'recipient of user');
  }
  if ((r.HiddenFromAddressListsEnabled ?? false) === hidden) return { note: hidden ? 'already hidden' : 'already visible' };
  await ctx.tenant.exchange.invoke(setCmdletFor(r), { Identity: id, HiddenFromAddressListsEnabled: hidden });
  return { note: hidden ? 'hidden from the address lists' : 'shown in the address lists' };
}

export const targetVisibilitySteps: StepMap = {
  'targetVisibility.hide': (ctx) => setHidden(ctx, true),
  'targetVisibility.show': (ctx) => setHidden(ctx, false),
};
