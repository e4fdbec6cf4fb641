// targetForwarding: while synced, the target mailbox forwards to the source mailbox (mail that
// lands in the target early still reaches the user); removed at cutover. Only t2t's forwarding
// (to the source address) is ever removed.
import { bareAddress, change, levelFor, targetIdentity } from '../change.js';
import type { ResourceKind, UserRef } from '../types.js';

export interface ForwardingState {
  readonly ref: UserRef;
  readonly forwardTo: string | null;
}

export const targetForwarding: ResourceKind<ForwardingState, ForwardingState> = {
  key: 'targetForwarding',
  desired(_ctx, user, phase) {
    return levelFor('targetForwarding', user, phase) === null ? undefined : { ref: user.ref, forwardTo: user.ref.sourceAddress };
  },
  actual(_ctx, user) {
    if (!user.targetRecipient) return undefined;
    return { ref: user.ref, forwardTo: bareAddress(user.targetRecipient.forwardingSmtpAddress) };
  },
  diff(d, a) {
    if (d && a?.forwardTo !== d.forwardTo) {
      return [
        change({
          resource: 'targetForwarding',
          op: 'targetForwarding.set',
          action: 'update',
          reversibility: 'reversible',
          tenant: d.ref.targetTenant,
          summary: `forward mailbox ${d.ref.targetShown} to ${d.forwardTo}`,
          params: {
            deliverToMailboxAndForward: false,
            forwardingSmtpAddress: `smtp:${d.forwardTo}`,
            identity: targetIdentity(d.ref),
            previous: a?.forwardTo ?? null,
          },
          inverseOp: 'targetForwarding.remove',
        }),
      ];
    }
    if (!d && a && a.forwardTo !== null && a.forwardTo === a.ref.sourceAddress) {
      return [
        change({
          resource: 'targetForwarding',
          op: 'targetForwarding.remove',
          action: 'update',
          reversibility: 'reversible',
          tenant: a.ref.targetTenant,
          summary: `remove forwarding of mailbox ${a.ref.targetShown} to ${a.forwardTo}`,
          params: { forwardingSmtpAddress: null, identity: targetIdentity(a.ref), previous: a.forwardTo },
          inverseOp: 'targetForwarding.set',
        }),
      ];
    }
    return [];
  },
  satisfied(d, a) {
    return a?.forwardTo === d.forwardTo;
  },
};
