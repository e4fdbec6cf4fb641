// Small helpers the resource kinds share to build changes and read levels.
import type { Phase } from '../manifest/model.js';
import { desiredLevel } from './phase-table.js';
import type { ResourceChange, ResourceName, UserContext } from './types.js';

export function change(c: ResourceChange): ResourceChange {
  return c;
}

/** The phase table's level of a kind for this user's profile. */
export function levelFor(kind: ResourceName, user: UserContext, phase: Phase): string | null {
  return desiredLevel(kind, phase, user.profile.createAs);
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
  const t = a.trim();
  return (t.toLowerCase().startsWith('smtp:') ? t.slice(5) : t).trim().toLowerCase() || null;
}
