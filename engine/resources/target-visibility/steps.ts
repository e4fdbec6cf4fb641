// Steps of targetVisibility: the target user's recipient hidden from / shown in the address lists
// (Set-MailUser or Set-Mailbox HiddenFromAddressListsEnabled, whichever the recipient is now).
// When an earlier step of this run got the recipient from the tenant (Enable-MailUser answers with
// it), that answer says which cmdlet and whether anything is to do, so no Get-Recipient is sent;
// a recipient that turns out to be missing after all is read (waiting out replication lag).
import { getRecipientEventually, missingRecipient, setCmdletFor, type Recipient } from '../../apply/exchange-kit.js';
import { isNotFound, targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';
import { rememberRecipient } from '../mail-user/steps.js';

const note = (hidden: boolean, changed: boolean) =>
  changed ? (hidden ? 'hidden from the address lists' : 'shown in the address lists') : hidden ? 'already hidden' : 'already visible';

async function setHidden(ctx: StepContext, hidden: boolean) {
  const id = await targetUserId(ctx);
  const known = ctx.user.recipient;
  // in a dry run too: a mail user the dry run enabled is known (visible), and its hide is listed
  if (known) {
    if (known.hidden === hidden) return { note: note(hidden, false) };
    try {
      const r = await ctx.tenant.exchange.invoke<Recipient>(setCmdletFor({ Identity: id, Name: id, RecipientTypeDetails: known.type }), { Identity: id, HiddenFromAddressListsEnabled: hidden });
      rememberRecipient(ctx, r[0]);
      if (!r[0]) ctx.user.recipient = { ...known, hidden };
      return { note: note(hidden, true) };
    } catch (e) {
      if (!isNotFound(e)) throw e;
      ctx.user.recipient = undefined;
    }
  }
  const r = await getRecipientEventually(ctx, ctx.tenant, id);
  if (!r) {
    if (ctx.dryRun) return { note: 'recipient not created yet (dry run)' };
    throw missingRecipient(ctx, ctx.tenant, id, 'recipient of user');
  }
  if ((r.HiddenFromAddressListsEnabled ?? false) === hidden) {
    rememberRecipient(ctx, r);
    return { note: note(hidden, false) };
  }
  await ctx.tenant.exchange.invoke(setCmdletFor(r), { Identity: id, HiddenFromAddressListsEnabled: hidden });
  ctx.user.recipient = undefined;
  return { note: note(hidden, true) };
}

export const targetVisibilitySteps: StepMap = {
  'targetVisibility.hide': (ctx) => setHidden(ctx, true),
  'targetVisibility.show': (ctx) => setHidden(ctx, false),
};
