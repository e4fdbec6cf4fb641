// Two source users that would become one target user: both matched by a rule to the same target
// user (alice@contoso.com and alice@contoso.co.uk, both domains mapped to fabrikam.com; or two
// source tenants), or both to be created under the same UPN. Which of them the target user is, is
// not guessed (SPEC section 2): each is refused, naming the others. Planned as they came, the
// first would be adopted (or created) and the second's steps would land on the same account,
// its marker replacing the first's.
//
// A target user carries the marker of one source user, so a match by marker never collides
// (another user matched to a marked target by a rule is already a conflict: match-user.ts).
//
// A user to be created under an address (userPrincipalName or mail) that a target user already
// has, as UPN, mail or proxy address, is refused too (Blocked/AddressTaken): the matching rules did
// not find that user for it, so whether it is the same person is not guessed. Planned, the create
// would fail on the taken address, or (a UPN) apply would take the "already exists" for a lost
// answer and adopt the account the rules did not pick.
import type { Project } from '../manifest/model.js';
import type { InventoryUser } from '../inventory/model.js';
import type { ExpandedWave } from '../matching/expand-members.js';
import { matchUser, type MatchResult } from '../matching/match-user.js';
import { normAddress, shownAddress } from '../matching/normalize.js';
import { allOf, type TenantIndex } from '../matching/tenant-index.js';
import { mapAttributes } from '../resources/target-user/attributes.js';

export interface TargetCollisions {
  /** Wave -> the match of each of its members (by index in its expanded members; undefined for
   *  a member another wave claims), for the waves past discovered: the planning pass reuses them. */
  readonly matches: Map<string, (MatchResult | undefined)[]>;
  /** Source user -> why it is refused (reason: SameTarget or AddressTaken). */
  readonly refusals: Map<InventoryUser, { readonly reason: string; readonly message: string }>;
}

/** Names shown of the other users of one collision. */
const OTHERS_SHOWN = 5;

interface Claimant {
  readonly user: InventoryUser;
  readonly wave: string;
}

export function targetCollisions(
  project: Project,
  expanded: ReadonlyMap<string, ExpandedWave>,
  claim: ReadonlyMap<InventoryUser, string>,
  targetIndex: TenantIndex,
): TargetCollisions {
  const matches = new Map<string, (MatchResult | undefined)[]>();
  const taken = new Map<InventoryUser, { address: string; holders: readonly InventoryUser[] }>();
  // a target user record (matched by a rule) or 'create:<address>' -> the users that would be it
  const byTarget = new Map<InventoryUser | string, Claimant[]>();
  const note = (key: InventoryUser | string, c: Claimant) => {
    const list = byTarget.get(key);
    if (list) list.push(c);
    else byTarget.set(key, [c]);
  };
  for (const wave of project.waves) {
    // a wave at discovered adopts and creates nothing
    if (wave.phase === 'discovered') continue;
    const profile = project.profiles[wave.profile];
    if (!profile) continue;
    const options = { rules: project.matching, domains: project.domains, guest: profile.createAs === 'guest' };
    const members = expanded.get(wave.name)?.members ?? [];
    const waveMatches: (MatchResult | undefined)[] = new Array(members.length);
    matches.set(wave.name, waveMatches);
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (claim.get(m.user) !== wave.name) continue;
      const match = matchUser(m.user, m.sourceTenant, targetIndex, options);
      waveMatches[i] = match;
      if (match.status === 'matched' && match.target && match.rule !== 'marker') note(match.target, { user: m.user, wave: wave.name });
      // a guest's account is named after the source address (unique), a member's by the mapping
      else if (match.status === 'unmatched' && !match.refused && profile.createAs !== 'guest') {
        const c = { user: m.user, wave: wave.name };
        const attributes = mapAttributes(project.attributes, project.domains, m.user);
        const upn = normAddress(attributes['userPrincipalName'] ?? m.user.userPrincipalName);
        const mail = attributes['mail'] ? normAddress(attributes['mail']) : upn;
        note(`create:${upn}`, c);
        if (mail !== upn) note(`create:${mail}`, c);
        // (the target's address index is built only when some user is to be created)
        const holder = heldBy(targetIndex, upn) ?? (mail !== upn ? heldBy(targetIndex, mail) : undefined);
        if (holder) taken.set(m.user, holder);
      }
    }
  }
  const refusals = new Map<InventoryUser, { reason: string; message: string }>();
  for (const [key, list] of byTarget) {
    if (list.length < 2) continue;
    for (const c of list) refusals.set(c.user, { reason: 'SameTarget', message: reason(key, c, list) });
  }
  // a taken address says more than a collision with another create of it
  for (const [user, { address, holders }] of taken) {
    const named = holders.map((t) => `${t.userPrincipalName} (${addressRole(t, address)})`).join(', ');
    refusals.set(user, {
      reason: 'AddressTaken',
      message: `would be created as ${address}, which target user ${named} already has, and no matching rule finds that user for it: whether it is this user is not guessed; add a rule that finds it (spec.matching), or map userPrincipalName and mail to a free address (spec.attributes, spec.domains)`,
    });
  }
  return { matches, refusals };
}

/** The target users that already have an address (UPN, mail or smtp proxy), or undefined. */
function heldBy(index: TenantIndex, address: string): { address: string; holders: readonly InventoryUser[] } | undefined {
  const holders = allOf(index.usersByAddress.get(address));
  return holders.length ? { address, holders } : undefined;
}

/** How a target user has an address: "userPrincipalName", "mail" or "proxy address". */
function addressRole(u: InventoryUser, address: string): string {
  if (normAddress(u.userPrincipalName) === address) return 'userPrincipalName';
  if (u.mail && normAddress(u.mail) === address) return 'mail';
  return 'proxy address';
}

function reason(key: InventoryUser | string, self: Claimant, all: readonly Claimant[]): string {
  const others = all.filter((c) => c !== self);
  const named = others.slice(0, OTHERS_SHOWN).map((c) => `${shownAddress(c.user)} (${c.wave})`);
  if (others.length > OTHERS_SHOWN) named.push(`${others.length - OTHERS_SHOWN} more`);
  const also = named.join(', ');
  if (typeof key === 'string') {
    return `would be created as ${key.slice('create:'.length)}, as ${also} would: one target user cannot be two source users; map their userPrincipalName to different target addresses (spec.attributes, spec.domains)`;
  }
  return `the matching rules find target user ${key.userPrincipalName} for it and for ${also}: which of them it is, is not guessed; make the rules tell them apart (spec.matching, spec.domains)`;
}

