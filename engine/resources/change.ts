// Small helpers the resource kinds share to build changes and read levels.
import type { Phase, Profile } from '../manifest/model.js';
import type { InventoryUser } from '../inventory/model.js';
import { desiredLevel } from './phase-table.js';
import { trimmed } from '../matching/normalize.js';
import type { ResourceChange, ResourceName, UserContext } from './types.js';

export function change(c: ResourceChange): ResourceChange {
  return c;
}

/** The phase table's level of a kind for this user's profile. */
export function levelFor(kind: ResourceName, user: UserContext, phase: Phase): string | null {
  return desiredLevel(kind, phase, user.profile.createAs);
}

/** The target is a B2B guest of a guest profile: one still to create (no target yet), or one not
 *  converted to a member yet. */
export function guestTarget(profile: Pick<Profile, 'createAs'>, target: Pick<InventoryUser, 'userType'> | undefined): boolean {
  return profile.createAs === 'guest' && (!target || target.userType === 'Guest');
}

/** How the executor finds the target user: its id when known, else the UPN it will have. */
export function targetIdentity(ref: { targetUserId: string | null; targetAddress: string }): string {
  return ref.targetUserId ?? ref.targetAddress;
}

export function smtp(address: string): string {
  return `SMTP:${address}`;
}

/** "smtp:a@x" / "SMTP:a@x" / "a@x" -> "a@x" (lower case), null stays null. */
export function bareAddress(a: string | null | undefined): string | null {
  if (!a) return null;
  const t = trimmed(a);
  // the prefix tested in place: lower-casing the whole address first would copy it (it runs for
  // every contact and mail user of a plan)
  const prefixed =
    t.length >= 5 &&
    t.charCodeAt(4) === 58 && // ':'
    (t.charCodeAt(0) | 32) === 115 && // s
    (t.charCodeAt(1) | 32) === 109 && // m
    (t.charCodeAt(2) | 32) === 116 && // t
    (t.charCodeAt(3) | 32) === 112; // p
  return (prefixed ? trimmed(t.slice(5)) : t).toLowerCase() || null;
}
