// Exchange section: recipients (mailboxes, mail users, mail contacts). Owned by emulator/exchange/*
// and emulator/graph/licenses* (a licence with an Exchange plan provisions a mailbox).
// One source of truth for addresses: a mailbox or mail user is linked to its Graph user
// (`userId`) and its EmailAddresses ARE the user's proxyAddresses; only contacts store their own.
// B2B guests: Exchange Online gives every guest user a mail user of its own (RecipientTypeDetails
// GuestMailUser), hidden from the address lists, and removes it with the guest; see
// ensureGuestRecipient.
import type { TenantState, Tracked } from './tenant-state.js';
import { getUser, index, noteLagging, unindex, updateUser, type DirUser } from './directory-state.js';
import { noteWrite } from './change-log.js';
import { dropMailStore, ensureMailStore } from './mail-state.js';
import { nextSeq } from './tenant-state.js';
import { snapshotForLag, stampLag, visibleVersion, writeContext } from '../core/lag.js';

export type RecipientType = 'UserMailbox' | 'MailUser' | 'MailContact';
/** RecipientTypeDetails: the type, except that a guest user's mail user is a GuestMailUser. */
export type RecipientTypeDetails = RecipientType | 'GuestMailUser';

export interface Recipient extends Tracked {
  /** Exchange object Guid (Identity of the REST answers). */
  guid: string;
  type: RecipientType;
  /** ExternalDirectoryObjectId: the Graph user, for mailboxes and mail users. */
  userId: string | null;
  name: string;
  alias: string;
  displayName: string;
  /** Contacts only; linked recipients read the user's proxyAddresses. */
  emailAddresses: string[];
  /** "SMTP:x@y" for mail users and contacts. */
  externalEmailAddress: string | null;
  legacyExchangeDN: string | null;
  hiddenFromAddressListsEnabled: boolean;
  forwardingSmtpAddress: string | null;
  deliverToMailboxAndForward: boolean;
  exchangeGuid: string | null;
  archiveGuid: string | null;
  customAttributes: Record<string, string | null>;
  whenCreated: string;
  whenChanged: string;
  /** Licence removed: the mailbox is removed when the clock passes this (ms since epoch). */
  pendingRemovalAt?: number;
  /** What the user was before its mailbox was provisioned (restored when it is removed). */
  wasMailUser?: boolean;
}

export interface ExchangeState {
  recipients: Record<string, Recipient>;
  /** user id -> recipient guid (live linked recipients). */
  byUser: Record<string, string>;
  /** Days a mailbox survives its licence's removal (config exchange.mailboxRetentionDays). */
  mailboxRetentionDays: number;
  /** Recipient guid -> when its mailbox goes (the mailboxes with a `pendingRemovalAt`): the sweep
   *  looks only at these, not at every recipient. Absent in saves made before it existed. */
  pendingRemovals?: Record<string, number>;
  /** The Default outbound spam filter policy's AutoForwardingMode (config exchange.autoForwardingMode). */
  autoForwardingMode?: 'Automatic' | 'On' | 'Off';
}

export const DEFAULT_MAILBOX_RETENTION_DAYS = 30;

export function emptyExchange(): ExchangeState {
  return { recipients: {}, byUser: {}, mailboxRetentionDays: DEFAULT_MAILBOX_RETENTION_DAYS, pendingRemovals: {} };
}

export function emptyCustomAttributes(): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (let i = 1; i <= 15; i++) out[`CustomAttribute${i}`] = null;
  return out;
}

export function liveRecipients(t: TenantState): Recipient[] {
  return Object.values(t.exchange.recipients).filter((r) => !r._deleted);
}

export function recipientOfUser(t: TenantState, userId: string): Recipient | undefined {
  const g = t.exchange.byUser[userId];
  const r = g ? t.exchange.recipients[g] : undefined;
  return r && !r._deleted ? r : undefined;
}

/** EmailAddresses of a recipient: the linked user's proxyAddresses, or the contact's own. */
export function addressesOf(t: TenantState, r: Recipient): string[] {
  if (r.userId) return getUser(t, r.userId)?.proxyAddresses ?? [];
  return r.emailAddresses;
}

export function primarySmtpOf(t: TenantState, r: Recipient): string {
  const p = addressesOf(t, r).find((a) => a.startsWith('SMTP:'));
  return p ? p.slice(5) : '';
}

/** Replace a recipient's EmailAddresses (for linked recipients: the user's proxyAddresses and mail). */
export function setAddresses(t: TenantState, r: Recipient, addresses: string[]): void {
  if (r.userId) {
    const u = getUser(t, r.userId);
    if (u) {
      updateUser(t, u, (x) => {
        x.proxyAddresses = addresses;
        const primary = addresses.find((a) => a.startsWith('SMTP:'));
        if (primary) x.mail = primary.slice(5);
      });
    }
  } else {
    // Contacts answer to their addresses in the tenant too (ownerOfAddress): keep the index in step.
    unindex(t, { id: r.guid, mail: null, proxyAddresses: r.emailAddresses });
    r.emailAddresses = addresses;
    index(t, { id: r.guid, mail: null, proxyAddresses: r.emailAddresses });
  }
}

/** Stamp a tracked write: the next seq, WhenChanged, and replication lag from the running
 *  handler's write context (emulator/core/lag.ts): Get-* cmdlets see `before` (a snapshotForLag
 *  copy taken before the change) until the write replicates; omitted = visible at once. */
export function touchRecipient(t: TenantState, r: Recipient, now: number, before?: Recipient): void {
  r._seq = nextSeq(t);
  r.whenChanged = new Date(now).toISOString();
  if (stampLag(r, before)) noteLagging(t, r);
  noteWrite(t.exchange.recipients, r);
}

/** A directory write to a user: its mailbox or mail user shows the user's name, UPN and addresses
 *  (and, for a mail user, whether it is a guest's), so WhenChanged moves as Exchange's directory
 *  sync stamps it (an incremental read by WhenChangedUTC must see the change). A guest without a
 *  recipient gets its GuestMailUser. Called by directory-state's touch for every user write. */
export function touchRecipientOfUser(t: TenantState, userId: string): void {
  const r = recipientOfUser(t, userId);
  const now = writeContext()?.now ?? Date.now();
  if (!r) {
    const u = getUser(t, userId);
    if (u) ensureGuestRecipient(t, u, now);
    return;
  }
  touchRecipient(t, r, now, snapshotForLag(r));
}

/** RecipientTypeDetails of a recipient. A guest's mail user is a GuestMailUser (RecipientType stays
 *  MailUser: Get-MailUser returns it, Set-MailUser changes it); the detail follows the linked
 *  user's userType, so a guest converted to a member (convertExternalToInternalMemberUser, or a
 *  PATCH of userType) has an ordinary MailUser from then on, the same object (Guid, addresses,
 *  LegacyExchangeDN, visibility kept: the sources read for this say nothing of a reset). */
export function recipientTypeDetails(t: TenantState, r: Recipient): RecipientTypeDetails {
  if (r.type !== 'MailUser' || !r.userId) return r.type;
  return getUser(t, r.userId)?.userType === 'Guest' ? 'GuestMailUser' : 'MailUser';
}

/**
 * Exchange Online's mail user for a B2B guest (userType Guest, from POST /invitations, POST /users,
 * a PATCH of userType): created when the guest has an SMTP address and no recipient yet, linked by
 * ExternalDirectoryObjectId, hidden from the address lists (guests are not in the GAL until
 * `Set-MailUser -HiddenFromAddressListsEnabled $false`), its EmailAddresses the guest's
 * proxyAddresses (the external address only: no onmicrosoft.com address is stamped), routing to
 * the external address (ExternalEmailAddress SMTP:<mail>; assumed: the sources show a guest's
 * addresses, not this property). deleteUser removes it with the guest. What the sources say:
 * Get-MailUser lists "mail users and also guest users"; scripts select guests with
 * RecipientTypeDetails GuestMailUser; Exchange creates a mail user when Entra creates a guest and
 * removes it when the guest is removed; guests are hidden from the GAL by default.
 */
export function ensureGuestRecipient(t: TenantState, u: DirUser, now: number): Recipient | undefined {
  if (u._deleted || u.userType !== 'Guest' || recipientOfUser(t, u.id)) return undefined;
  const primary = u.proxyAddresses.find((a) => a.startsWith('SMTP:'))?.slice(5) ?? u.mail;
  if (!primary) return undefined;
  const alias = aliasOf(u);
  return newRecipient(t, now, {
    type: 'MailUser',
    userId: u.id,
    name: u.id,
    alias,
    displayName: u.displayName,
    externalEmailAddress: `SMTP:${primary}`,
    legacyExchangeDN: legacyDnFor(alias),
    hiddenFromAddressListsEnabled: true,
  });
}

/** A tenant loaded from a save made before guests had recipients: give each live guest its
 *  GuestMailUser (hidden, as new). Idempotent; returns how many were made. */
export function backfillGuestRecipients(t: TenantState, now: number): number {
  let made = 0;
  for (const u of Object.values(t.directory.users)) if (u.userType === 'Guest' && ensureGuestRecipient(t, u, now)) made++;
  return made;
}

/** The version of a recipient a READ (Get-* cmdlet) sees now: undefined until a create replicates. */
export function visibleRecipient(r: Recipient | undefined, now: number): Recipient | undefined {
  const v = visibleVersion(r, now);
  return v && !v._deleted ? v : undefined;
}

export function legacyDnFor(alias: string): string {
  const hex = randomHex(32);
  return `/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=${hex}-${alias.slice(0, 30)}`;
}

function randomHex(n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

/** Alias of a user: its mailNickname, else the UPN's local part, reduced to Exchange's alias characters. */
export function aliasOf(u: DirUser): string {
  const base = u.mailNickname || u.userPrincipalName.split('@')[0]!;
  return base.replace(/[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]/g, '').replace(/#/g, '') || 'user';
}

/** Make sure the user's proxyAddresses hold a primary SMTP and alias@initialDomain, as Exchange
 *  stamps on mail-enabling. Returns the primary SMTP address. */
export function stampExchangeAddresses(t: TenantState, u: DirUser): string {
  const alias = aliasOf(u);
  const onMicrosoft = `${alias}@${t.initialDomain}`;
  const addresses = [...u.proxyAddresses];
  let primary = addresses.find((a) => a.startsWith('SMTP:'))?.slice(5);
  if (!primary) {
    primary = u.mail ?? (u.userType === 'Guest' ? onMicrosoft : u.userPrincipalName);
    const i = addresses.findIndex((a) => a.toLowerCase() === `smtp:${primary!.toLowerCase()}`);
    if (i >= 0) addresses.splice(i, 1);
    addresses.unshift(`SMTP:${primary}`);
  }
  if (!addresses.some((a) => a.toLowerCase() === `smtp:${onMicrosoft.toLowerCase()}`)) addresses.push(`smtp:${onMicrosoft}`);
  if (addresses.join('\n') !== u.proxyAddresses.join('\n') || u.mail !== primary) {
    updateUser(t, u, (x) => {
      x.proxyAddresses = addresses;
      x.mail = primary!;
    });
  }
  return primary;
}

export function newRecipient(t: TenantState, now: number, init: Partial<Recipient> & Pick<Recipient, 'type' | 'name' | 'alias' | 'displayName'>): Recipient {
  const iso = new Date(now).toISOString();
  const r: Recipient = {
    guid: crypto.randomUUID(),
    userId: null,
    emailAddresses: [],
    externalEmailAddress: null,
    legacyExchangeDN: null,
    hiddenFromAddressListsEnabled: false,
    forwardingSmtpAddress: null,
    deliverToMailboxAndForward: false,
    exchangeGuid: null,
    archiveGuid: null,
    customAttributes: emptyCustomAttributes(),
    whenCreated: iso,
    whenChanged: iso,
    _seq: nextSeq(t),
    ...init,
  };
  t.exchange.recipients[r.guid] = r;
  if (r.userId) t.exchange.byUser[r.userId] = r.guid;
  if (stampLag(r, null)) noteLagging(t, r);
  noteWrite(t.exchange.recipients, r);
  return r;
}

export function removeRecipient(t: TenantState, r: Recipient): void {
  if (!r.userId) unindex(t, { id: r.guid, mail: null, proxyAddresses: r.emailAddresses });
  if (r.userId && t.exchange.byUser[r.userId] === r.guid) delete t.exchange.byUser[r.userId];
  if (t.exchange.pendingRemovals) delete t.exchange.pendingRemovals[r.guid];
  r._deleted = true;
  r._seq = nextSeq(t);
  noteWrite(t.exchange.recipients, r);
}

/** A licence with an Exchange plan: the user gets a mailbox (from nothing, or its mail user becomes
 *  one, keeping ExchangeGuid, addresses and LegacyExchangeDN, as a licensed MEU does). Idempotent. */
export function provisionMailbox(t: TenantState, userId: string, now: number, options: { archive: boolean }): Recipient | undefined {
  const u = getUser(t, userId);
  if (!u) return undefined;
  const primary = stampExchangeAddresses(t, u);
  void primary;
  let r = recipientOfUser(t, userId);
  const before = r && snapshotForLag(r);
  if (r && r.type === 'UserMailbox') {
    if (r.pendingRemovalAt !== undefined) cancelRemoval(t, r); // licence back within retention
    if (options.archive && !r.archiveGuid) r.archiveGuid = crypto.randomUUID();
    touchRecipient(t, r, now, before);
  } else if (r) {
    r.wasMailUser = r.type === 'MailUser';
    r.type = 'UserMailbox';
    r.exchangeGuid ??= crypto.randomUUID();
    r.legacyExchangeDN ??= legacyDnFor(r.alias);
    if (options.archive) r.archiveGuid ??= crypto.randomUUID();
    touchRecipient(t, r, now, before);
  } else {
    const alias = aliasOf(u);
    r = newRecipient(t, now, {
      type: 'UserMailbox',
      userId,
      name: alias,
      alias,
      displayName: u.displayName,
      exchangeGuid: crypto.randomUUID(),
      archiveGuid: options.archive ? crypto.randomUUID() : null,
      legacyExchangeDN: legacyDnFor(alias),
    });
  }
  ensureMailStore(t, userId, { archive: !!r.archiveGuid });
  return r;
}

/** The last licence with an Exchange plan is gone: the mailbox goes after the retention period. */
export function scheduleMailboxRemoval(t: TenantState, userId: string, now: number): void {
  const r = recipientOfUser(t, userId);
  if (!r || r.type !== 'UserMailbox' || r.pendingRemovalAt !== undefined) return;
  const before = snapshotForLag(r);
  r.pendingRemovalAt = now + t.exchange.mailboxRetentionDays * 86_400_000;
  pendingRemovals(t)[r.guid] = r.pendingRemovalAt;
  touchRecipient(t, r, now, before);
  sweepMailboxRetention(t, now);
}

/** The pending-removal set, rebuilt once from the recipients for a save that predates it. */
function pendingRemovals(t: TenantState): Record<string, number> {
  if (!t.exchange.pendingRemovals) {
    const p: Record<string, number> = {};
    for (const r of Object.values(t.exchange.recipients)) if (!r._deleted && r.pendingRemovalAt !== undefined) p[r.guid] = r.pendingRemovalAt;
    t.exchange.pendingRemovals = p;
  }
  return t.exchange.pendingRemovals;
}

function cancelRemoval(t: TenantState, r: Recipient): void {
  delete r.pendingRemovalAt;
  delete pendingRemovals(t)[r.guid];
}

/** Remove mailboxes whose retention has passed on the emulator clock; called before Exchange and
 *  licence operations (and by the core's clock, if it ticks). Only the mailboxes pending removal
 *  are looked at, so a licence change costs the same in a 100,000-mailbox tenant as in a small one.
 *  Returns the removed user ids. */
export function sweepMailboxRetention(t: TenantState, now: number): string[] {
  const removed: string[] = [];
  const pending = pendingRemovals(t);
  for (const guid in pending) {
    if (now < pending[guid]!) continue;
    const r = t.exchange.recipients[guid];
    delete pending[guid];
    if (!r || r._deleted || r.pendingRemovalAt === undefined) continue;
    const userId = r.userId!;
    if (r.wasMailUser) {
      // A mailbox that had been a mail user goes back to being one (its routing stays).
      r.type = 'MailUser';
      r.archiveGuid = null;
      delete r.pendingRemovalAt;
      delete r.wasMailUser;
      touchRecipient(t, r, now);
    } else {
      removeRecipient(t, r);
    }
    dropMailStore(t, userId);
    removed.push(userId);
  }
  return removed;
}
