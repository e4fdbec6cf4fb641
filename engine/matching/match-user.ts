// Pairs one source user with its target object. Order of evidence:
//   1. the marker (dev.t2t.migration, sourceUserId): t2t recognises its own prior work first;
//   2. the project's ordered rules: the first rule that finds exactly one target object wins, a
//      rule that finds several stops matching as ambiguous (never guessed);
//   3. for guest profiles, the guest rule (see guestKey).
// A target carrying the marker of ANOTHER source user is a conflict, never adopted.
import type { DomainMapping, MatchingRule } from '../manifest/model.js';
import type { InventoryUser } from '../inventory/model.js';
import { mapDomain } from './map-domain.js';
import { domainOf, normAddress, userAddresses, userAttribute } from './normalize.js';
import { allOf, type TenantIndex } from './tenant-index.js';

export type MatchStatus = 'matched' | 'unmatched' | 'ambiguous' | 'conflict';

export interface MatchResult {
  readonly source: InventoryUser;
  readonly sourceTenant: string;
  readonly target?: InventoryUser;
  readonly status: MatchStatus;
  /** "marker", "mail->mail (mapDomain)", "guest", ... */
  readonly rule?: string;
  readonly reason?: string;
  /** Ambiguous and conflicting matches: the target UPNs involved. */
  readonly candidates?: readonly string[];
  /** Unmatched, but creating a target would be unsafe (guest matching impossible): plan refuses the user. */
  readonly refused?: boolean;
}

export interface MatchOptions {
  readonly rules: readonly MatchingRule[];
  readonly domains: readonly DomainMapping[];
  /** The wave's profile creates guests: the guest rule applies. */
  readonly guest: boolean;
}

export function ruleName(r: MatchingRule): string {
  return `${r.source}->${r.target}${r.mapDomain ? ' (mapDomain)' : ''}`;
}

/**
 * The guest lookup key: the mapped address with '@' replaced by '_' (the UPN part before #EXT#).
 * reference/power365/002 ("How does matching work for Guest Users?"): the local portion is matched
 * to the guest format where '@' is replaced with '_' before '#EXT#', and "the matching of the
 * domain portion ... is controlled based off the domain mapping ... If no domain mapping has been
 * configured then matching on guest users will not work". A pre-mapping address would need no
 * mapping at all, so the POST-mapping address is used: alice@contoso.com with contoso.com ->
 * fabrikam.com looks for alice_fabrikam.com#EXT#@... . Returns null when no mapping covers it.
 *
 * Guests that t2t invites itself are invited by their SOURCE address (the mailbox they still use),
 * so Entra names them alice_contoso.com#EXT#@...: guestKeys() therefore tries the mapped form
 * first, then the source form, both only for a domain the mapping covers.
 */
export function guestKey(address: string, domains: readonly DomainMapping[]): string | null {
  const mapped = mapDomain(address, domains);
  return mapped === null ? null : mapped.replace('@', '_');
}

/** The guest lookup keys in order of preference: the mapped form, then the source form. */
export function guestKeys(address: string, domains: readonly DomainMapping[]): string[] {
  const mapped = guestKey(address, domains);
  return mapped === null ? [] : [...new Set([mapped, address.replace('@', '_')])];
}

function sourceValues(u: InventoryUser, attr: string): string[] {
  if (attr === 'proxyAddresses') return userAddresses(u);
  const v = userAttribute(u, attr);
  return v === null || v.trim() === '' ? [] : [normAddress(v)];
}

/** The candidates' UPNs, sorted: a report that does not depend on the order the cache holds the
 *  users in. */
function upns(users: Iterable<InventoryUser>): string[] {
  return [...users].map((u) => u.userPrincipalName).sort();
}

function checkConflict(source: InventoryUser, sourceTenant: string, t: InventoryUser, rule: string): MatchResult {
  const m = t.marker;
  if (m && (m.sourceUserId !== source.id || (m.sourceTenant && m.sourceTenant !== sourceTenant))) {
    return {
      source,
      sourceTenant,
      status: 'conflict',
      rule,
      candidates: [t.userPrincipalName],
      reason: `target ${t.userPrincipalName} (found by rule ${rule}) already carries the marker of another source user (${m.sourceTenant}:${m.sourceUserId}, wave ${m.wave})`,
    };
  }
  return { source, sourceTenant, target: t, status: 'matched', rule };
}

const ruleNames = new WeakMap<MatchingRule, string>();

/** ruleName, once per rule object (it names every match of 100,000 users). */
function cachedRuleName(r: MatchingRule): string {
  let n = ruleNames.get(r);
  if (n === undefined) ruleNames.set(r, (n = ruleName(r)));
  return n;
}

/** The distinct target users the values find in the index, in the order found (a Set's order),
 *  without a set or list for the common zero- and one-hit cases. */
function lookup(index: Map<string, InventoryUser[]>, values: readonly string[]): InventoryUser[] {
  let first: InventoryUser | undefined;
  let more: InventoryUser[] | undefined;
  for (const v of values) {
    const hits = index.get(v);
    if (!hits) continue;
    for (const t of hits) {
      if (first === undefined) first = t;
      else if (t !== first && !more?.includes(t)) (more ??= [first]).push(t);
    }
  }
  return more ?? (first === undefined ? NONE : [first]);
}
const NONE: InventoryUser[] = [];

/** Whether a target user's marker is for a user of this source tenant (a marker naming no source
 *  tenant counts for every one). */
function markedFrom(t: InventoryUser, sourceTenant: string): boolean {
  const tenant = t.marker!.sourceTenant;
  return !tenant || tenant === sourceTenant;
}

export function matchUser(source: InventoryUser, sourceTenant: string, target: TenantIndex, opts: MatchOptions): MatchResult {
  const entry = target.usersByMarker.get(source.id);
  // one marked target user is the common case: no list for it
  if (entry !== undefined && !Array.isArray(entry) && markedFrom(entry, sourceTenant)) {
    return { source, sourceTenant, target: entry, status: 'matched', rule: 'marker' };
  }
  const byMarker = allOf(entry);
  let markedOnly: InventoryUser | undefined;
  let markedCount = 0;
  if (byMarker.length) {
    for (const t of byMarker) {
      if (!markedFrom(t, sourceTenant)) continue;
      markedCount++;
      markedOnly ??= t;
    }
  }
  if (markedCount === 1) return { source, sourceTenant, target: markedOnly, status: 'matched', rule: 'marker' };
  if (markedCount > 1) {
    const marked = byMarker.filter((t) => markedFrom(t, sourceTenant));
    return {
      source,
      sourceTenant,
      status: 'ambiguous',
      rule: 'marker',
      candidates: upns(marked),
      reason: `${marked.length} target users carry the marker of this source user: ${upns(marked).join(', ')}`,
    };
  }
  for (const r of opts.rules) {
    const name = cachedRuleName(r);
    let values = sourceValues(source, r.source);
    if (r.mapDomain) values = values.map((v) => mapDomain(v, opts.domains)).filter((v): v is string => v !== null);
    const found = lookup(target.usersByAttribute(r.target), values);
    if (found.length === 1) return checkConflict(source, sourceTenant, found[0]!, name);
    if (found.length > 1) {
      return {
        source,
        sourceTenant,
        status: 'ambiguous',
        rule: name,
        candidates: upns(found),
        reason: `rule ${name} finds ${found.length} target objects: ${upns(found).join(', ')}`,
      };
    }
  }
  if (opts.guest) {
    const addresses = [source.mail, source.userPrincipalName].filter((a): a is string => !!a).map(normAddress);
    // tier 0: mapped forms of every address; tier 1: source forms (see guestKeys)
    const tiers: [Set<string>, Set<string>] = [new Set(), new Set()];
    for (const a of addresses) guestKeys(a, opts.domains).forEach((k, i) => tiers[i]!.add(k));
    if (tiers[0].size === 0) {
      const domains = [...new Set(addresses.map(domainOf))].join(', ');
      return {
        source,
        sourceTenant,
        status: 'unmatched',
        rule: 'guest',
        refused: true,
        reason: `guest matching refused: no domain mapping for ${domains} in spec.domains (guest matching needs the mapping; add one or use a member profile)`,
      };
    }
    const found = new Set<InventoryUser>();
    for (const keys of tiers) {
      for (const k of keys) for (const t of target.guestsByExtLocal.get(k) ?? []) found.add(t);
      if (found.size > 0) break;
    }
    if (found.size === 1) return checkConflict(source, sourceTenant, [...found][0]!, 'guest');
    if (found.size > 1) {
      return {
        source,
        sourceTenant,
        status: 'ambiguous',
        rule: 'guest',
        candidates: upns(found),
        reason: `guest rule finds ${found.size} target guests: ${upns(found).join(', ')}`,
      };
    }
  }
  return { source, sourceTenant, status: 'unmatched', reason: 'no matching rule found a target object' };
}
