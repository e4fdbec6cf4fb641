// Exchange recipients as Get-Mailbox / Get-MailUser / Get-MailContact return them, turned into
// InventoryRecipient. Field names follow the cmdlets' output (PascalCase).
import type { InventoryRecipient } from '../inventory/model.js';

export type RecipientType = InventoryRecipient['type'];

// The record's type is the cmdlet's (the coarse RecipientType), never RecipientTypeDetails: a
// B2B guest's recipient (RecipientTypeDetails GuestMailUser, RecipientType MailUser) comes from
// Get-MailUser and is a MailUser record, linked to the guest by ExternalDirectoryObjectId; when
// the guest is converted to a member it stays the same record (only its details change), and a
// licence makes it a UserMailbox like any mail user. Shared or room mailboxes are UserMailbox
// records the same way.

export const RECIPIENT_CMDLETS: ReadonlyArray<{ cmdlet: string; type: RecipientType }> = [
  { cmdlet: 'Get-Mailbox', type: 'UserMailbox' },
  { cmdlet: 'Get-MailUser', type: 'MailUser' },
  { cmdlet: 'Get-MailContact', type: 'MailContact' },
];

const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** The cached form keeps WhenChangedUTC (for deltaTimestamp) and, for a mail contact, its
 *  directory (orgContact) id (to apply /contacts/delta removals) beside the inventory fields. */
export interface CachedRecipient extends InventoryRecipient {
  readonly whenChangedUTC?: string | null;
  readonly directoryObjectId?: string | null;
}

function s(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  return String(v);
}

function guid(v: unknown): string | null {
  const g = s(v);
  return g && g !== EMPTY_GUID ? g : null;
}

export function toRecipient(raw: Record<string, unknown>, type: RecipientType): CachedRecipient {
  const identity = s(raw.ExchangeObjectId) ?? s(raw.Guid) ?? s(raw.ExternalDirectoryObjectId) ?? s(raw.Identity) ?? s(raw.PrimarySmtpAddress) ?? '';
  const addresses = Array.isArray(raw.EmailAddresses) ? (raw.EmailAddresses as unknown[]).map(String) : [];
  const primary = s(raw.PrimarySmtpAddress) ?? addresses.find((a) => a.startsWith('SMTP:'))?.slice(5) ?? '';
  return {
    identity,
    type,
    userId: type === 'MailContact' ? null : s(raw.ExternalDirectoryObjectId),
    name: s(raw.Name) ?? s(raw.DisplayName) ?? identity,
    alias: s(raw.Alias),
    primarySmtpAddress: primary,
    emailAddresses: addresses,
    externalEmailAddress: s(raw.ExternalEmailAddress),
    legacyExchangeDN: s(raw.LegacyExchangeDN),
    hiddenFromAddressListsEnabled: raw.HiddenFromAddressListsEnabled === true,
    forwardingSmtpAddress: s(raw.ForwardingSmtpAddress),
    deliverToMailboxAndForward: raw.DeliverToMailboxAndForward === true,
    exchangeGuid: guid(raw.ExchangeGuid),
    archiveGuid: raw.ArchiveStatus === 'None' ? null : guid(raw.ArchiveGuid),
    customAttribute15: s(raw.CustomAttribute15),
    whenChangedUTC: s(raw.WhenChangedUTC) ?? s(raw.WhenChanged),
    ...(type === 'MailContact' ? { directoryObjectId: guid(raw.ExternalDirectoryObjectId) } : {}),
  };
}

/** Key in the recipients collection: type-qualified so a mailbox and a mail user converted from it
 *  never collide. */
export function recipientKey(r: Pick<InventoryRecipient, 'type' | 'identity'>): string {
  return `${r.type}:${r.identity}`;
}

/** The cached recipient's fields that are discovery's bookkeeping, not inventory: left out of
 *  the inventory (loadInventory decodes the cache without them; toInventoryRecipient copies). */
export const RECIPIENT_BOOKKEEPING = ['whenChangedUTC', 'directoryObjectId'] as const;

/** Inventory fields only discovery reads (the migration scope's archive count, the content
 *  reads), from its own full copy of the cache: the read-only view a plan, status or apply reads
 *  leaves them out as well. For two 100,000-user tenants that is 600,000 strings fewer to decode
 *  and to carry through the young generation (30 MB less peak RSS for `t2t plan`). */
export const RECIPIENT_DISCOVERY_ONLY = ['alias', 'primarySmtpAddress', 'exchangeGuid', 'archiveGuid'] as const;

export function toInventoryRecipient(r: CachedRecipient): InventoryRecipient {
  const { whenChangedUTC: _w, directoryObjectId: _d, ...rest } = r;
  return rest;
}
