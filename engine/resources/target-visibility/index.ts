// targetVisibility: the target user's recipient hidden from the address lists while prepared and
// synced (the routing contact is the visible entry), shown at cutover. Guests stay visible
// (reference/power365/002: guests made by the migration are visible in the GAL). Exchange Online
// gives every B2B guest a mail user of its own (RecipientTypeDetails GuestMailUser) hidden from
// the address lists, so a guest is unhidden with Set-MailUser once it exists.
import { change, guestTarget, levelFor, targetIdentity } from '../change.js';
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
    if (user.targetRecipient) return { ref: user.ref, hidden: user.targetRecipient.hiddenFromAddressListsEnabled };
    // No recipient yet. A guest (to be created, or one whose GuestMailUser discovery has not seen
    // yet) gets one from Exchange, hidden: planned as hidden, so the plan that creates the guest
    // unhides it too. A new member's mail user is created visible by the enable step.
    if (guestTarget(user.profile, user.target)) return { ref: user.ref, hidden: true };
    return undefined;
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
        summary: `${d.hidden ? 'hide' : 'unhide'} ${d.ref.targetShown} ${d.hidden ? 'from' : 'in'} the address lists`,
        params: { hiddenFromAddressListsEnabled: d.hidden, identity: targetIdentity(d.ref) },
        inverseOp: d.hidden ? 'targetVisibility.show' : 'targetVisibility.hide',
      }),
    ];
  },
  // A kept target user whose wave went back to discovered is hidden (its routing contact is deleted
  // then, and the address lists must not offer a mailbox nobody reads in its place): a member as at
  // prepared, a guest as Exchange made its mail user before t2t showed it.
  kept(_ctx, user) {
    return { ref: user.ref, hidden: true };
  },
  satisfied(d, a) {
    return (a?.hidden ?? false) === d.hidden;
  },
};
