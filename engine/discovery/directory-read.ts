// Directory reads of one tenant: users and groups by delta query (the first call reads everything,
// later calls only what changed), licences and domains in full (a handful of objects).
import type { InventorySku, InventoryUser } from '../inventory/model.js';
import { DeltaResyncNeeded, type DiscoveryClient } from './discovery-client.js';
import { applyUserItem } from './user-properties.js';
import { applyGroupItem } from './group-record.js';
import type { TenantCache } from './tenant-cache.js';

export type Step = 'domains' | 'licences' | 'groups' | 'users' | 'recipients' | 'markers' | 'content';

export interface DiscoveryProgress {
  tenant: string;
  step: Step;
  /** Pages (or batches, or cmdlet calls) read so far in this step. */
  pages: number;
  /** Objects read so far in this step. */
  objects: number;
  done: boolean;
}

export interface DeltaReadOptions {
  mode: 'full' | 'delta';
  /** First URL of a full read. */
  fullUrl: string;
  /** Stored delta link (delta mode). */
  deltaLink?: string;
  /** Full read only: false leaves the object out (discovery.deltaTimestamp). */
  keep: (item: Record<string, unknown> & { id: string }) => boolean;
  /** Full read only, once every page is read: items `keep` left out that are stored after all, in
   *  the order they came (a group nested in one the project names is known only then). */
  admit?: () => Iterable<Record<string, unknown> & { id: string }>;
  onPage: (pages: number, objects: number) => void;
  warn: (message: string) => void;
}

export interface DeltaReadResult {
  mode: 'full' | 'delta';
  /** Set when a delta read fell back to a full read. */
  fellBack: boolean;
  deltaLink: string;
  pages: number;
  objects: number;
  skipped: number;
  /** Ids of changed objects (delta) or every object (full), kept ones only. */
  touched: Set<string>;
  /** Ids a delta read reported @removed (empty after a full read). */
  removed: Set<string>;
}

type Item = Record<string, unknown> & { id: string };

/** Runs a delta query, calling `apply` per item (or `remove` for @removed items), and after a full
 *  read removes every cached object the read did not return. A 410 on a stored delta link falls
 *  back to a full read with a warning. */
async function runDelta(
  client: DiscoveryClient,
  what: string,
  o: DeltaReadOptions,
  apply: (item: Item, full: boolean) => void,
  remove: (id: string) => void,
  removeMissing: (seen: Set<string>) => void,
): Promise<DeltaReadResult> {
  let mode = o.mode;
  let fellBack = false;
  for (;;) {
    const touched = new Set<string>();
    const removed = new Set<string>();
    let pages = 0;
    let objects = 0;
    let skipped = 0;
    let deltaLink: string | undefined;
    const full = mode === 'full';
    /** One page of a round: read in full (no removal reported, out-of-scope items skipped) or as
     *  a delta (removals applied). */
    const onPage = (asFull: boolean) => (items: Item[]) => {
      pages++;
      for (const item of items) {
        objects++;
        if (item['@removed'] !== undefined) {
          if (!asFull) {
            touched.delete(item.id);
            removed.add(item.id);
            remove(item.id);
          }
          continue;
        }
        if (asFull && !o.keep(item)) {
          skipped++;
          continue;
        }
        touched.add(item.id);
        apply(item, asFull);
      }
      o.onPage(pages, objects);
    };
    try {
      deltaLink = await client.delta(full ? o.fullUrl : o.deltaLink!, onPage(full));
    } catch (e) {
      if (e instanceof DeltaResyncNeeded && !full) {
        o.warn(`${what}: ${e.message}; read in full instead`);
        mode = 'full';
        fellBack = true;
        continue;
      }
      throw e;
    }
    if (!deltaLink) throw new Error(`the ${what} delta query ended without an @odata.deltaLink`);
    if (full && o.admit) {
      for (const item of o.admit()) {
        skipped--;
        touched.add(item.id);
        apply(item, full);
      }
    }
    if (full) {
      removeMissing(touched);
      // A round reports what changed while it paged with the next round, not in itself (an object
      // changed meanwhile may be missing from it): one more round at once, applied as a delta,
      // brings those in (one request when nothing changed).
      try {
        deltaLink = await client.delta(deltaLink, onPage(false));
      } catch (e) {
        // the full read stands; its changes come with the next run
        if (!(e instanceof DeltaResyncNeeded)) throw e;
      }
      if (!deltaLink) throw new Error(`the ${what} delta query ended without an @odata.deltaLink`);
    }
    return { mode, fellBack, deltaLink, pages, objects, skipped, touched, removed };
  }
}

/** `onChange` sees each user before and after an item is applied (the recipient step watches
 *  users that lost a licence). */
export function readUsers(
  client: DiscoveryClient,
  cache: TenantCache,
  attributeNames: readonly string[],
  o: DeltaReadOptions,
  onChange?: (prev: InventoryUser | undefined, next: InventoryUser) => void,
): Promise<DeltaReadResult> {
  return runDelta(
    client,
    'users',
    o,
    (item) => {
      const prev = cache.users.get(item.id);
      const next = applyUserItem(prev, item, attributeNames);
      onChange?.(prev, next);
      cache.users.put(item.id, next);
    },
    (id) => cache.users.delete(id),
    (seen) => cache.users.deleteMissing(seen),
  );
}

export async function readGroups(client: DiscoveryClient, cache: TenantCache, o: DeltaReadOptions): Promise<DeltaReadResult> {
  // A full read lists a big group's members over several pages: reset its members once per run.
  const reset = new Set<string>();
  // A delta read lists only the members that changed. A group the cache does not hold (a full
  // read left it out: it changed while that read paged, and such a change comes with the next
  // round) would keep only those: its members are read in full after the round.
  const unknown = new Set<string>();
  const result = await runDelta(
    client,
    'groups',
    o,
    (item, full) => {
      const prev = cache.groups.get(item.id);
      // (also in the round a full read follows with at once)
      if (!full && !prev) unknown.add(item.id);
      const first = full && !reset.has(item.id);
      if (first) reset.add(item.id);
      cache.groups.put(item.id, applyGroupItem(prev, item, first));
    },
    (id) => cache.groups.delete(id),
    (seen) => cache.groups.deleteMissing(seen),
  );
  for (const id of unknown) {
    if (!cache.groups.get(id)) continue;
    const members = await client.list<{ id: string; '@odata.type'?: string }>(`/v1.0/groups/${encodeURIComponent(id)}/members?$select=id`);
    cache.groups.put(id, applyGroupItem(cache.groups.get(id), { id, 'members@delta': members }, true));
  }
  return result;
}

/** Users read one at a time, by id or user principal name, 20 to a $batch: the wave members
 *  deltaTimestamp left out of an earlier full read and named since (the users delta reports no
 *  unchanged user). One the tenant does not have (404) is left out; another failure is a warning
 *  (the user is tried again next run). Returns the ids of the users stored. */
export async function readUsersByKey(client: DiscoveryClient, cache: TenantCache, attributeNames: readonly string[], select: string, keys: readonly string[], warn: (message: string) => void): Promise<string[]> {
  const stored: string[] = [];
  for (let i = 0; i < keys.length; i += 20) {
    const slice = keys.slice(i, i + 20);
    const answers = await client.batch(slice.map((k, n) => ({ id: String(n + 1), method: 'GET' as const, url: `/users/${encodeURIComponent(k)}?$select=${select}` })));
    const byId = new Map(answers.map((a) => [a.id, a]));
    slice.forEach((key, n) => {
      const a = byId.get(String(n + 1));
      if (a?.status === 404) return;
      const item = a?.status === 200 ? (a.body as Item | null) : null;
      if (!item || typeof item.id !== 'string') {
        warn(`users: ${key} could not be read (status ${a?.status ?? 'none'}): tried again next run`);
        return;
      }
      cache.users.put(item.id, applyUserItem(cache.users.get(item.id), item, attributeNames));
      stored.push(item.id);
    });
  }
  return stored;
}

interface GraphSku {
  skuId: string;
  skuPartNumber: string;
  prepaidUnits?: { enabled?: number };
  consumedUnits?: number;
}

export async function readSkus(client: DiscoveryClient): Promise<InventorySku[]> {
  const skus = await client.list<GraphSku>('/v1.0/subscribedSkus');
  return skus
    .map((s) => ({ skuId: s.skuId, skuPartNumber: s.skuPartNumber, enabled: s.prepaidUnits?.enabled ?? 0, consumed: s.consumedUnits ?? 0 }))
    .sort((a, b) => a.skuPartNumber.localeCompare(b.skuPartNumber));
}

export async function readDomains(client: DiscoveryClient): Promise<string[]> {
  const domains = await client.list<{ id: string; isVerified?: boolean }>('/v1.0/domains');
  return domains
    .filter((d) => d.isVerified !== false)
    .map((d) => d.id.toLowerCase())
    .sort();
}
