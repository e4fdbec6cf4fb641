// What discovery knows about one tenant: the "actual" side of the diff (DESIGN.md data flow).
// Plain JSON-serialisable data, cached in .t2t/ and rebuilt from the tenants at any time.
// Addresses (upn, mail, proxy addresses) are kept as the tenant returns them; matching
// normalises (trim, lower case) itself.
import type { Phase } from '../manifest/model.js';

export interface InventoryUser {
  readonly id: string; // Graph object id
  readonly userPrincipalName: string;
  readonly mail: string | null;
  readonly proxyAddresses: readonly string[]; // "SMTP:a@x", "smtp:b@y", "X500:/o=..."
  readonly displayName: string | null;
  readonly userType: 'Member' | 'Guest';
  readonly accountEnabled: boolean;
  readonly usageLocation: string | null;
  readonly externalUserState: string | null; // guests: PendingAcceptance | Accepted | null
  readonly assignedSkuIds: readonly string[];
  /** Every other Graph user property t2t reads (givenName, surname, department, jobTitle,
   *  employeeId, companyName, mailNickname, ...), for matching, attribute mapping and templates. */
  readonly attributes: Readonly<Record<string, string | null>>;
  /** Target users only: the open extension dev.t2t.migration, when t2t has stamped one. */
  readonly marker?: MigrationMarker;
}

export interface InventoryGroup {
  readonly id: string;
  readonly displayName: string;
  readonly mail: string | null;
  readonly memberIds: readonly string[]; // direct members (user ids)
  /** Groups that are direct members (ids), when there are any: a wave or exclusion naming this
   *  group takes their users too (matching/group-closure.ts). */
  readonly nestedGroupIds?: readonly string[];
}

/** An Exchange recipient, from Get-Mailbox / Get-MailUser / Get-MailContact. */
export interface InventoryRecipient {
  readonly identity: string; // Exchange Guid / Identity as the cmdlets return it
  readonly type: 'UserMailbox' | 'MailUser' | 'MailContact';
  /** For mailboxes and mail users: the Entra object id (ExternalDirectoryObjectId). */
  readonly userId: string | null;
  readonly name: string;
  // alias, primarySmtpAddress, exchangeGuid and archiveGuid: read by discovery only, so absent
  // from the cache's read-only view that plan, status and apply read (RECIPIENT_DISCOVERY_ONLY)
  readonly alias?: string | null;
  readonly primarySmtpAddress?: string;
  readonly emailAddresses: readonly string[]; // "SMTP:…", "smtp:…", "X500:…"
  readonly externalEmailAddress: string | null; // mail users and contacts: "SMTP:…"
  readonly legacyExchangeDN: string | null;
  readonly hiddenFromAddressListsEnabled: boolean;
  readonly forwardingSmtpAddress: string | null;
  readonly deliverToMailboxAndForward: boolean;
  readonly exchangeGuid?: string | null;
  readonly archiveGuid?: string | null;
  /** t2t tags the contacts it creates (CustomAttribute15 = "t2t:<source user id>") so it can adopt them. */
  readonly customAttribute15: string | null;
}

export interface InventorySku {
  readonly skuId: string;
  readonly skuPartNumber: string;
  readonly enabled: number; // prepaidUnits.enabled
  readonly consumed: number; // consumedUnits
}

/** Sizes that drive the plan's duration estimate (source users). */
export interface ContentSize {
  readonly mailboxItems: number;
  readonly mailboxBytes: number;
  readonly archiveItems: number;
  readonly archiveBytes: number;
  readonly driveItems: number;
  readonly driveBytes: number;
}

export interface TenantInventory {
  readonly tenant: string; // the manifest's tenant name
  readonly tenantId: string;
  readonly discoveredAt: string; // ISO 8601
  readonly users: readonly InventoryUser[];
  readonly groups: readonly InventoryGroup[];
  readonly recipients: readonly InventoryRecipient[];
  readonly skus: readonly InventorySku[];
  readonly domains: readonly string[]; // verified domains, lower case
  /** By user id; source tenants only. A Map: filling an object with 100,000 keys took twice as
   *  long (it turns into a dictionary as it grows). */
  readonly content: ReadonlyMap<string, ContentSize>;
}

/** All tenants of a project, by the manifest's tenant name. */
export interface Inventory {
  readonly tenants: Readonly<Record<string, TenantInventory>>;
  /** sha256 over the discovered data, so a saved plan can tell it is stale. */
  readonly hash: string;
}

export type WorkloadName = 'mailbox' | 'archive' | 'onedrive';

export interface SyncWatermark {
  readonly initialDoneAt?: string; // ISO 8601: initial sync complete
  readonly lastDeltaAt?: string;
  readonly items: number; // items copied so far
  readonly bytes: number;
  /** Opaque delta links of the source per folder / drive (those not kept on the target folders). */
  readonly deltaLinks?: Readonly<Record<string, string>>;
  /** The set of delta positions kept on the target mailbox's folders (engine/sync/folder-positions.ts). */
  readonly positionsSet?: string;
  /** ISO 8601: when the latest run began (OneDrive writes it before it copies anything). Later than
   *  the completion times: that run did not complete, and may have copied any item. */
  readonly startedAt?: string;
}

/** The open extension `dev.t2t.migration` on each target user (SPEC section 5): progress the
 *  tenants cannot show by themselves. Never holds a secret. */
export interface MigrationMarker {
  readonly sourceTenant: string;
  readonly sourceUserId: string;
  readonly wave: string;
  /** The phase the last apply completed for this user. */
  readonly phase?: Phase;
  readonly lastAppliedCommit?: string;
  readonly invitationSentAt?: string;
  readonly guestConvertedAt?: string;
  readonly notificationSentAt?: string; // the point of no return
  readonly cutoverStartedAt?: string;
  /** The target contact's LegacyExchangeDN, saved before the cutover clears it from the contact and
   *  stamps it as X500 on the user, so a crash between the two can never lose it. */
  readonly contactLegacyDN?: string;
  /** True when t2t created the target user (not adopted by a matching rule): only such users
   *  are ever deleted, and only with spec.prune. */
  readonly createdByT2t?: boolean;
  /** SKU ids of the licences t2t assigned to the target user. A rollback with spec.prune removes
   *  only these (and every licence of a user t2t created): an adopted user's own licences, whose
   *  removal would delete its mailbox, are never touched. */
  readonly licensesAssigned?: readonly string[];
  readonly sync?: Readonly<Partial<Record<WorkloadName, SyncWatermark>>>;
}

export const MARKER_EXTENSION_NAME = 'dev.t2t.migration';
