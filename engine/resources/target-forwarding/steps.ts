// Steps of targetForwarding (and, with the source client, sourceForwarding): Set-Mailbox
// ForwardingSmtpAddress + DeliverToMailboxAndForward; removal clears only t2t's own forwarding.
// The mailbox must exist: right after the licence Exchange may still be provisioning it, so the
// step waits a little and otherwise fails retryably.
import type { TenantClient } from '../../tenant/client.js';
import { getRecipientEventually, missingRecipient, recipientType } from '../../apply/exchange-kit.js';
import { BlockedError, bare, isDryRunId, str, targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

const MAILBOX_WAITS = [250, 500, 1000, 2000, 4000];

export async function setForwarding(ctx: StepContext, client: TenantClient, identity: string) {
  const p = ctx.change.params;
  const to = str(p, 'forwardingSmtpAddress') ?? null;
  const deliver = p['deliverToMailboxAndForward'] === true;
  const mb = await getRecipientEventually(ctx, client, identity, 'Get-Mailbox', MAILBOX_WAITS);
  if (!mb || recipientType(mb) !== 'UserMailbox') {
    if (ctx.dryRun) {
      // a user this dry run creates gets its mailbox from the licence: list the write apply sends
      if (isDryRunId(identity) && to !== null) {
        await client.exchange.invoke('Set-Mailbox', { Identity: identity, ForwardingSmtpAddress: to, DeliverToMailboxAndForward: deliver });
        return { note: `forwards to ${bare(to)}${deliver ? ' (keeping a copy)' : ''} (dry run: once the licence provisions the mailbox)` };
      }
      return { note: 'mailbox not provisioned yet (dry run)' };
    }
    if (client === ctx.tenant && ctx.tenant.tenant.role === 'target' && !ctx.profile?.license?.skus?.length) {
      throw new BlockedError('NoMailbox', `${ctx.change.user}: the target user has no mailbox to forward from: profile ${ctx.profile?.name ?? '?'} assigns no licence`, "add license: { skus: [...] } to the profile (a mailbox needs a licence)");
    }
    throw missingRecipient(ctx, client, identity, 'mailbox of');
  }
  if (to === null) {
    const current = bare(mb.ForwardingSmtpAddress);
    const previous = bare(p['previous']);
    if (!current) return { note: 'no forwarding set' };
    if (previous && current !== previous) return { note: `forwards to ${current}, not t2t's ${previous}: left alone` };
    await client.exchange.invoke('Set-Mailbox', { Identity: identity, ForwardingSmtpAddress: null, DeliverToMailboxAndForward: false });
    return { note: 'forwarding removed' };
  }
  if (bare(mb.ForwardingSmtpAddress) === bare(to) && (mb.DeliverToMailboxAndForward ?? false) === deliver) return { note: `already forwards to ${bare(to)}` };
  await client.exchange.invoke('Set-Mailbox', { Identity: identity, ForwardingSmtpAddress: to, DeliverToMailboxAndForward: deliver });
  return { note: `forwards to ${bare(to)}${deliver ? ' (keeping a copy)' : ''}` };
}

export const targetForwardingSteps: StepMap = {
  'targetForwarding.set': async (ctx) => setForwarding(ctx, ctx.tenant, await targetUserId(ctx)),
  'targetForwarding.remove': async (ctx) => setForwarding(ctx, ctx.tenant, await targetUserId(ctx)),
};
