// Steps of mailUser: Enable-MailUser (the target user becomes a mail user routing to the source
// address), Set-MailUser of the external address, Disable-MailUser. A recipient that already
// exists is adopted: a mail user is corrected, a mailbox (the user is licensed) already satisfies.
import { getRecipient, recipientType, type Recipient } from '../../apply/exchange-kit.js';
import { bare, isAlreadyExists, isNotFound, need, str, targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

/** What the tenant answered about the recipient, for the user's next steps (see UserRun.recipient). */
export function rememberRecipient(ctx: StepContext, r: Recipient | undefined): void {
  if (!r || typeof r.HiddenFromAddressListsEnabled !== 'boolean') ctx.user.recipient = undefined;
  else ctx.user.recipient = { type: recipientType(r), hidden: r.HiddenFromAddressListsEnabled };
}

// The op is planned only when discovery (just before apply) found no recipient for the user, so
// Enable-MailUser goes first; "already mail-enabled" (lag, an earlier attempt) falls back to reading
// the recipient and adopting it.
async function enable(ctx: StepContext) {
  const id = await targetUserId(ctx);
  const ext = need(ctx, 'externalEmailAddress');
  try {
    const r = await ctx.tenant.exchange.invoke<Recipient>('Enable-MailUser', { Identity: id, ExternalEmailAddress: ext });
    rememberRecipient(ctx, r[0]);
    return { note: `mail-enabled with external address ${bare(ext)}` };
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
  const current = await getRecipient(ctx.tenant, id);
  rememberRecipient(ctx, current);
  if (!current) return { note: 'already mail-enabled' };
  if (recipientType(current) === 'UserMailbox') return { note: 'the user has a mailbox already' };
  if (recipientType(current) === 'MailUser' && bare(current.ExternalEmailAddress) !== bare(ext)) {
    await ctx.tenant.exchange.invoke('Set-MailUser', { Identity: id, ExternalEmailAddress: ext });
    return { note: 'adopted mail user, external address corrected' };
  }
  return { note: 'already mail-enabled' };
}

async function update(ctx: StepContext) {
  const identity = str(ctx.change.params, 'identity') ?? (await targetUserId(ctx));
  const ext = need(ctx, 'externalEmailAddress');
  const current = await getRecipient(ctx.tenant, identity, 'Get-MailUser');
  if (!current) return { note: 'no mail user (a mailbox now): nothing to set' };
  if (bare(current.ExternalEmailAddress) === bare(ext)) return { note: 'external address already as desired' };
  await ctx.tenant.exchange.invoke('Set-MailUser', { Identity: identity, ExternalEmailAddress: ext });
  return { note: `external address set to ${bare(ext)}` };
}

async function disable(ctx: StepContext) {
  const identity = need(ctx, 'identity');
  const current = await getRecipient(ctx.tenant, identity, 'Get-MailUser');
  if (!current) return { note: 'already not a mail user' };
  try {
    await ctx.tenant.exchange.invoke('Disable-MailUser', { Identity: identity });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  return { note: 'mail-disabled' };
}

export const mailUserSteps: StepMap = {
  'mailUser.enable': enable,
  'mailUser.update': update,
  'mailUser.disable': disable,
};
