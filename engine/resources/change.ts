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

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** [start, end) of bareAddress(s) in s, for an ASCII s; undefined otherwise (then the caller
 *  takes the long way: String#trim and #toLowerCase know more than ASCII). */
function bareBounds(s: string): [number, number] | undefined {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return undefined;
  let start = 0;
  let end = s.length;
  while (start < end && isAsciiSpace(s.charCodeAt(start))) start++;
  while (end > start && isAsciiSpace(s.charCodeAt(end - 1))) end--;
  if (
    end - start >= 5 &&
    (s.charCodeAt(start) | 32) === 115 && // s
    (s.charCodeAt(start + 1) | 32) === 109 && // m
    (s.charCodeAt(start + 2) | 32) === 116 && // t
    (s.charCodeAt(start + 3) | 32) === 112 && // p
    s.charCodeAt(start + 4) === 58 // :
  ) {
    start += 5;
    while (start < end && isAsciiSpace(s.charCodeAt(start))) start++;
  }
  return [start, end];
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** bareAddress(a) === bareAddress(b), without building either string (the diffs compare
 *  addresses of every user of a plan, and they mostly agree). */
export function sameBareAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return bareAddress(a) === bareAddress(b);
  const x = bareBounds(a);
  const y = bareBounds(b);
  if (!x || !y) return bareAddress(a) === bareAddress(b);
  const n = x[1] - x[0];
  if (n !== y[1] - y[0]) return false; // both empty (null) counts as equal below
  for (let i = 0; i < n; i++) if (lowerAscii(a.charCodeAt(x[0] + i)) !== lowerAscii(b.charCodeAt(y[0] + i))) return false;
  return true;
}
