// The discovery cache of one tenant in .t2t/inventory/<tenant>/: four sharded collections
// (users, groups, recipients, content) through engine/state. Every write goes through
// TrackedCollection, which skips records that did not change (a replayed delta item or an
// unchanged object of a full read rewrites no shard), counts added/updated/removed, and keeps the
// collection's digest current for the inventory hash.
import { join } from 'node:path';
import { openCollection, type Collection } from '../state/sharded-store.js';
import { statePaths } from '../state/paths.js';
import type { ContentSize, InventoryRecipient, InventorySku, InventoryUser } from '../inventory/model.js';
import type { CachedGroup } from './group-record.js';
import { RECIPIENT_BOOKKEEPING, RECIPIENT_DISCOVERY_ONLY, type CachedRecipient } from './recipient-record.js';
import { canonicalJson, Digest } from './digest.js';
import { emptyChanges, type ChangeCounts } from './report.js';
import type { TenantRowOrder } from './cache-order.js';

export const CACHE_FORMAT = 1;

/** Tenant-level facts, in the users collection's metadata. */
export interface TenantMeta {
  cacheFormat: number;
  tenantId: string;
  role: 'source' | 'target';
  /** Set once a discovery of this tenant completed: the cache is usable. */
  discoveredAt: string;
  usersDeltaLink: string;
  /** The $select the delta link was made with: a different one needs a full read. */
  userSelect: string;
  /** The tenant's discovery.deltaTimestamp at the last full read ('' for none). */
  deltaTimestamp: string;
  skus: InventorySku[];
  domains: string[];
  digest: string;
}

export interface CollectionMeta {
  digest: string;
  deltaLink: string;
  groupSelect: string;
}

export interface CachedContent extends ContentSize {
  /** When the sizes were read (ISO 8601): delta runs refresh sizes older than a day. */
  readAt: string;
}

/** Content sizes without the time they were read. */
export function contentView(c: CachedContent): ContentSize {
  const { readAt: _readAt, ...size } = c;
  return size;
}

export class TrackedCollection<T, M extends { digest: string }> {
  readonly changes: ChangeCounts = emptyChanges();
  private digest: Digest;

  /** `view` is what counts as the record's data (for change counts and the digest); fields
   *  outside it, such as when content sizes were read, are stored without counting as a change. */
  constructor(
    readonly store: Collection<T, M>,
    private readonly view: (v: T) => unknown = (v) => v,
  ) {
    const stored = store.getMeta('digest') as string | undefined;
    if (stored && !store.interrupted) {
      this.digest = new Digest(stored);
    } else {
      // Written without a digest, or a crash stopped a compaction (records from two flushes, the
      // earlier one's digest): computed from the records, and stored by the next flush.
      this.digest = new Digest();
      for (const [k, v] of store.entries()) this.digest.add(k, this.view(v));
    }
  }

  get size(): number {
    return this.store.size;
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  values(): IterableIterator<T> {
    return this.store.values();
  }

  /** Stores the value unless it equals the cached one. Returns what happened. */
  put(key: string, value: T): 'added' | 'updated' | 'unchanged' {
    const before = this.store.get(key);
    if (before !== undefined && canonicalJson(before) === canonicalJson(value)) return 'unchanged';
    this.store.put(key, value);
    if (before !== undefined && canonicalJson(this.view(before)) === canonicalJson(this.view(value))) return 'unchanged';
    this.digest.replace(key, before === undefined ? undefined : this.view(before), this.view(value));
    const what = before === undefined ? 'added' : 'updated';
    this.changes[what]++;
    return what;
  }

  delete(key: string): boolean {
    const before = this.store.get(key);
    if (before === undefined) return false;
    this.digest.remove(key, this.view(before));
    this.store.delete(key);
    this.changes.removed++;
    return true;
  }

  /** Deletes every record whose key is not in `keep` (after a full read). */
  deleteMissing(keep: Set<string>): number {
    const gone = [...this.store.keys()].filter((k) => !keep.has(k));
    for (const k of gone) this.delete(k);
    return gone.length;
  }

  /** Deletes every record without counting it as removed: a cache that cannot be used (another
   *  tenant's, another format's) is replaced, not compared with, and the full read that follows
   *  counts what it reads as added. Returns how many records were discarded. */
  discardAll(): number {
    const removedBefore = this.changes.removed;
    const n = this.deleteMissing(new Set());
    this.changes.removed = removedBefore;
    return n;
  }

  digestHex(): string {
    return this.digest.hex();
  }

  /** Computes the digest again from every record. The digest is kept up to date record by record;
   *  a full read calls this so that a digest a crash mid-flush left behind (records written, the
   *  metadata with the digest not) is made right, not carried on. */
  recomputeDigest(): void {
    const digest = new Digest();
    for (const [k, v] of this.store.entries()) digest.add(k, this.view(v));
    this.digest = digest;
  }

  async flush(): Promise<void> {
    this.store.setMeta('digest', this.digest.hex() as M['digest']);
    await this.store.flush();
  }
}

export interface TenantCache {
  users: TrackedCollection<InventoryUser, TenantMeta>;
  groups: TrackedCollection<CachedGroup, CollectionMeta>;
  recipients: TrackedCollection<CachedRecipient, CollectionMeta>;
  content: TrackedCollection<CachedContent, CollectionMeta>;
  /** Why the stored data was discarded (corrupt files), if it was. */
  resetReason?: string;
}

/** One tenant's cache as a plan reads it: read-only, and decoded without discovery's bookkeeping
 *  (when a recipient changed, when content sizes were read), so no record needs copying. */
export interface TenantCacheView {
  users: Collection<InventoryUser, TenantMeta>;
  groups: Collection<CachedGroup, CollectionMeta>;
  recipients: Collection<InventoryRecipient, CollectionMeta>;
  content: Collection<ContentSize, CollectionMeta>;
  resetReason?: string;
}

// One shard for the collections a plan reads user by user: their rows are stored in the plan's
// visiting order (cache-order.ts), which only one file can hold in full. Writes lose nothing: a
// delta appends to the journal, and a compaction, once in about twelve deltas of 1 % of a tenant,
// touched nearly every one of 256 shards anyway.
const SHARDS = { users: 1, groups: 64, recipients: 1, content: 1 } as const;

export function tenantCacheDir(stateDir: string, tenant: string): string {
  return join(statePaths.inventory(stateDir), tenant.replace(/[^A-Za-z0-9._-]/g, '_'));
}

/** The four collections of a tenant, opened at once; `view` opens them read-only without the
 *  bookkeeping fields and the recipients' fields only discovery reads. A collection found corrupt
 *  is emptied (resetReason says why). Once `signal` is aborted, reading stops (state.interrupted). */
async function openCollections(stateDir: string, tenant: string, view: boolean, signal?: AbortSignal) {
  const dir = tenantCacheDir(stateDir, tenant);
  const opts = { onCorrupt: 'reset', stateDir, ...(signal ? { signal } : {}) } as const;
  const [users, groups, recipients, content] = await Promise.all([
    openCollection<InventoryUser, TenantMeta>(dir, 'users', { ...opts, shards: SHARDS.users }),
    openCollection<CachedGroup, CollectionMeta>(dir, 'groups', { ...opts, shards: SHARDS.groups }),
    openCollection<CachedRecipient, CollectionMeta>(dir, 'recipients', { ...opts, shards: SHARDS.recipients, ...(view ? { omit: [...RECIPIENT_BOOKKEEPING, ...RECIPIENT_DISCOVERY_ONLY] } : {}) }),
    openCollection<CachedContent, CollectionMeta>(dir, 'content', { ...opts, shards: SHARDS.content, ...(view ? { omit: ['readAt'] } : {}) }),
  ]);
  const resetReason = [users, groups, recipients, content].map((c) => c.resetReason).find(Boolean);
  return { users, groups, recipients, content, ...(resetReason ? { resetReason } : {}) };
}

export async function openTenantCache(stateDir: string, tenant: string, signal?: AbortSignal): Promise<TenantCache> {
  const { users, groups, recipients, content, resetReason } = await openCollections(stateDir, tenant, false, signal);
  return {
    users: new TrackedCollection(users),
    groups: new TrackedCollection(groups),
    recipients: new TrackedCollection(recipients),
    content: new TrackedCollection(content, contentView),
    ...(resetReason ? { resetReason } : {}),
  };
}

export async function openTenantCacheView(stateDir: string, tenant: string, signal?: AbortSignal): Promise<TenantCacheView> {
  // the view's records lack the omitted fields: typed as what they then are
  return (await openCollections(stateDir, tenant, true, signal)) as TenantCacheView;
}

/** The order the rows of the tenant's collections are written in from now on (cache-order.ts). */
export function setCacheRowOrder(cache: TenantCache, order: TenantRowOrder): void {
  cache.users.store.setRowOrder(order.users);
  cache.recipients.store.setRowOrder(order.recipients);
  cache.content.store.setRowOrder(order.content);
}

/** Flush order matters: records before the tenant meta that says the cache is complete. */
export async function flushTenantCache(cache: TenantCache): Promise<void> {
  await Promise.all([cache.groups.flush(), cache.recipients.flush(), cache.content.flush()]);
  await cache.users.flush();
}
