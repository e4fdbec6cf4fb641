// rewriteMembership: email rewrite eligibility (wave emailRewrite dayOne | dayTwo): the source user
// in the source group and the target user in its mirrored target group. DayOne (appear migrated
// before moving) stays after cutover, since replies to old messages must still be rewritten
// (reference/power365/001); DayTwo applies once the user has moved. `none` removes both.
import { levelFor } from '../change.js';
import { findGroup, isMember, membershipChanges, type Membership } from '../membership.js';
import type { ResourceKind, UserRef } from '../types.js';

export interface RewriteState {
  readonly ref: UserRef;
  readonly memberships: readonly Membership[];
}

const DEFAULT_GROUPS = { dayOne: 'T2T-Rewrite-DayOne', dayTwo: 'T2T-Rewrite-DayTwo' } as const;

export function rewriteGroups(er: { dayOneGroup: string; dayTwoGroup: string } | undefined): { dayOne: string; dayTwo: string } {
  return { dayOne: er?.dayOneGroup ?? DEFAULT_GROUPS.dayOne, dayTwo: er?.dayTwoGroup ?? DEFAULT_GROUPS.dayTwo };
}

export const rewriteMembership: ResourceKind<RewriteState, RewriteState> = {
  key: 'rewriteMembership',
  desired(ctx, user, phase) {
    const mode = user.wave.emailRewrite;
    const level = levelFor('rewriteMembership', user, phase);
    if (mode === 'none' || level === null || !level.split(',').includes(mode)) return undefined;
    const name = rewriteGroups(ctx.project.emailRewrite)[mode];
    const memberships: Membership[] = [];
    for (const side of ['source', 'target'] as const) {
      const g = findGroup(side === 'source' ? user.sourceIndex : user.targetIndex, name);
      memberships.push({ side, group: g?.displayName ?? name, groupId: g?.id ?? null, create: true });
    }
    return { ref: user.ref, memberships };
  },
  actual(ctx, user) {
    const names = rewriteGroups(ctx.project.emailRewrite);
    const memberships: Membership[] = [];
    for (const name of [names.dayOne, names.dayTwo]) {
      if (isMember(user.sourceIndex, name, user.source.id)) {
        const g = findGroup(user.sourceIndex, name)!;
        memberships.push({ side: 'source', group: g.displayName, groupId: g.id, create: false });
      }
      if (user.target && isMember(user.targetIndex, name, user.target.id)) {
        const g = findGroup(user.targetIndex, name)!;
        memberships.push({ side: 'target', group: g.displayName, groupId: g.id, create: false });
      }
    }
    return memberships.length ? { ref: user.ref, memberships } : undefined;
  },
  diff(d, a) {
    const ref = d?.ref ?? a?.ref;
    return ref ? membershipChanges('rewriteMembership', ref, d?.memberships, a?.memberships) : [];
  },
};
