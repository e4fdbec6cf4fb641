// sourceVisibility: the source mailbox hidden from the source address lists at cutover (the
// source contact takes its place). A hidden source mailbox is only shown again by a rollback
// when t2t hid it (the marker shows a cutover was started), never a mailbox hidden by others.
import { change, levelFor } from '../change.js';
import type { ResourceKind, UserRef } from '../types.js';

export interface SourceVisibilityState {
  readonly ref: UserRef;
  readonly identity: string;
  readonly hidden: boolean;
}

export const sourceVisibility: ResourceKind<SourceVisibilityState, SourceVisibilityState> = {
  key: 'sourceVisibility',
  desired(_ctx, user, phase) {
    if (levelFor('sourceVisibility', user, phase) === null || !user.sourceMailbox) return undefined;
    return { ref: user.ref, identity: user.sourceMailbox.identity, hidden: true };
  },
  actual(_ctx, user) {
    const mb = user.sourceMailbox;
    if (!mb || !mb.hiddenFromAddressListsEnabled || !user.marker?.cutoverStartedAt) return undefined;
    return { ref: user.ref, identity: mb.identity, hidden: true };
  },
  diff(d, a) {
    if (d && !a?.hidden) {
      return [
        change({
          resource: 'sourceVisibility',
          op: 'sourceVisibility.hide',
          action: 'update',
          reversibility: 'reversible',
          tenant: d.ref.sourceTenant,
          summary: `hide mailbox ${d.ref.sourceAddress}`,
          params: { hiddenFromAddressListsEnabled: true, identity: d.identity },
          inverseOp: 'sourceVisibility.show',
        }),
      ];
    }
    if (!d && a?.hidden) {
      return [
        change({
          resource: 'sourceVisibility',
          op: 'sourceVisibility.show',
          action: 'update',
          reversibility: 'reversible',
          tenant: a.ref.sourceTenant,
          summary: `unhide mailbox ${a.ref.sourceAddress}`,
          params: { hiddenFromAddressListsEnabled: false, identity: a.identity },
          inverseOp: 'sourceVisibility.hide',
        }),
      ];
    }
    return [];
  },
  satisfied(_d, a) {
    return !!a?.hidden;
  },
};
