// Address normalisation shared by matching, indexing and the resource kinds.
// Tenants return addresses in any case and sometimes with stray whitespace; comparisons never care.
import type { InventoryUser } from '../inventory/model.js';

/** s.trim(), without a copy when there is nothing to trim (V8's trim always copies, and this runs
 *  for every address of a 100,000-user plan). Printable ASCII at both ends is never whitespace. */
export function trimmed(s: string): string {
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(s.length - 1);
  return a > 32 && a < 127 && b > 32 && b < 127 ? s : s.trim();
}

export function normAddress(s: string): string {
  return trimmed(s).toLowerCase();
}

/** 'alice+tag@x' -> 'alice@x': the local part cut at its first '+'; undefined when there is no such
 *  tag. Matching does not fold plus-addressing (an address with '+' may be a real one): this only
 *  names what a member that resolves to nobody probably meant. */
export function withoutPlusTag(address: string): string | undefined {
  const plus = address.indexOf('+');
  if (plus <= 0) return undefined;
  const at = address.lastIndexOf('@');
  return at > plus ? address.slice(0, plus) + address.slice(at) : undefined;
}

/** "SMTP:a@x" / "smtp:a@x" -> "a@x"; other address types (X500:, SIP:) -> undefined. */
export function smtpOf(proxy: string): string | undefined {
  const p = trimmed(proxy);
  if (p.length > 5 && p.slice(0, 5).toLowerCase() === 'smtp:') return trimmed(p.slice(5)).toLowerCase();
  return undefined;
}

/** Every address a user can be named by: UPN, mail, smtp proxy addresses (normalised, unique). */
export function userAddresses(u: InventoryUser): string[] {
  const out: string[] = [normAddress(u.userPrincipalName)];
  if (u.mail) {
    const m = normAddress(u.mail);
    if (!out.includes(m)) out.push(m);
  }
  for (const p of u.proxyAddresses) {
    const a = smtpOf(p);
    if (a && !out.includes(a)) out.push(a);
  }
  return out;
}

/** The address a plan shows a source user by, and names it by in its changes: mail, else UPN. */
export function shownAddress(u: InventoryUser): string {
  return (u.mail ? normAddress(u.mail) : '') || normAddress(u.userPrincipalName);
}

/** The primary SMTP address of a user: the SMTP: proxy, else mail, else UPN. */
export function primarySmtp(u: InventoryUser): string {
  for (const p of u.proxyAddresses) if (p.startsWith('SMTP:')) return normAddress(p.slice(5));
  return normAddress(u.mail ?? u.userPrincipalName);
}

/** A user attribute by its Graph property name, top-level fields first. */
export function userAttribute(u: InventoryUser, name: string): string | null {
  switch (name) {
    case 'id':
      return u.id;
    case 'userPrincipalName':
      return u.userPrincipalName;
    case 'mail':
      return u.mail;
    case 'displayName':
      return u.displayName;
    case 'userType':
      return u.userType;
    case 'usageLocation':
      return u.usageLocation;
    default:
      return u.attributes[name] ?? null;
  }
}

export function localPart(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at);
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : trimmed(address.slice(at + 1)).toLowerCase();
}
