// The order the discovery cache stores a tenant's records in: the order a plan reads them.
// A plan visits the waves' members wave by wave, each wave's listed users then its CSV's, and for
// each user reads its record, its mailbox, its content sizes, the target user whose marker names
// it, that user's recipient and the contacts tagged for it. Stored in that order, each collection's
// records (and their strings) lie in memory in the order the plan reads them, since V8 allocates
// them as it reads the rows: the planning pass of a 100,000-user plan ran a quarter to a third
// faster (bench/plan/README.md, tenth session). Only the layout depends on it, never a result
// (test/plan/inventory-order.test.ts): a record no wave places (a user in no wave, or a wave
// changed since the cache was written) simply comes after the others.
import type { Project } from '../manifest/model.js';
import type { InventoryRecipient, InventoryUser } from '../inventory/model.js';
import type { RowRank } from '../state/shard-codec.js';
import { CONTACT_TAG_PREFIX } from '../matching/tenant-index.js';
import { userAddresses } from './user-properties.js';
import { waveAddresses } from './wave-scope.js';

/** Source user id -> where the plan visits the user: the place of the first of its addresses in
 *  the waves' member lists, wave after wave (a user listed twice counts where it comes first). */
export function visitPositions(project: Project, sourceUsers: Iterable<InventoryUser>): Map<string, number> {
  // waveAddresses lists them wave after wave, each wave's users then its CSV's, each once
  const byAddress = new Map<string, number>();
  for (const a of waveAddresses(project)) byAddress.set(a, byAddress.size);
  const positions = new Map<string, number>();
  if (byAddress.size === 0) return positions;
  for (const u of sourceUsers) {
    let best = Infinity;
    for (const a of userAddresses(u)) {
      const p = byAddress.get(a);
      if (p !== undefined && p < best) best = p;
    }
    if (best !== Infinity) positions.set(u.id, best);
  }
  return positions;
}

export interface TenantRowOrder {
  readonly users: RowRank;
  readonly recipients: RowRank;
  readonly content: RowRank;
}

/** The row order of one tenant's collections, source or target alike: a source user and its
 *  content by its own place, a target user by the place of the source user its marker names, a
 *  mailbox or mail user as its user, a t2t contact as the source user it is tagged for. */
export function tenantRowOrder(positions: ReadonlyMap<string, number>, userById: (id: string) => InventoryUser | undefined): TenantRowOrder {
  const at = (sourceUserId: string | undefined | null): number => (sourceUserId ? positions.get(sourceUserId) : undefined) ?? Infinity;
  const userRank = (u: InventoryUser): number => at(u.marker ? u.marker.sourceUserId : u.id);
  return {
    users: (_key, value) => userRank(value as InventoryUser),
    recipients: (_key, value) => {
      const r = value as InventoryRecipient;
      if (r.type === 'MailContact') return r.customAttribute15?.startsWith(CONTACT_TAG_PREFIX) ? at(r.customAttribute15.slice(CONTACT_TAG_PREFIX.length)) : Infinity;
      const u = r.userId ? userById(r.userId) : undefined;
      return u ? userRank(u) : Infinity;
    },
    content: (key) => at(key),
  };
}
