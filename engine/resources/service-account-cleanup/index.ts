// serviceAccountCleanup: the last cutover step, removing the access t2t's migration accounts were
// given to the target mailbox (reference/power365/004, source step 8). Done once the marker shows
// the completed cutover; content syncs grant access again when they need it, so it has no inverse.
import { change, levelFor, targetIdentity } from '../change.js';
import type { ResourceKind, UserRef } from '../types.js';

export interface CleanupState {
  readonly ref: UserRef;
}

export const serviceAccountCleanup: ResourceKind<CleanupState, CleanupState> = {
  key: 'serviceAccountCleanup',
  desired(_ctx, user, phase) {
    return levelFor('serviceAccountCleanup', user, phase) === null ? undefined : { ref: user.ref };
  },
  actual(_ctx, user) {
    return user.marker?.phase === 'cutover' ? { ref: user.ref } : undefined;
  },
  diff(d, a) {
    if (!d || a) return [];
    return [
      change({
        resource: 'serviceAccountCleanup',
        op: 'serviceAccountCleanup.run',
        action: 'run',
        reversibility: 'compensable',
        tenant: d.ref.targetTenant,
        summary: `remove migration service accounts from mailbox ${d.ref.targetShown}`,
        params: { identity: targetIdentity(d.ref) },
        inverseOp: null,
      }),
    ];
  },
  satisfied(_d, a) {
    return a !== undefined;
  },
};
