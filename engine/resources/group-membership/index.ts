// groupMembership: the project's `groups` mappings. The target user joins the target counterpart
// of each mapped source group its source user is a direct member of; `create: true` has the
// target group created when it does not exist. Only mapped target groups are ever read or changed.
import { normAddress } from '../../matching/normalize.js';
import { levelFor } from '../change.js';
import { findGroup, isMember, membershipChanges, type Membership } from '../membership.js';
import type { ResourceKind, UserRef } from '../types.js';

export interface GroupsState {
  readonly ref: UserRef;
  readonly memberships: readonly Membership[];
}

export const groupMembership: ResourceKind<GroupsState, GroupsState> = {
  key: 'groupMembership',
  desired(ctx, user, phase) {
    if (levelFor('groupMembership', user, phase) === null || ctx.project.groups.length === 0) return undefined;
    const sourceGroups = new Set((user.sourceIndex.groupsOfUser.get(user.source.id) ?? []).map((g) => normAddress(g.displayName)));
    const memberships: Membership[] = [];
    for (const m of ctx.project.groups) {
      if (!sourceGroups.has(normAddress(m.source))) continue;
      const g = findGroup(user.targetIndex, m.target);
      memberships.push({ side: 'target', group: g?.displayName ?? m.target, groupId: g?.id ?? null, create: m.create });
    }
    return memberships.length ? { ref: user.ref, memberships } : undefined;
  },
  actual(ctx, user) {
    if (!user.target || ctx.project.groups.length === 0) return undefined;
    const memberships: Membership[] = [];
    for (const m of ctx.project.groups) {
      if (!isMember(user.targetIndex, m.target, user.target.id)) continue;
      const g = findGroup(user.targetIndex, m.target)!;
      memberships.push({ side: 'target', group: g.displayName, groupId: g.id, create: false });
    }
    return memberships.length ? { ref: user.ref, memberships } : undefined;
  },
  diff(d, a) {
    const ref = d?.ref ?? a?.ref;
    return ref ? membershipChanges('groupMembership', ref, d?.memberships, a?.memberships) : [];
  },
};
