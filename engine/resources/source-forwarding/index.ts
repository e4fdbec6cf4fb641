// sourceForwarding: at cutover the source mailbox forwards to the target address and keeps a
// copy (store and forward, reference/power365/004 source step 4). Only t2t's forwarding (to the
// target address) is ever removed.
import { bareAddress, change, levelFor } from '../change.js';
import type { ResourceKind, UserRef } from '../types.js';

export interface SourceForwardingState {
  readonly ref: UserRef;
  readonly identity: string;
  readonly forwardTo: string | null;
}

export const sourceForwarding: ResourceKind<SourceForwardingState, SourceForwardingState> = {
  key: 'sourceForwarding',
  desired(_ctx, user, phase) {
    if (levelFor('sourceForwarding', user, phase) === null || !user.sourceMailbox) return undefined;
    return { ref: user.ref, identity: user.sourceMailbox.identity, forwardTo: user.ref.targetMail };
  },
  actual(_ctx, user) {
    if (!user.sourceMailbox) return undefined;
    return { ref: user.ref, identity: user.sourceMailbox.identity, forwardTo: bareAddress(user.sourceMailbox.forwardingSmtpAddress) };
  },
  diff(d, a) {
    if (d && a?.forwardTo !== d.forwardTo) {
      return [
        change({
          resource: 'sourceForwarding',
          op: 'sourceForwarding.set',
          action: 'update',
          reversibility: 'reversible',
          tenant: d.ref.sourceTenant,
          summary: `forward source mailbox ${d.ref.sourceAddress} to ${d.forwardTo}`,
          params: {
            deliverToMailboxAndForward: true,
            forwardingSmtpAddress: `smtp:${d.forwardTo}`,
            identity: d.identity,
            previous: a?.forwardTo ?? null,
          },
          inverseOp: 'sourceForwarding.remove',
        }),
      ];
    }
    if (!d && a && a.forwardTo !== null && a.forwardTo === a.ref.targetMail) {
      return [
        change({
          resource: 'sourceForwarding',
          op: 'sourceForwarding.remove',
          action: 'update',
          reversibility: 'reversible',
          tenant: a.ref.sourceTenant,
          summary: `remove forwarding of source mailbox ${a.ref.sourceAddress} to ${a.forwardTo}`,
          params: { deliverToMailboxAndForward: false, forwardingSmtpAddress: null, identity: a.identity, previous: a.forwardTo },
          inverseOp: 'sourceForwarding.set',
        }),
      ];
    }
    return [];
  },
  satisfied(d, a) {
    return a?.forwardTo === d.forwardTo;
  },
};
