// targetVisibility: the target user's recipient hidden from the address lists while prepared and
// synced (the routing contact is the visible entry), shown at cutover. Guests stay visible
// (reference/power365/002: guests made by the migration are visible in the GAL).
import { change, levelFor, targetIdentity } from '../change.js';
import type { ResourceKind, UserRef } from '../types.js';

export interface VisibilityState {
  readonly ref: UserRef;
  readonly hidden: boolean;
}

export const targetVisibility: ResourceKind<VisibilityState, VisibilityState> = {
  key: 'targetVisibility',
  desired(_ctx, user, phase) {
    const l = levelFor('targetVisibility', user, phase);
    return l === null ? undefined : { ref: user.ref, hidden: l === 'hidden' };
  },
  actual(_ctx, user) {
    // no recipient yet: a new mail user or guest starts hidden only if Exchange says so; the
    // enable step creates it visible, which is what the diff below assumes
    if (!user.targetRecipient) return undefined;
    return { ref: user.ref, hidden: user.targetRecipient.hiddenFromAddressListsEnabled };
  },
  diff(d, a) {
    if (!d) return [];
    const hidden = a?.hidden ?? false;
    if (hidden === d.hidden) return [];
    return [
      change({
        resource: 'targetVisibility',
        op: d.hidden ? 'targetVisibility.hide' : 'targetVisibility.show',
        action: 'update',
        reversibility: 'reversible',
        tenant: d.ref.targetTenant,
        summary: `${d.hidden ? 'hide' : 'unhide'} ${d.ref.targetAddress} ${d.hidden ? 'from' : 'in'} the address lists`,
        params: { hiddenFromAddressListsEnabled: d.hidden, identity: targetIdentity(d.ref) },
        inverseOp: d.hidden ? 'targetVisibility.show' : 'targetVisibility.hide',
      }),
    ];
  },
  satisfied(d, a) {
    return (a?.hidden ?? false) === d.hidden;
  },
};
