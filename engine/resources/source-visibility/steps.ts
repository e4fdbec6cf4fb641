// Steps of sourceVisibility: the source mailbox hidden from the source address lists at cutover
// (the source contact takes its place), shown again by a rollback.
import { getRecipient, missingRecipient } from '../../apply/exchange-kit.js';
import { need } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

async function setHidden(ctx: StepContext, hidden: boolean) {
  const identity = need(ctx, 'identity');
  const mb = await getRecipient(ctx.tenant, identity, 'Get-Mailbox');
  if (!mb) throw missingRecipient(ctx, ctx.tenant, identity, 'source mailbox');
  if ((mb.HiddenFromAddressListsEnabled ?? false) === hidden) return { note: hidden ? 'already hidden' : 'already visible' };
  await ctx.tenant.exchange.invoke('Set-Mailbox', { Identity: identity, HiddenFromAddressListsEnabled: hidden });
  return { note: hidden ? 'source mailbox hidden' : 'source mailbox shown' };
}

export const sourceVisibilitySteps: StepMap = {
  'sourceVisibility.hide': (ctx) => setHidden(ctx, true),
  'sourceVisibility.show': (ctx) => setHidden(ctx, false),
};
