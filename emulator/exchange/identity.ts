// -Identity resolution, as Exchange's RecipientIdParameter does it: Guid, ExchangeObjectId, ExternalDirectoryObjectId,
// Name, Alias, DisplayName, UserPrincipalName, primary or any SMTP address, LegacyExchangeDN.
import { getUser, type DirUser } from '../store/directory-state.js';
import { addressesOf, liveRecipients, recipientOfUser, type Recipient, type RecipientType } from '../store/exchange-state.js';
import type { TenantState } from '../store/tenant-state.js';
import { ambiguous, objectNotFound } from './exchange-errors.js';
import { exchangeObjectIdOf } from './recipient-view.js';

function matchesIdentity(t: TenantState, r: Recipient, id: string): boolean {
  const k = id.toLowerCase();
  if (r.guid === k || r.userId === k || r.name.toLowerCase() === k || r.alias.toLowerCase() === k) return true;
  if ((r.legacyExchangeDN ?? '').toLowerCase() === k) return true;
  const u = r.userId ? getUser(t, r.userId) : undefined;
  if (u && (u.userPrincipalName.toLowerCase() === k || u.displayName.toLowerCase() === k)) return true;
  if (!u && r.displayName.toLowerCase() === k) return true;
  const bare = k.replace(/^smtp:/, '');
  return addressesOf(t, r).some((a) => /^smtp:/i.test(a) && a.slice(5).toLowerCase() === bare);
}

/** The one recipient of the given types an identity names (404 none, 400 several). */
export function resolveRecipient(t: TenantState, identity: string, types: readonly RecipientType[]): Recipient {
  // Fast paths: object id of the user, or the recipient's own Guid.
  const byUser = recipientOfUser(t, identity.toLowerCase());
  if (byUser && types.includes(byUser.type)) return byUser;
  const own = t.exchange.recipients[identity.toLowerCase()];
  if (own && !own._deleted && types.includes(own.type)) return own;
  // Its ExchangeObjectId (derived from the Guid, mapped back by the same function).
  const byObjectId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(identity) ? t.exchange.recipients[exchangeObjectIdOf(identity.toLowerCase())] : undefined;
  if (byObjectId && !byObjectId._deleted && types.includes(byObjectId.type)) return byObjectId;
  // UPN or SMTP address of a user (what t2t and admins pass most): the directory's indexes, not a
  // scan of every recipient. Addresses are unique across objects, so this finds the one owner.
  if (identity.includes('@')) {
    const k = identity.toLowerCase().replace(/^smtp:/, '');
    const userId = t.directory.byUpn[k] ?? t.directory.byAddress[k];
    const viaUser = userId ? recipientOfUser(t, userId) : undefined;
    if (viaUser && types.includes(viaUser.type)) return viaUser;
  }
  const found = liveRecipients(t).filter((r) => types.includes(r.type) && matchesIdentity(t, r, identity));
  if (!found.length) throw objectNotFound(identity);
  if (found.length > 1) throw ambiguous(identity);
  return found[0]!;
}

/** A Graph user named by object id, UPN, mail or display name (Enable-MailUser's -Identity). */
export function resolveUser(t: TenantState, identity: string): DirUser {
  const direct = getUser(t, identity);
  if (direct) return direct;
  const k = identity.toLowerCase();
  const id = t.directory.byAddress[k];
  const byMail = id ? getUser(t, id) : undefined;
  if (byMail) return byMail;
  const byName = Object.values(t.directory.users).filter((u) => !u._deleted && (u.displayName.toLowerCase() === k || u.mailNickname.toLowerCase() === k));
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw ambiguous(identity);
  throw objectNotFound(identity);
}
