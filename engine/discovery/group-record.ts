// How a /groups/delta item becomes an InventoryGroup. Members arrive as `members@delta`:
// on a full read every member (spread over several pages for big groups), on a delta read only
// the added ones and the removed ones (with `@removed`). Nested groups are kept apart so wave
// expansion can follow them; memberIds holds user ids only.
import type { InventoryGroup } from '../inventory/model.js';

/** The cached form: an InventoryGroup plus what discovery needs for itself. */
export interface CachedGroup extends InventoryGroup {
  readonly nestedGroupIds: readonly string[]; // always present here, empty when none
  readonly createdDateTime?: string | null;
}

interface MemberRef {
  id?: string;
  '@odata.type'?: string;
  '@removed'?: unknown;
}

/**
 * Merge one item over the cached group. `resetMembers` is true the first time a full read meets
 * the group in this run: the full read lists every current member, so old ones are dropped.
 */
export function applyGroupItem(prev: CachedGroup | undefined, item: Record<string, unknown> & { id: string }, resetMembers: boolean): CachedGroup {
  const users = new Set(resetMembers ? [] : (prev?.memberIds ?? []));
  const groups = new Set(resetMembers ? [] : (prev?.nestedGroupIds ?? []));
  const delta = item['members@delta'];
  if (Array.isArray(delta)) {
    for (const m of delta as MemberRef[]) {
      if (!m?.id) continue;
      const type = (m['@odata.type'] ?? '#microsoft.graph.user').toLowerCase();
      const set = type.endsWith('.group') ? groups : type.endsWith('.user') ? users : undefined;
      if (!set) continue; // devices, contacts, service principals: not migrated
      if (m['@removed']) set.delete(m.id);
      else set.add(m.id);
    }
  }
  const has = (k: string) => k in item;
  return {
    id: item.id,
    displayName: has('displayName') ? String(item.displayName ?? '') : (prev?.displayName ?? ''),
    mail: has('mail') ? ((item.mail as string | null) ?? null) : (prev?.mail ?? null),
    memberIds: [...users].sort(),
    nestedGroupIds: [...groups].sort(),
    ...(has('createdDateTime') ? { createdDateTime: (item.createdDateTime as string | null) ?? null } : prev?.createdDateTime !== undefined ? { createdDateTime: prev.createdDateTime } : {}),
  };
}

export function toInventoryGroup(g: CachedGroup): InventoryGroup {
  const base = { id: g.id, displayName: g.displayName, mail: g.mail, memberIds: g.memberIds };
  return g.nestedGroupIds.length ? { ...base, nestedGroupIds: g.nestedGroupIds } : base;
}
