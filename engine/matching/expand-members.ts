// Wave members -> source users. Addresses (manifest list and CSV) resolve by UPN, mail or smtp
// proxy address, case and whitespace insensitive; source groups expand to their members, those of
// the groups nested in them included. spec.safety.exclude removes users (by address or by group)
// before anything else.
import type { Wave } from '../manifest/model.js';
import type { InventoryUser } from '../inventory/model.js';
import { groupClosure } from './group-closure.js';
import { normAddress, withoutPlusTag } from './normalize.js';
import { allOf, type TenantIndex } from './tenant-index.js';

export interface SourceTenantIndex {
  readonly name: string; // the manifest's tenant name
  readonly index: TenantIndex;
}

export interface WaveMember {
  readonly user: InventoryUser;
  readonly sourceTenant: string;
  /** How the user came in: "users", "csv" or "group:<name>". */
  readonly via: string;
  /** "tenant:id", the user's key in claims, exclusions and orphan checks (built once). */
  readonly key: string;
}

export interface UnresolvedAddress {
  readonly address: string;
  readonly via: string;
  readonly reason: string;
  /** What the member probably meant (alice+tag@ when alice@ is a source user); not part of the
   *  reason, so that warnings still go by reason. */
  readonly hint?: string;
}

export interface ExpandedWave {
  readonly members: WaveMember[];
  readonly unresolved: UnresolvedAddress[];
  /** Members removed by spec.safety.exclude (as "tenant:id"). */
  readonly excluded: WaveMember[];
}

/** Source user keys ("tenant:id") that spec.safety.exclude names, directly or through a group.
 *  A name several groups share excludes the members of all of them (the safe side), and `warn`
 *  says so. */
export function excludedUserKeys(exclude: readonly string[], sources: readonly SourceTenantIndex[], warn: (message: string) => void = () => {}): Set<string> {
  const out = new Set<string>();
  for (const raw of exclude) {
    const e = normAddress(raw);
    let groups = 0;
    for (const s of sources) {
      for (const u of allOf(s.index.usersByAddress.get(e))) out.add(`${s.name}:${u.id}`);
      const named = s.index.groupsByName.get(e) ?? [];
      groups += named.length;
      for (const g of groupClosure(named, (id) => s.index.groupById.get(id))) for (const id of g.memberIds) out.add(`${s.name}:${id}`);
    }
    if (groups > 1) warn(`spec.safety.exclude '${raw.trim()}' names ${groups} source groups: the members of all of them are excluded; name the group by its mail address to exclude one`);
  }
  return out;
}

/** For an address no source user has: when it carries a +tag and the address without it is a source
 *  user's, say so (a few lookups, made for unresolved addresses only). */
function plusTagHint(address: string, sources: readonly SourceTenantIndex[]): { hint?: string } {
  const base = withoutPlusTag(address);
  if (base === undefined || !sources.some((s) => s.index.usersByAddress.has(base))) return {};
  return { hint: `did you mean ${base}? plus-addressing is not folded` };
}

export function expandWaveMembers(
  wave: Wave,
  sources: readonly SourceTenantIndex[],
  excluded: ReadonlySet<string> = new Set(),
): ExpandedWave {
  const members: WaveMember[] = [];
  const out: WaveMember[] = [];
  const unresolved: UnresolvedAddress[] = [];
  // by the user record itself: one record per tenant and id, so the same as by "tenant:id", without
  // hashing 100,000 concatenated keys
  const seen = new Set<InventoryUser>();
  const add = (m: WaveMember) => {
    if (seen.has(m.user)) return;
    seen.add(m.user);
    (excluded.size > 0 && excluded.has(m.key) ? out : members).push(m);
  };
  const resolveAddress = (raw: string, via: string) => {
    const address = normAddress(raw);
    if (!address) return;
    // one source tenant holding one user is the common case: no candidate list for it
    let only: InventoryUser | undefined;
    let onlyTenant = '';
    let count = 0;
    for (const s of sources) {
      const users = s.index.usersByAddress.get(address);
      if (users === undefined) continue;
      count += Array.isArray(users) ? users.length : 1;
      if (count === 1) {
        only = users as InventoryUser;
        onlyTenant = s.name;
      }
    }
    if (count === 1) {
      add({ user: only!, sourceTenant: onlyTenant, via, key: `${onlyTenant}:${only!.id}` });
      return;
    }
    const hits: WaveMember[] = [];
    for (const s of sources) for (const u of allOf(s.index.usersByAddress.get(address))) hits.push({ user: u, sourceTenant: s.name, via, key: `${s.name}:${u.id}` });
    if (hits.length === 1) add(hits[0]!);
    else if (hits.length === 0) unresolved.push({ address, via, reason: 'no source user has this UPN, mail or proxy address', ...plusTagHint(address, sources) });
    else unresolved.push({ address, via, reason: `ambiguous: ${hits.length} source users carry this address (${hits.map((h) => h.user.userPrincipalName).sort().join(', ')})` });
  };
  for (const a of wave.members.users) resolveAddress(a, 'users');
  for (const a of wave.members.csvUsers) resolveAddress(a, 'csv');
  for (const raw of wave.members.groups) {
    const name = normAddress(raw);
    const groups = sources.flatMap((s) => (s.index.groupsByName.get(name) ?? []).map((g) => ({ g, s })));
    if (groups.length === 0) {
      unresolved.push({ address: raw, via: 'groups', reason: 'no source group has this name or mail' });
      continue;
    }
    // two groups of one name: which one the wave means is not guessed (as for an address)
    if (groups.length > 1) {
      const which = groups.map(({ g, s }) => `${g.displayName}${g.mail ? ` <${g.mail}>` : ''} (${s.name}, id ${g.id}, ${g.memberIds.length} members)`).join('; ');
      unresolved.push({ address: raw, via: 'groups', reason: `ambiguous: ${groups.length} source groups have this name or mail: ${which}; name the group by its mail address, or list its members` });
      continue;
    }
    const { g, s } = groups[0]!;
    const via = `group:${g.displayName}`;
    for (const member of groupClosure([g], (id) => s.index.groupById.get(id))) {
      for (const id of member.memberIds) {
        const u = s.index.userById.get(id);
        if (u) add({ user: u, sourceTenant: s.name, via, key: `${s.name}:${u.id}` });
      }
    }
  }
  return { members, unresolved, excluded: out };
}
