// A recipient as the Get- cmdlets return it (PascalCase properties, as the admin API answers).
// Mailboxes and mail users read their addresses from the Graph user (one source of truth).
import { getUser } from '../store/directory-state.js';
import { addressesOf, primarySmtpOf, type Recipient } from '../store/exchange-state.js';
import type { TenantState } from '../store/tenant-state.js';

const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

export function recipientView(t: TenantState, r: Recipient): Record<string, unknown> {
  const u = r.userId ? getUser(t, r.userId) : undefined;
  const base: Record<string, unknown> = {
    Identity: r.name,
    Id: r.name,
    Guid: r.guid,
    Name: r.name,
    Alias: r.alias,
    DisplayName: u?.displayName ?? r.displayName,
    ExternalDirectoryObjectId: r.userId ?? '',
    PrimarySmtpAddress: primarySmtpOf(t, r),
    EmailAddresses: [...addressesOf(t, r)],
    LegacyExchangeDN: r.legacyExchangeDN ?? '',
    HiddenFromAddressListsEnabled: r.hiddenFromAddressListsEnabled,
    RecipientType: r.type,
    RecipientTypeDetails: r.type,
    WhenCreated: r.whenCreated,
    WhenChanged: r.whenChanged,
    WhenCreatedUTC: r.whenCreated,
    WhenChangedUTC: r.whenChanged,
  };
  for (const [k, v] of Object.entries(r.customAttributes)) base[k] = v ?? '';
  if (r.type === 'UserMailbox') {
    Object.assign(base, {
      UserPrincipalName: u?.userPrincipalName ?? '',
      ExchangeGuid: r.exchangeGuid ?? ZERO_GUID,
      ArchiveGuid: r.archiveGuid ?? ZERO_GUID,
      ArchiveStatus: r.archiveGuid ? 'Active' : 'None',
      ArchiveName: r.archiveGuid ? [`In-Place Archive -${u?.displayName ?? r.displayName}`] : [],
      ForwardingSmtpAddress: r.forwardingSmtpAddress,
      ForwardingAddress: null,
      DeliverToMailboxAndForward: r.deliverToMailboxAndForward,
      IsMailboxEnabled: true,
      WindowsEmailAddress: primarySmtpOf(t, r),
      PendingRemovalAt: r.pendingRemovalAt === undefined ? null : new Date(r.pendingRemovalAt).toISOString(),
    });
  } else if (r.type === 'MailUser') {
    Object.assign(base, {
      UserPrincipalName: u?.userPrincipalName ?? '',
      ExternalEmailAddress: r.externalEmailAddress,
      ExchangeGuid: r.exchangeGuid ?? ZERO_GUID,
      ArchiveGuid: r.archiveGuid ?? ZERO_GUID,
      WindowsEmailAddress: primarySmtpOf(t, r),
    });
  } else {
    Object.assign(base, { ExternalEmailAddress: r.externalEmailAddress, WindowsEmailAddress: primarySmtpOf(t, r) });
  }
  return base;
}
