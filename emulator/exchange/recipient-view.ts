// A recipient as the Get- cmdlets return it (PascalCase properties, as the admin API answers).
// Mailboxes and mail users read their addresses from the Graph user (one source of truth).
import { getUser } from '../store/directory-state.js';
import { addressesOf, primarySmtpOf, recipientTypeDetails, type Recipient } from '../store/exchange-state.js';
import type { TenantState } from '../store/tenant-state.js';

const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

/** The Entra object of a recipient: its user, or for a contact the orgContact (which the emulator
 *  gives the contact's Guid as id; /contacts/delta reports it under that id). */
function directoryObjectIdOf(r: Recipient): string {
  return r.userId ?? (r.type === 'MailContact' ? r.guid : '');
}

/**
 * ExchangeObjectId: Exchange Online answers every recipient with an ExchangeObjectId beside its Guid
 * and ExternalDirectoryObjectId, three different GUIDs (a Get-Mailbox answer of the admin API quoted
 * in public scripts shows them so), and -Identity accepts it (scripts pass $mbx.ExchangeObjectId).
 * t2t keys discovered recipients by it, so the emulator must answer it and resolve it. It is derived
 * from the Guid by an involution (every hex digit XOR 0xA): distinct from the Guid, nothing to store,
 * and the same function maps it back.
 */
export function exchangeObjectIdOf(guid: string): string {
  return guid.replace(/[0-9a-f]/gi, (d) => (parseInt(d, 16) ^ 0xa).toString(16));
}

/** Properties a filter can read from the stored recipient without building its view (which
 *  reads the linked user): a filtered Get-* over 100,000 recipients builds views only for the
 *  matches. Each value equals the view's (test/emulator/exchange/opath-compare.test.ts). */
const CHEAP: Record<string, (r: Recipient, t: TenantState) => unknown> = {
  whenchanged: (r) => r.whenChanged,
  whenchangedutc: (r) => r.whenChanged,
  whencreated: (r) => r.whenCreated,
  whencreatedutc: (r) => r.whenCreated,
  recipienttype: (r) => r.type,
  recipienttypedetails: (r, t) => recipientTypeDetails(t, r), // one user lookup, for a mail user
  name: (r) => r.name,
  identity: (r) => r.name,
  alias: (r) => r.alias,
  guid: (r) => r.guid,
  exchangeobjectid: (r) => exchangeObjectIdOf(r.guid),
  externaldirectoryobjectid: directoryObjectIdOf,
  hiddenfromaddresslistsenabled: (r) => r.hiddenFromAddressListsEnabled,
};
for (let i = 1; i <= 15; i++) CHEAP[`customattribute${i}`] = (r) => r.customAttributes[`CustomAttribute${i}`] ?? '';

/** A property getter over a recipient for filters: cheap properties from the record, anything else
 *  from its view, built once on first need. */
export function lazyRecipientProperties(t: TenantState, r: Recipient): { get: (prop: string) => unknown; view: () => Record<string, unknown> } {
  let view: Record<string, unknown> | undefined;
  const full = () => (view ??= recipientView(t, r));
  return {
    view: full,
    get(prop) {
      const cheap = CHEAP[prop.toLowerCase()];
      if (cheap) return cheap(r, t);
      const v = full();
      const k = Object.keys(v).find((x) => x.toLowerCase() === prop.toLowerCase());
      return k === undefined ? undefined : v[k];
    },
  };
}

export function recipientView(t: TenantState, r: Recipient): Record<string, unknown> {
  const u = r.userId ? getUser(t, r.userId) : undefined;
  const base: Record<string, unknown> = {
    Identity: r.name,
    Id: r.name,
    Guid: r.guid,
    ExchangeObjectId: exchangeObjectIdOf(r.guid),
    Name: r.name,
    Alias: r.alias,
    DisplayName: u?.displayName ?? r.displayName,
    ExternalDirectoryObjectId: directoryObjectIdOf(r),
    PrimarySmtpAddress: primarySmtpOf(t, r),
    EmailAddresses: [...addressesOf(t, r)],
    LegacyExchangeDN: r.legacyExchangeDN ?? '',
    HiddenFromAddressListsEnabled: r.hiddenFromAddressListsEnabled,
    RecipientType: r.type,
    RecipientTypeDetails: recipientTypeDetails(t, r),
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
