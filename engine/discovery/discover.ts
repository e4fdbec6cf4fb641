// Discovery: read every tenant of a project into the local cache (.t2t/inventory/<tenant>/) and
// return the inventory, the "actual" side of the diff. After the first run it reads by delta
// (users and groups), so a run costs what changed, not what exists; `full` starts over.
//
// Per tenant, in this order (each step feeds the next):
//   domains, licences                       full reads (a handful of objects)
//   groups    /groups/delta, members@delta  before users: wave groups decide what deltaTimestamp keeps
//   users     /users/delta with $select     the InventoryUser fields + the project's attributes
//   recipients Get-Mailbox/-MailUser/-MailContact: by WhenChangedUTC, in full daily (recipients-read.ts)
//   markers   target tenants: dev.t2t.migration per user, 20 to a $batch (see marker-candidates.ts)
//   content   source tenants: sizes of wave members only (see content-read.ts)
// Source tenants are discovered first, so a target's marker candidates know the wave members.
//
// discovery.deltaTimestamp (per tenant), exactly: on a full read, a group or user whose
// createdDateTime is before the timestamp is left out, unless the project names it (a wave member
// by address, a member of a wave group, a group of `groups` or `emailRewrite`, a group nested in
// one of those, and its members); Graph v1.0 has no last-modified time for directory objects, so
// creation time is what the data allows. A recipient is left out when its WhenChangedUTC is before
// the timestamp and its user is not in the cache. A delta read keeps every object it reports (a
// change since the last run is after the timestamp), and reads one by one the wave members an
// earlier full read left out and the project has named since (namedButMissing), with their
// recipients. Changing the timestamp makes the next run a full read, which brings skipped objects
// in.
import type { Project, Tenant } from '../manifest/model.js';
import type { Inventory, InventoryUser, TenantInventory } from '../inventory/model.js';
import { UserError } from '../errors.js';
import { acquireLock } from '../state/lock.js';
import { closest } from '../util/suggest.js';
import type { DiscoveryClient } from './discovery-client.js';
import { readDomains, readGroups, readSkus, readUsers, readUsersByKey, type DiscoveryProgress, type Step } from './directory-read.js';
import { readRecipients, watchUser } from './recipients-read.js';
import { readMarkers } from './markers-read.js';
import { markerCandidates } from './marker-candidates.js';
import { readContentSize, type ContentReadState } from './content-read.js';
import { projectAttributeNames, projectUserSelect, userAddresses } from './user-properties.js';
import { resolveWaveScope, waveAddresses, waveGroupNames } from './wave-scope.js';
import { applyGroupItem, toInventoryGroup, type CachedGroup } from './group-record.js';
import { toInventoryRecipient, type CachedRecipient } from './recipient-record.js';
import { CACHE_FORMAT, contentView, flushTenantCache, openTenantCache, openTenantCacheView, setCacheRowOrder, type TenantCache, type TenantCacheView, type TenantMeta } from './tenant-cache.js';
import type { Collection } from '../state/sharded-store.js';
import { tenantRowOrder, visitPositions } from './cache-order.js';
import { canonicalJson, Digest, sha256 } from './digest.js';
import { totals, type DiscoveryReport, type MigrationScope, type TenantReport } from './report.js';

export type { DiscoveryProgress } from './directory-read.js';
export type { DiscoveryReport, TenantReport } from './report.js';

export interface DiscoverOptions {
  env: NodeJS.ProcessEnv;
  /** The state directory (engine/state stateDir()). */
  stateDir: string;
  /** Ignore delta links: read every tenant in full. */
  full?: boolean;
  /** Discover only this tenant (the manifest's name). */
  tenant?: string;
  /** The t2t command that discovers (named to another process the discovery lock refuses). */
  command?: string;
  signal?: AbortSignal;
  onProgress?: (p: DiscoveryProgress) => void;
  /** Content sizes older than this are re-read on a delta run (default 24 h). */
  contentMaxAgeMs?: number;
  /** The same for members of waves whose cutoverAt is near (NEAR_CUTOVER_MS ahead): default 1 h,
   *  so that the plan's warning that a wave cannot finish in time sees the content as it is now. */
  contentMaxAgeNearCutoverMs?: number;
  /** How to reach a tenant; default engine/tenant's client. Tests use the default too. */
  clientFor?: (project: Project, tenant: Tenant) => DiscoveryClient;
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** A wave whose cutoverAt is at most this far ahead has its members' content sizes kept fresh. */
export const NEAR_CUTOVER_MS = 7 * DAY;
const GROUP_SELECT = 'createdDateTime,displayName,id,mail,members';

interface RunContext {
  project: Project;
  options: DiscoverOptions;
  /** Wave members of the source tenants discovered or loaded so far (for marker candidates). */
  waveMembers: InventoryUser[];
  /** Wave addresses and group names some source tenant resolved. */
  resolved: Set<string>;
  /** Tenants discovered and written in this run, in order: an interruption names them. */
  saved: string[];
}

export async function discover(project: Project, options: DiscoverOptions): Promise<{ inventory: Inventory; report: DiscoveryReport }> {
  const started = Date.now();
  const selected = selectTenants(project, options.tenant);
  // One discovery at a time writes the cache: two writers of a collection interleave their journal
  // appends and compactions, and a journal one of them removed and the other appended to is read
  // as corrupt and the whole collection discarded. A lock its process left behind on this host
  // is taken over (the cache is crash-safe; nothing to warn about).
  const lock = await acquireLock(options.stateDir, { command: options.command ?? 'discover', scope: 'discovery' });
  try {
    return await discoverLocked(project, options, selected, started);
  } finally {
    await lock.release();
  }
}

async function discoverLocked(project: Project, options: DiscoverOptions, selected: Tenant[], started: number): Promise<{ inventory: Inventory; report: DiscoveryReport }> {
  const ctx: RunContext = { project, options, waveMembers: [], resolved: new Set(), saved: [] };
  const caches = new Map<string, TenantCache>();
  const reports: TenantReport[] = [];

  // Sources first. A source tenant not discovered in this run still lends its cached wave members.
  const ordered = [...selected].sort((a, b) => (a.role === b.role ? 0 : a.role === 'source' ? -1 : 1));
  for (const t of project.tenants) {
    if (t.role === 'source' && !selected.includes(t)) {
      const cache = await openTenantCache(options.stateDir, t.name, options.signal);
      if (cache.users.store.getMeta('discoveredAt')) noteWaveScope(ctx, cache);
      caches.set(t.name, cache);
    }
  }
  for (const tenant of ordered) {
    throwIfAborted(options.signal, ctx.saved);
    const { cache, report } = await discoverTenant(ctx, tenant);
    caches.set(tenant.name, cache);
    reports.push(report);
    ctx.saved.push(tenant.name);
  }

  const tenants: Record<string, TenantInventory> = {};
  const digests: Record<string, unknown> = {};
  for (const t of project.tenants) {
    // Everything is discovered and written: a Ctrl-C now still gets the report. Without the signal
    // the read of a tenant this run did not discover (--tenant) is not cut short (a second Ctrl-C
    // still ends the process at once).
    const cache = caches.get(t.name) ?? (await openTenantCache(options.stateDir, t.name));
    if (!cache.users.store.getMeta('discoveredAt')) continue;
    tenants[t.name] = tenantInventory(t, cache);
    digests[t.name] = tenantDigest(t, cache);
  }
  const hash = inventoryHash(digests);
  const wanted = [...waveAddresses(project), ...waveGroupNames(project)];
  const allSourcesKnown = project.tenants.filter((t) => t.role === 'source').every((t) => tenants[t.name]);
  const unresolved = allSourcesKnown ? wanted.filter((a) => !ctx.resolved.has(a)).sort() : [];
  return {
    inventory: { tenants, hash },
    report: { project: project.name, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, tenants: reports, hash, unresolved },
  };
}

/** The cached inventory, without any network access; undefined unless every tenant of the project
 *  has been discovered (a plan needs all of them). `why` hears, then, which tenant's cache is
 *  missing or unusable and why (a damaged file is discarded as it is read: it cannot be asked later). */
export async function loadInventory(project: Project, stateDir: string, why?: (reason: string) => void, signal?: AbortSignal): Promise<Inventory | undefined> {
  const tenants: Record<string, TenantInventory> = {};
  const digests: Record<string, unknown> = {};
  // Every tenant's files are read at once: one tenant's reads overlap another's parsing.
  const views = await Promise.all(project.tenants.map((t) => openTenantCacheView(stateDir, t.name, signal)));
  const select = projectUserSelect(project);
  for (const [i, t] of project.tenants.entries()) {
    const view = views[i]!;
    const meta = view.users;
    const mismatch = cacheMismatch(t, meta, select);
    const gap = view.resetReason
      ? view.resetReason
      : !meta.getMeta('discoveredAt')
        ? 'has not been discovered yet'
        : mismatch === 'format'
          ? 'was cached by another version of t2t'
          : mismatch === 'tenantId'
            ? `was cached for tenantId ${String(meta.getMeta('tenantId'))}, and the manifest now says ${t.tenantId}`
            : mismatch === 'select'
              ? 'was discovered before the manifests read other user properties (an attribute mapping, template or matching rule)'
              : mismatch === 'deltaTimestamp'
                ? 'was discovered with another discovery.deltaTimestamp'
                : undefined;
    const digest = gap ? undefined : viewDigest(t, view);
    if (!digest) {
      why?.(`tenant ${t.name}: ${gap ?? 'its cache was left incomplete by a crash'}`);
      return undefined;
    }
    tenants[t.name] = {
      tenant: t.name,
      tenantId: t.tenantId,
      discoveredAt: meta.getMeta('discoveredAt')!,
      users: view.users.orderedValues(),
      groups: view.groups.orderedValues().map(toInventoryGroup),
      recipients: view.recipients.orderedValues(),
      skus: meta.getMeta('skus') ?? [],
      domains: meta.getMeta('domains') ?? [],
      content: new Map(view.content.entries()),
    };
    digests[t.name] = digest;
  }
  return { tenants, hash: inventoryHash(digests) };
}

/** True when some tenant of the inventory was discovered more than maxAgeMs ago. */
export function isStale(inventory: Inventory, maxAgeMs: number, now: number = Date.now()): boolean {
  const times = Object.values(inventory.tenants).map((t) => Date.parse(t.discoveredAt));
  if (times.length === 0) return true;
  return times.some((t) => !Number.isFinite(t) || now - t > maxAgeMs);
}

function selectTenants(project: Project, name: string | undefined): Tenant[] {
  if (name === undefined) return [...project.tenants];
  const t = project.tenants.find((x) => x.name === name);
  if (t) return [t];
  const names = project.tenants.map((x) => x.name);
  const near = closest(name, names);
  throw new UserError(
    `unknown tenant '${name}'${near ? ` (did you mean '${near}'?)` : ''}`,
    'discover.unknownTenant',
    `the project's tenants are: ${names.join(', ')}`,
  );
}

function throwIfAborted(signal: AbortSignal | undefined, saved: readonly string[] = []): void {
  if (signal?.aborted) throw interrupted(saved);
}

/** The interruption, naming the tenants this run already wrote (each tenant's cache is written
 *  whole at the end of its discovery: the others keep what they held). */
function interrupted(saved: readonly string[], cause?: unknown): UserError {
  const what = saved.length === 0
    ? 'the cache keeps its previous state'
    : `tenant${saved.length === 1 ? '' : 's'} ${saved.join(', ')} ${saved.length === 1 ? 'was' : 'were'} discovered and saved, the others keep their previous state`;
  return new UserError(`discovery was interrupted; ${what}`, 'discover.aborted', 'run t2t discover again', undefined, cause === undefined ? undefined : { cause });
}

/** Full-read reasons that discard the cache first (fullReason). */
const REPLACED_FORMAT = 'cache format changed: the cache was replaced';
const REPLACED_TENANT = 'tenantId changed: the cache of the previous tenantId was replaced';

function fullReason(tenant: Tenant, cache: TenantCache, options: DiscoverOptions, select: string): string | undefined {
  const meta = cache.users.store;
  if (options.full) return '--full';
  if (cache.resetReason) return cache.resetReason.includes('another version of t2t') ? 'the cache was written by another version of t2t' : 'the cache was unreadable';
  if (!meta.getMeta('discoveredAt') || !meta.getMeta('usersDeltaLink')) return 'first run';
  switch (cacheMismatch(tenant, meta, select)) {
    case 'format':
      return REPLACED_FORMAT;
    case 'tenantId':
      return REPLACED_TENANT;
    case 'select':
      return 'the project reads other user properties';
    case 'deltaTimestamp':
      return 'discovery.deltaTimestamp changed';
    case undefined:
      return undefined;
  }
}

/** How a discovered tenant's cache no longer fits the project as the manifests now stand: one
 *  place for both of its readers, since a cache discovery must read in full again (fullReason) is
 *  one a plan must not use (loadInventory): it lacks what the manifests now ask of it. */
function cacheMismatch(tenant: Tenant, meta: Pick<Collection<unknown, TenantMeta>, 'getMeta'>, select: string): 'format' | 'tenantId' | 'select' | 'deltaTimestamp' | undefined {
  if (meta.getMeta('cacheFormat') !== CACHE_FORMAT) return 'format';
  if (meta.getMeta('tenantId') !== tenant.tenantId) return 'tenantId';
  if (meta.getMeta('userSelect') !== select) return 'select';
  if ((meta.getMeta('deltaTimestamp') ?? '') !== (tenant.discovery.deltaTimestamp ?? '')) return 'deltaTimestamp';
  return undefined;
}

function before(iso: unknown, threshold: number | undefined): boolean {
  if (threshold === undefined || typeof iso !== 'string') return false;
  const t = Date.parse(iso);
  return Number.isFinite(t) && t < threshold;
}

async function discoverTenant(ctx: RunContext, tenant: Tenant): Promise<{ cache: TenantCache; report: TenantReport }> {
  const { project, options } = ctx;
  const started = Date.now();
  const warnings: string[] = [];
  const progress = (step: Step, pages: number, objects: number, done = false) =>
    options.onProgress?.({ tenant: tenant.name, step, pages, objects, done });
  const client = (options.clientFor ?? (await defaultClientFor(options)))(project, tenant);
  try {
    return await discoverWith(ctx, tenant, client, started, warnings, progress);
  } catch (e) {
    // A request cut off by the signal fails as an AbortError (or, from code that catches it, as
    // anything): once the signal is aborted, the failure is the interruption.
    if (options.signal?.aborted) throw interrupted(ctx.saved, e);
    throw e;
  } finally {
    await client.close();
  }
}

async function discoverWith(
  ctx: RunContext,
  tenant: Tenant,
  client: DiscoveryClient,
  started: number,
  warnings: string[],
  progress: (step: Step, pages: number, objects: number, done?: boolean) => void,
): Promise<{ cache: TenantCache; report: TenantReport }> {
  const { project, options } = ctx;
  const cache = await openTenantCache(options.stateDir, tenant.name, options.signal);
  const meta = cache.users.store;
  const attributeNames = projectAttributeNames(project);
  const select = projectUserSelect(project);
  const reason = fullReason(tenant, cache, options, select);
  // which file was damaged or of another version, and that it is gone (the reason above only says
  // that the cache was unreadable)
  if (cache.resetReason) warnings.push(cache.resetReason);
  if (reason === REPLACED_TENANT || reason === REPLACED_FORMAT) {
    // The cached objects belong to another tenant (or another format): start from nothing. They
    // are not reported as removed (nothing was removed from the tenant): the report counts what
    // the full read finds as added, and its reason says the cache was replaced.
    for (const c of [cache.users, cache.groups, cache.recipients, cache.content]) c.discardAll();
  }
  const mode = reason ? 'full' : 'delta';
  const threshold = tenant.discovery.deltaTimestamp ? Date.parse(tenant.discovery.deltaTimestamp) : undefined;
  const named = namedByProject(project);

  // Domains and licences: small, read in full every run.
  const domains = await readDomains(client);
  progress('domains', 1, domains.length, true);
  const skus = await readSkus(client);
  progress('licences', 1, skus.length, true);
  throwIfAborted(options.signal);

  // Groups. One created before deltaTimestamp is kept when the project names it, or when it is
  // nested (at any depth) in one the project names: its members are wave members too
  // (wave-scope.ts). Nesting is known once every group is read: the old groups are held in memory
  // until then, and those nested in a named one admitted.
  const groupMode = mode === 'full' || !cache.groups.store.getMeta('deltaLink') || cache.groups.store.getMeta('groupSelect') !== GROUP_SELECT ? 'full' : 'delta';
  const heldGroups = new Map<string, Record<string, unknown>[]>();
  const groupsRead = await readGroups(client, cache, {
    mode: groupMode,
    fullUrl: `/v1.0/groups/delta?$select=${GROUP_SELECT}`,
    ...(cache.groups.store.getMeta('deltaLink') ? { deltaLink: cache.groups.store.getMeta('deltaLink')! } : {}),
    keep: (g) => {
      if (!before(g.createdDateTime, threshold) || isNamedGroup(g, named)) return true;
      // a big group's members come over several items: each is kept for admission
      const items = heldGroups.get(g.id);
      if (items) items.push(g);
      else heldGroups.set(g.id, [g]);
      return false;
    },
    admit: () => nestedInNamedGroups(cache, heldGroups, named),
    onPage: (p, n) => progress('groups', p, n),
    warn: (m) => warnings.push(m),
  });
  progress('groups', groupsRead.pages, groupsRead.objects, true);
  throwIfAborted(options.signal);

  // Users. Wave members are never skipped by deltaTimestamp.
  const waveGroupMembers = threshold === undefined ? new Set<string>() : resolveWaveScope({ ...project, waves: project.waves.map((w) => ({ ...w, members: { ...w.members, users: [], csvUsers: [] } })) }, [], cache.groups.values()).userIds;
  const addresses = waveAddresses(project);
  const watchUsers = new Set<string>();
  const usersRead = await readUsers(client, cache, attributeNames, {
    mode,
    fullUrl: `/v1.0/users/delta?$select=${select}`,
    ...(meta.getMeta('usersDeltaLink') ? { deltaLink: meta.getMeta('usersDeltaLink')! } : {}),
    keep: (u) =>
      !before(u.createdDateTime, threshold) ||
      waveGroupMembers.has(u.id) ||
      userAddresses({ userPrincipalName: String(u.userPrincipalName ?? ''), mail: (u.mail as string | null) ?? null, proxyAddresses: (u.proxyAddresses as string[] | null) ?? [] }).some((a) => addresses.has(a)),
    onPage: (p, n) => progress('users', p, n),
    warn: (m) => warnings.push(m),
  }, (prev, next) => {
    if (watchUser(prev, next)) watchUsers.add(next.id);
  });
  // Wave members deltaTimestamp left out of an earlier full read and named since: read one by one
  const joinedUsers =
    threshold !== undefined && usersRead.mode === 'delta' && tenant.role === 'source'
      ? await readUsersByKey(client, cache, attributeNames, select, namedButMissing(project, cache), (m) => warnings.push(m))
      : [];
  progress('users', usersRead.pages, usersRead.objects + joinedUsers.length, true);
  throwIfAborted(options.signal);

  // Exchange recipients.
  const recipientsRead = await readRecipients(client, cache, {
    full: usersRead.mode === 'full',
    keep: (r) => !before(r.whenChangedUTC, threshold) || (r.userId !== null && cache.users.get(r.userId) !== undefined),
    removedUsers: usersRead.removed,
    watchUsers,
    joinedUsers,
    onCall: (calls, n) => progress('recipients', calls, n),
    warn: (m) => warnings.push(m),
  });
  progress('recipients', recipientsRead.calls, recipientsRead.objects, true);
  throwIfAborted(options.signal);

  // Markers (target tenants).
  if (tenant.role === 'target') {
    const candidates = usersRead.mode === 'full' ? new Set(cache.users.store.keys()) : markerCandidates(project, cache.users.values(), usersRead.touched, ctx.waveMembers);
    const markers = await readMarkers(client, cache, candidates, (b, n) => progress('markers', b, n));
    progress('markers', markers.batches, markers.read, true);
    if (markers.failed.length) warnings.push(`the migration marker of ${markers.failed.length} user(s) could not be read (kept from the last run): ${markers.failed.slice(0, 5).join(', ')}`);
    throwIfAborted(options.signal);
  }

  // Migration scope (source tenants).
  let scope: MigrationScope | undefined;
  if (tenant.role === 'source') {
    // the mode the users were read in: a delta whose token expired fell back to a full read, and
    // a full read refreshes every size
    scope = await readScope(ctx, cache, client, usersRead.mode === 'full', warnings, (p, n) => progress('content', p, n));
    progress('content', scope.users, scope.users, true);
  }

  meta.setMeta('cacheFormat', CACHE_FORMAT);
  meta.setMeta('tenantId', tenant.tenantId);
  meta.setMeta('role', tenant.role);
  meta.setMeta('discoveredAt', new Date().toISOString());
  meta.setMeta('usersDeltaLink', usersRead.deltaLink);
  meta.setMeta('userSelect', select);
  meta.setMeta('deltaTimestamp', tenant.discovery.deltaTimestamp ?? '');
  meta.setMeta('skus', skus);
  meta.setMeta('domains', domains);
  cache.groups.store.setMeta('deltaLink', groupsRead.deltaLink);
  cache.groups.store.setMeta('groupSelect', GROUP_SELECT);
  throwIfAborted(options.signal);
  // a full read also makes the digests right from the records (see recomputeDigest)
  if (usersRead.mode === 'full') for (const c of [cache.users, cache.groups, cache.recipients, cache.content]) c.recomputeDigest();
  // rows in the order a plan reads them (ctx.waveMembers holds every source tenant's wave members
  // by now: sources are discovered first)
  setCacheRowOrder(cache, tenantRowOrder(visitPositions(project, ctx.waveMembers), (id) => cache.users.get(id)));
  await flushTenantCache(cache);

  const users = [...cache.users.values()];
  const recipients = [...cache.recipients.values()];
  const finalMode = usersRead.mode === 'full' ? 'full' : 'delta';
  const finalReason = reason ?? (usersRead.fellBack ? 'the delta token was no longer valid' : undefined);
  const report: TenantReport = {
    tenant: tenant.name,
    role: tenant.role,
    mode: finalMode,
    ...(finalMode === 'full' && finalReason ? { reason: finalReason } : {}),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    requests: client.requestCount(),
    pages: usersRead.pages + groupsRead.pages,
    counts: {
      users: users.length,
      members: users.filter((u) => u.userType === 'Member').length,
      guests: users.filter((u) => u.userType === 'Guest').length,
      groups: cache.groups.size,
      mailboxes: recipients.filter((r) => r.type === 'UserMailbox').length,
      mailUsers: recipients.filter((r) => r.type === 'MailUser').length,
      contacts: recipients.filter((r) => r.type === 'MailContact').length,
      licensedUsers: users.filter((u) => u.assignedSkuIds.length > 0).length,
      skus: skus.length,
      domains: domains.length,
      markers: users.filter((u) => u.marker).length,
    },
    licences: skus.map((s) => ({ sku: s.skuPartNumber, enabled: s.enabled, consumed: s.consumed })),
    changes: { users: { ...cache.users.changes }, groups: { ...cache.groups.changes }, recipients: { ...cache.recipients.changes } },
    skipped: { users: usersRead.skipped, groups: groupsRead.skipped, recipients: recipientsRead.skipped },
    ...(scope ? { scope } : {}),
    warnings,
  };
  return { cache, report };
}

/** The wave members a source tenant's cache lacks: ids of its wave groups' members (nested groups
 *  included) and, when it is the project's only source tenant, listed addresses no cached user
 *  has, tried as user principal names. (With several source tenants, an address another tenant
 *  holds would be tried in vain every run; an address that is only the mail or a proxy address
 *  of a left-out user is not found by name either: `--full` reads those.) */
function namedButMissing(project: Project, cache: TenantCache): string[] {
  const scope = resolveWaveScope(project, cache.users.values(), cache.groups.values());
  const out: string[] = [];
  for (const id of scope.userIds) if (cache.users.get(id) === undefined) out.push(id);
  if (project.tenants.filter((t) => t.role === 'source').length === 1) {
    for (const a of waveAddresses(project)) if (a && !scope.resolved.has(a)) out.push(a);
  }
  return out;
}

/** A group (a delta item or a cached one) the project names by display name or mail. */
function isNamedGroup(g: { readonly displayName?: unknown; readonly mail?: unknown; readonly id: string }, named: { groups: Set<string> }): boolean {
  return named.groups.has(String(g.displayName ?? '').toLowerCase()) || named.groups.has(String(g.mail ?? '').toLowerCase());
}

/** The held items (groups deltaTimestamp would leave out) of the groups nested, at any depth, in a
 *  group the project names, each group's items in the order they came. The cache holds every
 *  group kept so far. */
function* nestedInNamedGroups(cache: TenantCache, held: ReadonlyMap<string, Record<string, unknown>[]>, named: { groups: Set<string> }): Generator<Record<string, unknown> & { id: string }> {
  if (held.size === 0) return;
  // a held group's nested groups, from its items
  const nestedOf = (id: string): readonly string[] => {
    let g: CachedGroup | undefined;
    held.get(id)!.forEach((item, i) => (g = applyGroupItem(g, item as Record<string, unknown> & { id: string }, i === 0)));
    return g!.nestedGroupIds;
  };
  const queue: string[] = [];
  for (const g of cache.groups.values()) if (isNamedGroup(g, named)) queue.push(...g.nestedGroupIds);
  const seen = new Set<string>();
  const admitted: string[] = [];
  while (queue.length) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    if (held.has(id)) {
      admitted.push(id);
      queue.push(...nestedOf(id));
    } else {
      const kept = cache.groups.get(id);
      if (kept) queue.push(...kept.nestedGroupIds);
    }
  }
  for (const id of admitted) for (const item of held.get(id)!) yield item as Record<string, unknown> & { id: string };
}

/** Group names the project refers to: never skipped by deltaTimestamp. */
function namedByProject(project: Project): { groups: Set<string> } {
  const groups = waveGroupNames(project);
  for (const g of project.groups) {
    groups.add(g.source.toLowerCase());
    groups.add(g.target.toLowerCase());
  }
  if (project.emailRewrite) {
    groups.add(project.emailRewrite.dayOneGroup.toLowerCase());
    groups.add(project.emailRewrite.dayTwoGroup.toLowerCase());
  }
  groups.delete('');
  return { groups };
}

/** Members of the waves whose cutoverAt is ahead by NEAR_CUTOVER_MS at most (none: no scan). */
function nearCutoverMembers(project: Project, cache: TenantCache, now: number): Set<string> {
  const waves = project.waves.filter((w) => {
    const at = w.schedule.cutoverAt ? Date.parse(w.schedule.cutoverAt) : NaN;
    return w.phase !== 'discovered' && at >= now && at - now <= NEAR_CUTOVER_MS;
  });
  return waves.length ? resolveWaveScope({ ...project, waves }, cache.users.values(), cache.groups.values()).userIds : new Set();
}

function noteWaveScope(ctx: RunContext, cache: TenantCache): Set<string> {
  const scope = resolveWaveScope(ctx.project, cache.users.values(), cache.groups.values());
  for (const a of scope.resolved) ctx.resolved.add(a);
  for (const id of scope.userIds) {
    const u = cache.users.get(id);
    if (u) ctx.waveMembers.push(u);
  }
  return scope.userIds;
}

async function readScope(
  ctx: RunContext,
  cache: TenantCache,
  client: DiscoveryClient,
  full: boolean,
  warnings: string[],
  onProgress: (pages: number, objects: number) => void,
): Promise<MigrationScope> {
  const ids = [...noteWaveScope(ctx, cache)].filter((id) => cache.users.get(id) !== undefined);
  const inScope = new Set(ids);
  // Sizes of users no longer in any wave are dropped.
  cache.content.deleteMissing(inScope);
  const mailboxes = new Map<string, CachedRecipient>();
  for (const r of cache.recipients.values()) if (r.type === 'UserMailbox' && r.userId) mailboxes.set(r.userId, r);
  const maxAge = ctx.options.contentMaxAgeMs ?? DAY;
  const now = Date.now();
  const near = nearCutoverMembers(ctx.project, cache, now);
  const nearAge = Math.min(maxAge, ctx.options.contentMaxAgeNearCutoverMs ?? HOUR);
  const due = ids.filter((id) => {
    const c = cache.content.get(id);
    return full || !c || now - Date.parse(c.readAt) > (near.has(id) ? nearAge : maxAge);
  });
  const state: ContentReadState = { warnings: new Set() };
  const unreadable: string[] = [];
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      throwIfAborted(ctx.options.signal);
      const userId = due[next++]!;
      try {
        const mailbox = mailboxes.get(userId);
        const size = await readContentSize(client, { userId, ...(mailbox ? { mailbox } : {}) }, state, new Date().toISOString());
        cache.content.put(userId, size);
      } catch (e) {
        unreadable.push(`${cache.users.get(userId)?.userPrincipalName ?? userId} (${(e as Error).message})`);
      }
      onProgress(++done, done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, due.length) }, worker));
  warnings.push(...state.warnings);
  if (unreadable.length) warnings.push(`content sizes of ${unreadable.length} user(s) could not be read: ${unreadable.slice(0, 3).join('; ')}`);

  let mbx = { count: 0, items: 0, bytes: 0 };
  let arc = { count: 0, items: 0, bytes: 0 };
  let od = { count: 0, items: 0, bytes: 0 };
  for (const id of ids) {
    const c = cache.content.get(id);
    const m = mailboxes.get(id);
    if (m) mbx = { count: mbx.count + 1, items: mbx.items + (c?.mailboxItems ?? 0), bytes: mbx.bytes + (c?.mailboxBytes ?? 0) };
    if (m?.archiveGuid) arc = { count: arc.count + 1, items: arc.items + (c?.archiveItems ?? 0), bytes: arc.bytes + (c?.archiveBytes ?? 0) };
    if (c && (c.driveBytes > 0 || c.driveItems > 0)) od = { count: od.count + 1, items: od.items + c.driveItems, bytes: od.bytes + c.driveBytes };
  }
  return {
    users: ids.length,
    mailboxes: totals(mbx.count, mbx.items, mbx.bytes),
    archives: totals(arc.count, arc.items, arc.bytes),
    onedrive: totals(od.count, od.items, od.bytes),
    unreadable: unreadable.length,
  };
}

function tenantInventory(tenant: Tenant, cache: TenantCache): TenantInventory {
  const meta = cache.users.store;
  const content = new Map<string, ReturnType<typeof contentView>>();
  for (const [id, c] of cache.content.store.entries()) content.set(id, contentView(c));
  return {
    tenant: tenant.name,
    tenantId: tenant.tenantId,
    discoveredAt: meta.getMeta('discoveredAt')!,
    // in the store's order (the order a plan visits them, see cache-order.ts); nothing depends on it
    users: cache.users.store.orderedValues(),
    groups: cache.groups.store.orderedValues().map((g: CachedGroup) => toInventoryGroup(g)),
    recipients: cache.recipients.store.orderedValues().map(toInventoryRecipient),
    skus: meta.getMeta('skus') ?? [],
    domains: meta.getMeta('domains') ?? [],
    content,
  };
}

/** What the inventory hash covers for one tenant: the collections' digests (maintained record by
 *  record) plus the small lists. Times of reading are left out, so a run that changed nothing
 *  keeps the hash. */
function tenantDigest(tenant: Tenant, cache: TenantCache): unknown {
  const hex = { users: cache.users.digestHex(), groups: cache.groups.digestHex(), recipients: cache.recipients.digestHex(), content: cache.content.digestHex() };
  return digestOf(tenant, hex, cache.users.store);
}

/** tenantDigest from a read-only view: the digests flushed with the collections (undefined when
 *  a collection holding records has none: such a cache is rediscovered, not trusted). */
function viewDigest(tenant: Tenant, view: TenantCacheView): unknown {
  const parts: Record<string, { size: number; interrupted: boolean; getMeta(key: 'digest'): string | undefined }> = {
    users: view.users,
    groups: view.groups,
    recipients: view.recipients,
    content: view.content,
  };
  const hex: Record<string, string> = {};
  for (const [name, c] of Object.entries(parts)) {
    // a crash stopped a compaction: the digest may not match the records (a discovery recomputes it)
    if (c.interrupted) return undefined;
    const d = c.getMeta('digest');
    if (typeof d === 'string') hex[name] = d;
    else if (c.size === 0) hex[name] = new Digest().hex();
    else return undefined;
  }
  return digestOf(tenant, hex, view.users);
}

function digestOf(tenant: Tenant, hex: Record<string, string>, meta: Pick<TenantCacheView['users'], 'getMeta'>): unknown {
  return {
    tenantId: tenant.tenantId,
    users: hex['users'],
    groups: hex['groups'],
    recipients: hex['recipients'],
    content: hex['content'],
    skus: meta.getMeta('skus') ?? [],
    domains: meta.getMeta('domains') ?? [],
  };
}

function inventoryHash(digests: Record<string, unknown>): string {
  return sha256(canonicalJson({ inventoryFormat: CACHE_FORMAT, tenants: digests }));
}

async function defaultClientFor(options: DiscoverOptions): Promise<(project: Project, tenant: Tenant) => DiscoveryClient> {
  // loaded when a tenant is contacted: msal-node, the Graph client and undici cost start-up time
  // that a plan from the cache (--offline) never needs
  const { createDiscoveryClient } = await import('./tenant-port.js');
  return (project, tenant) => createDiscoveryClient(project, tenant, { env: options.env, ...(options.signal ? { signal: options.signal } : {}) });
}

