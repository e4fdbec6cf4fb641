// The contract every resource kind implements (DESIGN principle 3, STYLE.md 2; after Pulumi's
// provider contract): a key, the desired state for a phase, the actual state read from the
// inventory (and the marker), and a pure diff producing executor-ready changes.
import type { Phase, Profile, Project, Wave } from '../manifest/model.js';
import type { ContentSize, InventoryRecipient, InventoryUser, MigrationMarker } from '../inventory/model.js';
import type { TenantIndex } from '../matching/tenant-index.js';
import type { LicensePool } from './license/license-pool.js';

export type ResourceName =
  | 'targetUser'
  | 'guestInvitation'
  | 'guestConversion'
  | 'mailUser'
  | 'targetVisibility'
  | 'targetContact'
  | 'license'
  | 'targetForwarding'
  | 'contentSync'
  | 'x500Addresses'
  | 'sourceVisibility'
  | 'sourceForwarding'
  | 'sourceContact'
  | 'notification'
  | 'serviceAccountCleanup'
  | 'groupMembership'
  | 'rewriteMembership'
  | 'marker';

export type Action = 'create' | 'update' | 'delete' | 'run';
export type Reversibility = 'reversible' | 'compensable' | 'one-way';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

/** One change as a resource kind computes it; the planner adds id, wave, user and dependsOn. */
export interface ResourceChange {
  readonly resource: ResourceName;
  /** The executor's step name, e.g. "targetUser.create". */
  readonly op: string;
  readonly action: Action;
  readonly reversibility: Reversibility;
  /** The manifest's tenant name the change writes to. */
  readonly tenant: string;
  readonly summary: string;
  /** Everything the executor needs, plain JSON: no secrets, no manifest re-reads. */
  readonly params: JsonObject;
  /** The step that undoes this one; null for one-way and compensable steps. */
  readonly inverseOp: string | null;
  /** Distinguishes several changes of one op for one user (workload, group); part of the id. */
  readonly key?: string;
}

/** Who the changes are about; shared by reference in every state (never cloned). */
export interface UserRef {
  readonly wave: string;
  readonly sourceTenant: string;
  readonly targetTenant: string;
  readonly sourceUserId: string;
  /** Source primary SMTP address (lower case). */
  readonly sourceAddress: string;
  /** The target user's object id once it exists. */
  readonly targetUserId: string | null;
  /** The target UPN: the existing one, else the one the attribute mapping gives. */
  readonly targetAddress: string;
  /** The target primary SMTP address (existing or desired). */
  readonly targetMail: string;
  /** The target as change summaries name it: targetAddress, except for a B2B guest that stays one
   *  (a guest profile's user in a wave at prepared or discovered, not converted), which is
   *  "guest <source address>": a guest's UPN is alice_contoso.com#EXT#@…, its mail the source
   *  address, and the member address targetAddress holds is only what conversion will give it. */
  readonly targetShown: string;
  readonly displayName: string;
}

export interface UserContext {
  readonly ref: UserRef;
  readonly wave: Wave;
  readonly profile: Profile;
  readonly source: InventoryUser;
  readonly target?: InventoryUser;
  readonly marker?: MigrationMarker;
  readonly sourceIndex: TenantIndex;
  readonly targetIndex: TenantIndex;
  /** The source user's mailbox (for LegacyExchangeDN, visibility and forwarding). */
  readonly sourceMailbox?: InventoryRecipient;
  /** The target user's recipient (MailUser or UserMailbox). */
  readonly targetRecipient?: InventoryRecipient;
  readonly content?: ContentSize;
  /** The contacts t2t made for this user (tagged with the source user id), in the target tenant
   *  (routing to the source mailbox) and in the source tenant (routing to the target): looked up
   *  once per user, not by every kind and phase that reads them. */
  readonly targetContact?: InventoryRecipient;
  readonly sourceContact?: InventoryRecipient;
  /** The attribute mapping applied to the source user (computed once per user). */
  readonly attributes: Readonly<Record<string, string | null>>;
}

export interface PlanContext {
  readonly project: Project;
  readonly now: Date;
  /** 'plan' allocates licences from the pool; 'observe' only reads (status, observed phase). */
  readonly mode: 'plan' | 'observe';
  readonly licenses: LicensePool;
  /** Template contents by path relative to the project (notification bodies), if the caller read them. */
  readonly files: Readonly<Record<string, string>>;
  /** The manifest commit being applied, stamped into the marker. */
  readonly commit: string | null;
  /** Waves whose scheduled delta sync is due (reconcile, apply --delta-sync): their synced users
   *  get a content delta sync. */
  readonly deltaSyncWaves?: ReadonlySet<string>;
}

export interface BlockedReason {
  readonly reason: string;
  readonly message: string;
}

export interface ResourceKind<D = any, A = any> {
  readonly key: ResourceName;
  /** Nothing desired for this user in this phase: undefined. */
  desired(ctx: PlanContext, user: UserContext, phase: Phase): D | undefined;
  /** What the inventory (and the marker) shows t2t's version of this resource to be. */
  actual(ctx: PlanContext, user: UserContext): A | undefined;
  /** Pure: the changes that take `actual` to `desired`. Empty when they agree. */
  diff(desired: D | undefined, actual: A | undefined): ResourceChange[];
  /** Whether actual already is desired (default: the diff is empty). For observation only. */
  satisfied?(desired: D, actual: A | undefined): boolean;
  /** The desired state cannot be met (no free licence): the user is Blocked. */
  blocked?(desired: D): BlockedReason | undefined;
  /** Retained kinds: what is left behind, for the orphan list. */
  describe?(actual: A): string;
  /** Kinds with the rollback policy 'kept': the state they are returned to while the target user
   *  is kept and no phase desires them. */
  kept?(ctx: PlanContext, user: UserContext): D;
}
