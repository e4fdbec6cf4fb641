// Group membership changes shared by groupMembership and rewriteMembership: add the user to a
// group, or remove it, in one tenant. A group that does not exist yet is named with groupId null;
// the planner then plans its creation once (create: true) or warns (create: false).
import { normAddress } from '../matching/normalize.js';
import type { TenantIndex } from '../matching/tenant-index.js';
import { change } from './change.js';
import type { ResourceChange, ResourceName, UserRef } from './types.js';

export interface Membership {
  readonly side: 'source' | 'target';
  readonly group: string; // display name
  readonly groupId: string | null;
  readonly create: boolean;
}

export function findGroup(index: TenantIndex, name: string): { id: string; displayName: string } | undefined {
  return index.groupsByName.get(normAddress(name))?.[0];
}

export function isMember(index: TenantIndex, groupName: string, userId: string | null): boolean {
  if (!userId) return false;
  const g = index.groupsByName.get(normAddress(groupName))?.[0];
  return !!g && index.memberSet(g).has(userId);
}

function key(m: Membership): string {
  return `${m.side}:${normAddress(m.group)}`;
}

export function membershipChanges(
  resource: ResourceName,
  ref: UserRef,
  desired: readonly Membership[] | undefined,
  present: readonly Membership[] | undefined,
): ResourceChange[] {
  const out: ResourceChange[] = [];
  const have = new Set((present ?? []).map(key));
  const want = new Set((desired ?? []).map(key));
  const who = (side: 'source' | 'target') => (side === 'source' ? ref.sourceAddress : ref.targetAddress);
  // in summaries, a guest that stays a guest through this plan by what it is (UserRef.targetShown)
  const shown = (side: 'source' | 'target') => (side === 'source' ? ref.sourceAddress : ref.targetShown);
  for (const m of desired ?? []) {
    if (have.has(key(m))) continue;
    out.push(
      change({
        resource,
        op: `${resource}.add`,
        action: 'create',
        reversibility: 'reversible',
        tenant: m.side === 'source' ? ref.sourceTenant : ref.targetTenant,
        summary: `add ${shown(m.side)} to group ${m.group}`,
        params: {
          createGroup: m.create,
          groupId: m.groupId,
          groupName: m.group,
          member: m.side === 'source' ? ref.sourceUserId : ref.targetUserId ?? ref.targetAddress,
          memberAddress: who(m.side),
        },
        inverseOp: `${resource}.remove`,
        key: key(m),
      }),
    );
  }
  for (const m of present ?? []) {
    if (want.has(key(m))) continue;
    out.push(
      change({
        resource,
        op: `${resource}.remove`,
        action: 'delete',
        reversibility: 'reversible',
        tenant: m.side === 'source' ? ref.sourceTenant : ref.targetTenant,
        summary: `remove ${shown(m.side)} from group ${m.group}`,
        params: {
          groupId: m.groupId,
          groupName: m.group,
          member: m.side === 'source' ? ref.sourceUserId : ref.targetUserId ?? ref.targetAddress,
          memberAddress: who(m.side),
        },
        inverseOp: `${resource}.add`,
        key: key(m),
      }),
    );
  }
  return out;
}
