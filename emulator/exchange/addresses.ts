// EmailAddresses parameters: a full list (replacement) or {"@odata.type":"#Exchange.GenericHashTable",
// "Add":[…],"Remove":[…]}; uniqueness of SMTP and X500 proxies against every other recipient and
// LegacyExchangeDN (why the cutover must clear the target contact's LegacyExchangeDN before that DN
// can become an X500 address of the target user).
import { getUser } from '../store/directory-state.js';
import { addressesOf, liveRecipients, setAddresses, type Recipient } from '../store/exchange-state.js';
import type { TenantState } from '../store/tenant-state.js';
import { invalidParameter, proxyInUse } from './exchange-errors.js';

/** "x@y" -> "smtp:x@y"; prefixes kept (SMTP: primary, smtp:, X500:, x500:, SIP:…). */
export function normaliseAddress(a: string): string {
  const m = /^([A-Za-z0-9]+):(.*)$/.exec(a.trim());
  if (!m) return `smtp:${a.trim()}`;
  const prefix = m[1]!;
  return `${/^smtp$/i.test(prefix) ? prefix : prefix.toUpperCase() === 'X500' ? prefix : prefix.toUpperCase()}:${m[2]}`;
}

const key = (a: string) => a.toLowerCase();

function list(name: string, v: unknown): string[] {
  if (v === null || v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  if (!arr.every((x) => typeof x === 'string')) throw invalidParameter(name, 'Addresses must be strings.');
  return (arr as string[]).map(normaliseAddress);
}

/** The new address list an EmailAddresses parameter asks for. */
export function changedAddresses(current: readonly string[], value: unknown): string[] {
  let next: string[];
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const h = value as Record<string, unknown>;
    const add = list('EmailAddresses', h.Add ?? h.add);
    const remove = new Set(list('EmailAddresses', h.Remove ?? h.remove).map(key));
    next = current.filter((a) => !remove.has(key(a)));
    for (const a of add) {
      if (a.startsWith('SMTP:')) next = next.map((x) => (x.startsWith('SMTP:') ? `smtp:${x.slice(5)}` : x));
      const i = next.findIndex((x) => key(x) === key(a));
      if (i >= 0) next[i] = a;
      else next.push(a);
    }
  } else {
    next = list('EmailAddresses', value);
  }
  const primaries = next.filter((a) => a.startsWith('SMTP:'));
  if (primaries.length > 1) throw invalidParameter('EmailAddresses', 'The e-mail address list can contain only one primary SMTP address.');
  if (!primaries.length) {
    const i = next.findIndex((a) => /^smtp:/i.test(a));
    if (i < 0) throw invalidParameter('EmailAddresses', 'The e-mail address list must contain a primary SMTP address.');
    next[i] = `SMTP:${next[i]!.slice(5)}`;
  }
  return [...new Map(next.map((a) => [key(a), a])).values()];
}

function ownerName(t: TenantState, r: Recipient): string {
  return r.userId ? getUser(t, r.userId)?.userPrincipalName ?? r.name : r.name;
}

/** Refuse addresses that another object already uses (as a proxy address or LegacyExchangeDN). */
export function checkAddressesFree(t: TenantState, self: Recipient | { userId: string }, addresses: readonly string[]): void {
  const selfUser = 'userId' in self ? self.userId : null;
  const selfGuid = 'guid' in self ? self.guid : null;
  const wanted = addresses.filter((a) => /^(smtp|x500):/i.test(a));
  for (const a of wanted) {
    if (/^smtp:/i.test(a)) {
      const owner = t.directory.byAddress[a.slice(5).toLowerCase()];
      if (owner && owner !== selfUser && owner !== selfGuid) {
        const u = getUser(t, owner);
        const r = t.exchange.recipients[owner];
        throw proxyInUse(a, u?.userPrincipalName ?? r?.name ?? owner);
      }
    }
  }
  const x500 = new Set(wanted.filter((a) => /^x500:/i.test(a)).map((a) => a.slice(5).toLowerCase()));
  if (!x500.size) return;
  for (const r of liveRecipients(t)) {
    if (r.guid === selfGuid || (selfUser && r.userId === selfUser)) continue;
    const dn = (r.legacyExchangeDN ?? '').toLowerCase();
    const clash = (dn && x500.has(dn)) || addressesOf(t, r).some((p) => /^x500:/i.test(p) && x500.has(p.slice(5).toLowerCase()));
    if (clash) {
      const a = wanted.find((w) => /^x500:/i.test(w) && (w.slice(5).toLowerCase() === dn || addressesOf(t, r).some((p) => p.toLowerCase() === w.toLowerCase())))!;
      throw proxyInUse(a, ownerName(t, r));
    }
  }
}

/** Apply an EmailAddresses parameter to a recipient after the checks. */
export function applyEmailAddresses(t: TenantState, r: Recipient, value: unknown): void {
  const next = changedAddresses(addressesOf(t, r), value);
  checkAddressesFree(t, r, next);
  setAddresses(t, r, next);
}
