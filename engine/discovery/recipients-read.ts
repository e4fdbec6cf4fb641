// Exchange recipients of one tenant: mailboxes, mail users and mail contacts. Exchange has no
// delta query; discovery reads incrementally by WhenChangedUTC instead, so a delta run costs what
// changed:
//
//   full sweep   Get-Mailbox / Get-MailUser / Get-MailContact -ResultSize Unlimited; whatever the
//                cache holds and the sweep did not return is removed. Done on a full discovery
//                (--full, first run, changed deltaTimestamp, ...), when the incremental state is
//                missing, and as a backstop when the last sweep is older than 24 h (FULL_SWEEP_MAX_AGE_MS).
//   incremental  the same three cmdlets with -Filter "WhenChangedUTC -ge '<watermark>'" (in UTC,
//                written without a zone: utcFilterDate). Exchange stamps WhenChanged on every
//                change of a recipient, including those directory sync brings from Entra (a
//                user's name, UPN, proxyAddresses, licences). Removals leave nothing to filter
//                on, so they come from elsewhere:
//                - users the users delta reported @removed: their mailbox / mail user goes;
//                - mail contacts: /contacts/delta (orgContacts; Exchange Online's contacts live in
//                  the directory) reports them @removed; matched by ExternalDirectoryObjectId;
//                - users that lost a licence or their mail addresses (seen by the users delta) are
//                  watched: each run asks Get-Recipient for their ExternalDirectoryObjectIds and
//                  drops a cached recipient Exchange no longer has (a licence-less mailbox goes only
//                  after a 30-day retention, so a user stays watched up to WATCH_MS);
//                - a recipient that changed type (a mail user licensed into a mailbox, back again)
//                  arrives under its new type and its old record goes.
//                Anything else (e.g. Disable-MailUser -PreserveEmailAddresses, which changes no
//                directory attribute) is caught by the next full sweep.
//
// The watermark is the service's clock (the Date of the first Exchange answer of the read) minus
// REPLICATION_MARGIN_MS, kept in the recipients collection's metadata. The margin covers what the
// service may still make visible with an older WhenChangedUTC after the read: replication between
// Exchange's directory copies and the Entra -> Exchange sync (minutes), and the Date header's
// one-second resolution. Re-reading the last half hour's changes costs little; missing one would
// leave the cache wrong until the next full sweep.
import type { DiscoveryClient } from './discovery-client.js';
import { DeltaResyncNeeded } from './discovery-client.js';
import type { InventoryUser } from '../inventory/model.js';
import type { Collection } from '../state/sharded-store.js';
import { RECIPIENT_CMDLETS, recipientKey, toRecipient, type CachedRecipient, type RecipientType } from './recipient-record.js';
import type { CollectionMeta, TenantCache } from './tenant-cache.js';

export const REPLICATION_MARGIN_MS = 30 * 60_000;
export const FULL_SWEEP_MAX_AGE_MS = 24 * 60 * 60_000;
/** Exchange Online removes a mailbox 30 days after its last licence went; a day more. */
export const WATCH_MS = 31 * 24 * 60 * 60_000;
const IDS_PER_FILTER = 50;
export const CONTACTS_DELTA_URL = '/v1.0/contacts/delta?$select=id';
const TYPES: readonly RecipientType[] = ['UserMailbox', 'MailUser', 'MailContact'];

/** What the recipients collection's metadata holds for incremental reads. */
interface RecipientsMeta extends CollectionMeta {
  /** ISO 8601 on the service's clock: the next incremental read asks for WhenChangedUTC -ge this. */
  watermark: string;
  /** ISO 8601, local clock: when the last full sweep was made. */
  lastFullSweep: string;
  contactsDeltaLink: string;
  /** User id -> when it was seen losing a licence or its addresses (ISO, local clock). */
  watch: Record<string, string>;
}

export interface RecipientReadOptions {
  /** Discovery reads this tenant in full: sweep. */
  full: boolean;
  /** The discovery.deltaTimestamp rule (see discover.ts); applied to every read the same way. */
  keep: (r: CachedRecipient) => boolean;
  /** From the users step: ids reported @removed, and users to watch (see watchUser). */
  removedUsers: ReadonlySet<string>;
  watchUsers: ReadonlySet<string>;
  /** Users this run read one by one (wave members deltaTimestamp had left out): on an incremental
   *  read their recipients are read by ExternalDirectoryObjectId, since an unchanged mailbox is not
   *  after the watermark. */
  joinedUsers?: readonly string[];
  onCall: (calls: number, objects: number) => void;
  warn: (message: string) => void;
  /** Local clock (ms), for the sweep's age and the watch list. */
  now?: number;
}

export interface RecipientReadResult {
  mode: 'full' | 'delta';
  /** Why a full sweep was made. */
  reason?: string;
  calls: number;
  objects: number;
  skipped: number;
}

/** A user whose change may make Exchange drop its mailbox or mail user without touching the
 *  recipient: a licence gone, or its mail addresses cleared. */
export function watchUser(prev: InventoryUser | undefined, next: InventoryUser): boolean {
  if (!prev) return false;
  const lostLicence = prev.assignedSkuIds.some((s) => !next.assignedSkuIds.includes(s));
  const lostAddresses = (prev.mail !== null || prev.proxyAddresses.length > 0) && next.mail === null && next.proxyAddresses.length === 0;
  return lostLicence || lostAddresses;
}

function metaOf(cache: TenantCache): Collection<CachedRecipient, RecipientsMeta> {
  // The recipients collection's metadata is free-form JSON; these keys are this module's.
  return cache.recipients.store as unknown as Collection<CachedRecipient, RecipientsMeta>;
}

function sweepReason(o: RecipientReadOptions, meta: Collection<CachedRecipient, RecipientsMeta>, now: number): string | undefined {
  if (o.full) return 'full discovery';
  const last = Date.parse(meta.getMeta('lastFullSweep') ?? '');
  if (!meta.getMeta('watermark') || !meta.getMeta('contactsDeltaLink') || !Number.isFinite(last)) return 'no incremental state';
  if (now - last > FULL_SWEEP_MAX_AGE_MS) return 'the last full sweep is older than 24 h';
  return undefined;
}

/** Recipients by user id and contacts by directory id, from the cache (built when first needed). */
class CacheIndex {
  private byUser?: Map<string, string[]>;
  private byContact?: Map<string, string>;
  constructor(private readonly cache: TenantCache) {}

  private build(): void {
    this.byUser = new Map();
    this.byContact = new Map();
    for (const [key, r] of this.cache.recipients.store.entries()) {
      if (r.userId) this.byUser.set(r.userId, [...(this.byUser.get(r.userId) ?? []), key]);
      if (r.type === 'MailContact' && r.directoryObjectId) this.byContact.set(r.directoryObjectId, key);
    }
  }

  keysOfUser(userId: string): string[] {
    if (!this.byUser) this.build();
    return (this.byUser!.get(userId) ?? []).filter((k) => this.cache.recipients.get(k) !== undefined);
  }

  keyOfContact(directoryId: string): string | undefined {
    if (!this.byContact) this.build();
    return this.byContact!.get(directoryId);
  }
}

export async function readRecipients(client: DiscoveryClient, cache: TenantCache, o: RecipientReadOptions): Promise<RecipientReadResult> {
  const meta = metaOf(cache);
  const now = o.now ?? Date.now();
  const reason = sweepReason(o, meta, now);
  if (reason) return fullSweep(client, cache, o, reason, now);
  // Removed contacts first: a contact removed after this call shows in the next round.
  const removedContacts: string[] = [];
  let contactsLink: string;
  try {
    contactsLink = await client.delta(meta.getMeta('contactsDeltaLink')!, (items) => {
      for (const item of items) if (item['@removed'] !== undefined) removedContacts.push(item.id);
    });
  } catch (e) {
    if (!(e instanceof DeltaResyncNeeded)) throw e;
    o.warn(`contacts: ${e.message}; recipients read in full instead`);
    return fullSweep(client, cache, o, 'the contacts delta token was no longer valid', now);
  }
  const index = new CacheIndex(cache);
  for (const id of removedContacts) {
    const key = index.keyOfContact(id);
    if (key) cache.recipients.delete(key);
  }
  for (const id of o.removedUsers) for (const key of index.keysOfUser(id)) cache.recipients.delete(key);

  const filter = `WhenChangedUTC -ge '${utcFilterDate(meta.getMeta('watermark')!)}'`;
  const read = new Reader(client, cache, o);
  for (const { cmdlet, type } of RECIPIENT_CMDLETS) await read.list(cmdlet, type, { ResultSize: 'Unlimited', Filter: filter });
  const joined = o.joinedUsers ?? [];
  for (let i = 0; i < joined.length; i += IDS_PER_FILTER) {
    const byId = joined.slice(i, i + IDS_PER_FILTER).map((id) => `(ExternalDirectoryObjectId -eq '${id}')`).join(' -or ');
    // a contact's ExternalDirectoryObjectId is its own: only mailboxes and mail users link a user
    for (const { cmdlet, type } of RECIPIENT_CMDLETS) if (type !== 'MailContact') await read.list(cmdlet, type, { ResultSize: 'Unlimited', Filter: byId });
  }

  // Watched users: drop the linked recipients Exchange no longer has. (A fresh index: the reads
  // above added and removed records.)
  const current = new CacheIndex(cache);
  const watch = { ...(meta.getMeta('watch') ?? {}) };
  for (const id of o.watchUsers) watch[id] ??= new Date(now).toISOString();
  for (const id of o.removedUsers) delete watch[id];
  const ids = Object.keys(watch).filter((id) => current.keysOfUser(id).length > 0 && now - Date.parse(watch[id]!) <= WATCH_MS);
  for (let i = 0; i < ids.length; i += IDS_PER_FILTER) {
    const chunk = ids.slice(i, i + IDS_PER_FILTER);
    const rows = await read.raw('Get-Recipient', { ResultSize: 'Unlimited', Filter: chunk.map((id) => `(ExternalDirectoryObjectId -eq '${id}')`).join(' -or ') });
    // RecipientType is the coarse kind (UserMailbox for shared and room mailboxes too), as the cache keys it.
    const present = new Set(rows.map((row) => `${String(row.ExternalDirectoryObjectId).toLowerCase()}:${String(row.RecipientType ?? row.RecipientTypeDetails)}`));
    for (const id of chunk) {
      for (const key of current.keysOfUser(id)) {
        const r = cache.recipients.get(key)!;
        if (!present.has(`${id.toLowerCase()}:${r.type}`)) cache.recipients.delete(key);
      }
    }
  }
  const checked = new Set(ids);
  for (const id of Object.keys(watch)) if (!checked.has(id) || current.keysOfUser(id).length === 0) delete watch[id];

  meta.setMeta('watch', watch);
  meta.setMeta('contactsDeltaLink', contactsLink);
  const next = read.watermark();
  if (next) meta.setMeta('watermark', next);
  return { mode: 'delta', ...read.counts() };
}

/** The watermark (ISO 8601, UTC) as the -Filter's date literal: 'yyyy-MM-ddTHH:mm:ss', no zone.
 *  .NET reads that sortable form the same way in every culture, and without a zone it takes it as
 *  it stands, the UTC time WhenChangedUTC is compared with. With 'Z' it would convert the value to
 *  the server's local time first (DateTime.Parse), and a server east of UTC would then filter from
 *  later than the watermark and miss changes. A watermark stored with 'Z' or a fraction (all of
 *  them until now) is read the same way. */
export function utcFilterDate(watermark: string): string {
  return watermark.replace(/(\.\d+)?Z$/i, '');
}

async function fullSweep(client: DiscoveryClient, cache: TenantCache, o: RecipientReadOptions, reason: string, now: number): Promise<RecipientReadResult> {
  const meta = metaOf(cache);
  // The contacts delta link first: a contact removed during the sweep shows in its next round.
  const contactsLink = await client.delta(CONTACTS_DELTA_URL, () => {});
  const read = new Reader(client, cache, o);
  for (const { cmdlet, type } of RECIPIENT_CMDLETS) await read.list(cmdlet, type, { ResultSize: 'Unlimited' });
  cache.recipients.deleteMissing(read.seen);
  const watch: Record<string, string> = {};
  const index = new CacheIndex(cache);
  for (const [id, since] of Object.entries(meta.getMeta('watch') ?? {})) if (now - Date.parse(since) <= WATCH_MS) watch[id] = since;
  for (const id of o.watchUsers) watch[id] ??= new Date(now).toISOString();
  for (const id of Object.keys(watch)) if (index.keysOfUser(id).length === 0) delete watch[id];
  meta.setMeta('watch', watch);
  meta.setMeta('contactsDeltaLink', contactsLink);
  meta.setMeta('lastFullSweep', new Date(now).toISOString());
  meta.setMeta('watermark', read.watermark());
  return { mode: 'full', reason, ...read.counts() };
}

/** Runs the cmdlets, stores what they return and notes the service's clock. */
class Reader {
  readonly seen = new Set<string>();
  private calls = 0;
  private objects = 0;
  private skipped = 0;
  private serverStart: number | undefined;
  private newest: number | undefined;

  constructor(
    private readonly client: DiscoveryClient,
    private readonly cache: TenantCache,
    private readonly o: RecipientReadOptions,
  ) {}

  async raw(cmdlet: string, parameters: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
    const rows = await this.client.exchange(cmdlet, parameters, { onServerDate: (ms) => (this.serverStart ??= ms) });
    this.calls++;
    this.o.onCall(this.calls, this.objects);
    return rows;
  }

  async list(cmdlet: string, type: RecipientType, parameters: Record<string, unknown>): Promise<void> {
    for (const row of await this.raw(cmdlet, parameters)) {
      this.objects++;
      const r = toRecipient(row, type);
      if (!r.identity) continue;
      const changed = Date.parse(r.whenChangedUTC ?? '');
      if (Number.isFinite(changed) && (this.newest === undefined || changed > this.newest)) this.newest = changed;
      if (!this.o.keep(r)) {
        this.skipped++;
        continue;
      }
      const key = recipientKey(r);
      this.seen.add(key);
      this.cache.recipients.put(key, r);
      // A recipient that changed type (mail user <-> mailbox) leaves its old record.
      for (const other of TYPES) {
        const old = recipientKey({ type: other, identity: r.identity });
        if (other !== type && !this.seen.has(old)) this.cache.recipients.delete(old);
      }
    }
    this.o.onCall(this.calls, this.objects);
  }

  /** The next read's watermark: the service's time when this read began (else the newest
   *  WhenChangedUTC seen), less the margin; undefined when neither is known. */
  watermark(): string | undefined {
    const base = this.serverStart ?? this.newest;
    return base === undefined ? undefined : new Date(base - REPLICATION_MARGIN_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  counts(): { calls: number; objects: number; skipped: number } {
    return { calls: this.calls, objects: this.objects, skipped: this.skipped };
  }
}
