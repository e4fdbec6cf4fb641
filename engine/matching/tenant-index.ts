// One pass over a tenant's inventory builds every lookup the planner needs, so matching and the
// resource kinds never scan the inventory per user (100,000 users must plan in seconds).
import type { InventoryGroup, InventoryRecipient, InventoryUser, TenantInventory } from '../inventory/model.js';
import { normAddress, smtpOf, userAddresses, userAttribute } from './normalize.js';

export const CONTACT_TAG_PREFIX = 't2t:';

/** An index entry: the one object under a key, or the list when several share it (which callers
 *  report as ambiguity). One array per key for 100,000 users was 200,000 arrays per plan. */
export type OneOrMany<V> = V | V[];

/** The objects under an index entry, as a list. */
export function allOf<V extends object>(entry: OneOrMany<V> | undefined): readonly V[] {
  return entry === undefined ? [] : Array.isArray(entry) ? entry : [entry];
}

function addTo<V extends object>(m: Map<string, OneOrMany<V>>, k: string, v: V): void {
  const e = m.get(k);
  if (e === undefined) m.set(k, v);
  else if (Array.isArray(e)) {
    if (!e.includes(v)) e.push(v);
  } else if (e !== v) m.set(k, [e, v]);
}

export interface TenantIndex {
  readonly tenant: TenantInventory;
  readonly userById: Map<string, InventoryUser>;
  /** Lower-case UPN, mail and smtp proxy address -> users (several: ambiguity). */
  readonly usersByAddress: ReadonlyMap<string, OneOrMany<InventoryUser>>;
  /** Marker sourceUserId -> target users carrying it. */
  readonly usersByMarker: ReadonlyMap<string, OneOrMany<InventoryUser>>;
  /** Guests: lower-case UPN part before '#EXT#' -> guests. */
  readonly guestsByExtLocal: Map<string, InventoryUser[]>;
  readonly groupsByName: Map<string, InventoryGroup[]>;
  readonly groupById: Map<string, InventoryGroup>;
  /** User id -> groups it is a direct member of. */
  readonly groupsOfUser: Map<string, InventoryGroup[]>;
  /** Mailbox or mail user of a directory user, by user id. */
  readonly recipientByUserId: Map<string, InventoryRecipient>;
  /** Mail contacts tagged by t2t (CustomAttribute15 "t2t:<source user id>"), by that source user
   *  id: looked up with the user's own id string, no tag built and hashed per lookup. */
  readonly contactBySourceUser: Map<string, InventoryRecipient>;
  readonly skuByPartNumber: Map<string, { skuId: string; skuPartNumber: string; enabled: number; consumed: number }>;
  readonly skuById: Map<string, { skuId: string; skuPartNumber: string }>;
  /** Lazily built: attribute name -> normalised value -> users. */
  usersByAttribute(name: string): Map<string, InventoryUser[]>;
  /** Lazily built member sets, for membership checks without scanning. */
  memberSet(group: InventoryGroup): Set<string>;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) {
    if (!l.includes(v)) l.push(v);
  } else m.set(k, [v]);
}

/** userById and usersByAddress, one pass over the users. */
function userLookups(tenant: TenantInventory): { userById: Map<string, InventoryUser>; usersByAddress: Map<string, OneOrMany<InventoryUser>> } {
  const userById = new Map<string, InventoryUser>();
  const usersByAddress = new Map<string, OneOrMany<InventoryUser>>();
  // indexed loops over 100,000 users: a for-of allocates an iterator result per step until the
  // loop is optimised
  const users = tenant.users;
  for (let i = 0; i < users.length; i++) {
    const u = users[i]!;
    userById.set(u.id, u);
    // userAddresses(u), without the list: UPN, mail, smtp proxies (a user is pushed once per
    // address). Mail and the primary proxy usually repeat the UPN: a string compare is cheaper
    // than hashing the copy and probing the map again.
    const upn = normAddress(u.userPrincipalName);
    addTo(usersByAddress, upn, u);
    const mail = u.mail ? normAddress(u.mail) : upn;
    if (mail !== upn) addTo(usersByAddress, mail, u);
    const proxies = u.proxyAddresses;
    for (let j = 0; j < proxies.length; j++) {
      const a = smtpOf(proxies[j]!);
      if (a && a !== upn && a !== mail) addTo(usersByAddress, a, u);
    }
  }
  return { userById, usersByAddress };
}

/** A recipient's key in recipientByUserId (a mailbox or mail user: its user's id) or in
 *  contactBySourceUser (a contact t2t tagged: the source user's id); undefined for the others. */
function recipientKeyOf(r: InventoryRecipient): string | undefined {
  if (r.type !== 'MailContact') return r.userId || undefined;
  return r.customAttribute15?.startsWith(CONTACT_TAG_PREFIX) ? r.customAttribute15.slice(CONTACT_TAG_PREFIX.length) : undefined;
}

/** Of two recipients under one key (a mail user and the mailbox it is becoming, two contacts
 *  tagged for one source user), whether `r` is the one kept, whatever order the cache holds them
 *  in (the plan depends on the tenants' data only): a mailbox before a mail user, then the
 *  greater identity. */
function preferred(r: InventoryRecipient, than: InventoryRecipient): boolean {
  if (r === than) return false;
  if (r.type !== than.type) return r.type === 'UserMailbox';
  return r.identity > than.identity;
}

export function indexTenant(tenant: TenantInventory): TenantIndex {
  // by id and by address: built when first asked (a plan asks of source tenants only, so the
  // target's 100,000 users are not indexed twice for nothing)
  let lookups: ReturnType<typeof userLookups> | undefined;
  const usersByMarker = new Map<string, OneOrMany<InventoryUser>>();
  const guestsByExtLocal = new Map<string, InventoryUser[]>();
  const users = tenant.users;
  for (let i = 0; i < users.length; i++) {
    const u = users[i]!;
    if (u.marker) addTo(usersByMarker, u.marker.sourceUserId, u);
    if (u.userType === 'Guest') {
      const upn = normAddress(u.userPrincipalName);
      const ext = upn.indexOf('#ext#');
      if (ext > 0) push(guestsByExtLocal, upn.slice(0, ext), u);
    }
  }
  const groupsByName = new Map<string, InventoryGroup[]>();
  const groupById = new Map<string, InventoryGroup>();
  const groupsOfUser = new Map<string, InventoryGroup[]>();
  for (const g of tenant.groups) {
    groupById.set(g.id, g);
    push(groupsByName, normAddress(g.displayName), g);
    if (g.mail && normAddress(g.mail) !== normAddress(g.displayName)) push(groupsByName, normAddress(g.mail), g);
    for (const id of g.memberIds) {
      const l = groupsOfUser.get(id);
      if (l) l.push(g);
      else groupsOfUser.set(id, [g]);
    }
  }
  const recipientByUserId = new Map<string, InventoryRecipient>();
  const contactBySourceUser = new Map<string, InventoryRecipient>();
  const recipients = tenant.recipients;
  // a key set twice leaves the map's size as it was: such keys (rare) are settled after the loop,
  // so that the common case costs one map operation per recipient
  let twice = false;
  for (let i = 0; i < recipients.length; i++) {
    const r = recipients[i]!;
    const key = recipientKeyOf(r);
    if (key === undefined) continue;
    const m = r.type === 'MailContact' ? contactBySourceUser : recipientByUserId;
    const before = m.size;
    if (m.set(key, r).size === before) twice = true;
  }
  if (twice) {
    for (let i = 0; i < recipients.length; i++) {
      const r = recipients[i]!;
      const key = recipientKeyOf(r);
      if (key === undefined) continue;
      const m = r.type === 'MailContact' ? contactBySourceUser : recipientByUserId;
      if (preferred(r, m.get(key)!)) m.set(key, r);
    }
  }
  const skuByPartNumber = new Map<string, { skuId: string; skuPartNumber: string; enabled: number; consumed: number }>();
  const skuById = new Map<string, { skuId: string; skuPartNumber: string }>();
  for (const s of tenant.skus) {
    skuByPartNumber.set(s.skuPartNumber.toUpperCase(), s);
    skuById.set(s.skuId, s);
  }
  const byAttr = new Map<string, Map<string, InventoryUser[]>>();
  const members = new Map<string, Set<string>>();
  return {
    tenant,
    get userById() {
      return (lookups ??= userLookups(tenant)).userById;
    },
    get usersByAddress() {
      return (lookups ??= userLookups(tenant)).usersByAddress;
    },
    usersByMarker,
    guestsByExtLocal,
    groupsByName,
    groupById,
    groupsOfUser,
    recipientByUserId,
    contactBySourceUser,
    skuByPartNumber,
    skuById,
    usersByAttribute(name) {
      let m = byAttr.get(name);
      if (!m) {
        m = new Map();
        for (const u of tenant.users) {
          if (name === 'proxyAddresses') {
            for (const a of userAddresses(u)) push(m, a, u);
            continue;
          }
          const v = userAttribute(u, name);
          if (v !== null && v.trim() !== '') push(m, normAddress(v), u);
        }
        byAttr.set(name, m);
      }
      return m;
    },
    memberSet(group) {
      let s = members.get(group.id);
      if (!s) {
        s = new Set(group.memberIds);
        members.set(group.id, s);
      }
      return s;
    },
  };
}

export function contactTag(sourceUserId: string): string {
  return CONTACT_TAG_PREFIX + sourceUserId;
}
