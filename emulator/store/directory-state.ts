// Directory section: users, groups, licences (subscribedSkus), open extensions, sent invitations.
// Owned by emulator/graph/users*, groups*, licenses*, extensions*, invitations*.
// Records are plain JSON (persistence saves the section as is). Deleted users and groups stay as
// tombstones (`_deleted`) so delta queries can report them; the indexes only hold live objects.
import type { TenantState, Tracked } from './tenant-state.js';
import { nextSeq } from './tenant-state.js';
import { noteWrite } from './change-log.js';
import { snapshotForLag, stampLag, visibleVersion } from '../core/lag.js';
import { touchRecipientOfUser } from './exchange-state.js';

export interface AssignedLicense {
  skuId: string;
  disabledPlans: string[];
}

/** onPremisesExtensionAttributes: extensionAttribute1..15. */
export type ExtensionAttributes = Record<string, string | null>;

export interface DirUser extends Tracked {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  mailNickname: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  department: string | null;
  companyName: string | null;
  employeeId: string | null;
  officeLocation: string | null;
  usageLocation: string | null;
  userType: 'Member' | 'Guest';
  accountEnabled: boolean;
  proxyAddresses: string[];
  otherMails: string[];
  externalUserState: string | null;
  externalUserStateChangeDateTime: string | null;
  creationType: string | null;
  createdDateTime: string;
  assignedLicenses: AssignedLicense[];
  onPremisesExtensionAttributes: ExtensionAttributes;
  managerId: string | null;
  /** Open extensions by extensionName: the custom properties only. */
  extensions: Record<string, Record<string, unknown>>;
}

export interface GroupMemberEntry {
  /** seq of the last change of this membership (delta reports members@delta after a token). */
  seq: number;
  removed?: boolean;
}

export interface DirGroup extends Tracked {
  id: string;
  displayName: string;
  description: string | null;
  mail: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  visibility: string | null;
  createdDateTime: string;
  proxyAddresses: string[];
  /** Member object id -> last change; removed entries stay for delta (`@removed`). */
  members: Record<string, GroupMemberEntry>;
}

export interface ServicePlan {
  servicePlanId: string;
  servicePlanName: string;
  provisioningStatus: string;
  appliesTo: string;
}

export interface Subscription {
  id: string; // `${tenantId}_${skuId}` as Graph forms it
  skuId: string;
  skuPartNumber: string;
  capabilityStatus: string;
  appliesTo: string;
  enabled: number;
  consumedUnits: number;
  servicePlans: ServicePlan[];
}

export interface SentInvitation {
  invitedUserEmailAddress: string;
  invitedUserId: string;
  sentAt: string;
  messageLanguage: string | null;
  customizedMessageBody: string | null;
  inviteRedeemUrl: string;
}

export interface DirectoryState {
  users: Record<string, DirUser>;
  groups: Record<string, DirGroup>;
  skus: Subscription[];
  /** lower-case UPN -> user id (live users only). */
  byUpn: Record<string, string>;
  /** lower-case SMTP address (mail and smtp proxy addresses) -> object id (users and groups). */
  byAddress: Record<string, string>;
  /** Invitation e-mails "sent" (sendInvitationMessage: true), for tests and the demo to read. */
  sentInvitations: SentInvitation[];
}

export function emptyDirectory(): DirectoryState {
  return { users: {}, groups: {}, skus: [], byUpn: {}, byAddress: {}, sentInvitations: [] };
}

/** Minimal view of a user other sections need (mail, drive, exchange). */
export interface UserRef {
  id: string;
  userPrincipalName: string;
  mail: string | null;
}

/** Resolve a live user by object id or UPN (case-insensitive), as Graph's /users/{id|upn} does. */
export function findUser(t: { directory: DirectoryState }, idOrUpn: string): UserRef | undefined {
  const u = getUser(t, idOrUpn);
  return u ? { id: u.id, userPrincipalName: u.userPrincipalName, mail: u.mail } : undefined;
}

/** The full live user record by id or UPN. */
export function getUser(t: { directory: DirectoryState }, idOrUpn: string): DirUser | undefined {
  const d = t.directory;
  const byId = d.users[idOrUpn] ?? d.users[idOrUpn.toLowerCase()];
  if (byId && !byId._deleted) return byId;
  const id = d.byUpn[idOrUpn.toLowerCase()];
  const u = id ? d.users[id] : undefined;
  return u && !u._deleted ? u : undefined;
}

export function getGroup(t: { directory: DirectoryState }, id: string): DirGroup | undefined {
  const g = t.directory.groups[id] ?? t.directory.groups[id.toLowerCase()];
  return g && !g._deleted ? g : undefined;
}

/** Live user or group owning an SMTP address (mail or smtp proxy), case-insensitive. */
export function ownerOfAddress(t: { directory: DirectoryState }, address: string): string | undefined {
  return t.directory.byAddress[address.toLowerCase()];
}

const userOrder = new WeakMap<Record<string, DirUser>, DirUser[]>();

/** Every user record, tombstones included, in creation order (what list paging walks): built once
 *  per users map, then kept up by addUser. Records are never removed from the map (tombstones). */
export function usersInOrder(t: { directory: DirectoryState }): readonly DirUser[] {
  let order = userOrder.get(t.directory.users);
  if (!order) {
    order = Object.values(t.directory.users);
    userOrder.set(t.directory.users, order);
  }
  return order;
}

/** Add a new user (validated already): the record, the list order, the indexes, a tracked write
 *  (with replication lag, invisible to reads until it replicates; writes find it at once). */
export function addUser(t: TenantState, u: DirUser): void {
  t.directory.users[u.id] = u;
  userOrder.get(t.directory.users)?.push(u);
  index(t, u);
  touch(t, u, null);
}

/** Add a new group (validated already): the record, the indexes, a tracked write. */
export function addGroup(t: TenantState, g: DirGroup): void {
  t.directory.groups[g.id] = g;
  index(t, g);
  touch(t, g, null);
}

/** The version of a user or group a READ sees now (replication lag): the latest, the one before
 *  the write still replicating, or undefined (created, not replicated yet; or deleted). Writes use
 *  the record itself (getUser / getGroup): they go to the primary. */
export function visible<T extends DirUser | DirGroup>(rec: T | undefined, now: number): T | undefined {
  const v = visibleVersion(rec, now);
  return v && !v._deleted ? v : undefined;
}

const lagging = new WeakMap<TenantState, Set<Tracked>>();

/** A tracked write of another section (an Exchange recipient) that lags: delta rounds
 *  (/contacts/delta) end below it until it replicates. */
export function noteLagging(t: TenantState, rec: Tracked): void {
  let set = lagging.get(t);
  if (!set) lagging.set(t, (set = new Set()));
  set.add(rec);
}

/** The highest seq a delta round may include at `now`: below every directory write still
 *  replicating, so a round never reports (nor skips) a change readers cannot see yet. */
export function replicatedSeq(t: TenantState, now: number): number {
  let cap = t.seq;
  const set = lagging.get(t);
  if (!set) return cap;
  for (const rec of set) {
    if (rec._visibleAt === undefined || now >= rec._visibleAt) set.delete(rec);
    else cap = Math.min(cap, rec._seq - 1);
  }
  return cap;
}

/** A copy of a record to pass to touch() as what readers see until the change replicates; only
 *  made when replication lag is on. Take it before changing the record. */
export function beforeChange<T extends Tracked>(rec: T): T | undefined {
  return snapshotForLag(rec);
}

export function liveUsers(t: { directory: DirectoryState }): DirUser[] {
  return Object.values(t.directory.users).filter((u) => !u._deleted);
}

export function liveGroups(t: { directory: DirectoryState }): DirGroup[] {
  return Object.values(t.directory.groups).filter((g) => !g._deleted);
}

/** SMTP addresses an object answers to: its mail and every smtp: proxy address, lower case. */
export function smtpAddresses(o: { mail: string | null; proxyAddresses: string[] }): string[] {
  const out = new Set<string>();
  if (o.mail) out.add(o.mail.toLowerCase());
  for (const p of o.proxyAddresses) if (/^smtp:/i.test(p)) out.add(p.slice(5).toLowerCase());
  return [...out];
}

/** Remove an object's entries from the indexes (before a change or a delete). */
export function unindex(t: TenantState, o: { id: string; mail: string | null; proxyAddresses: string[]; userPrincipalName?: string }): void {
  const d = t.directory;
  if (o.userPrincipalName && d.byUpn[o.userPrincipalName.toLowerCase()] === o.id) delete d.byUpn[o.userPrincipalName.toLowerCase()];
  for (const a of smtpAddresses(o)) if (d.byAddress[a] === o.id) delete d.byAddress[a];
}

export function index(t: TenantState, o: { id: string; mail: string | null; proxyAddresses: string[]; userPrincipalName?: string }): void {
  const d = t.directory;
  if (o.userPrincipalName) d.byUpn[o.userPrincipalName.toLowerCase()] = o.id;
  for (const a of smtpAddresses(o)) d.byAddress[a] = o.id;
}

/** Stamp a tracked write (a user or group already in its map): the next seq, noted in the map's
 *  change log for delta queries, and replication lag (faults.replicationLagMs, from the running
 *  handler's write context): `before` is the record before the change (beforeChange), null for a
 *  create, omitted when unknown (the change is visible at once). */
export function touch(t: TenantState, rec: Tracked, before?: Tracked | null): void {
  rec._seq = nextSeq(t);
  if (stampLag(rec, before)) {
    noteLagging(t, rec);
    carryMemberChanges(rec);
  }
  const id = (rec as { id?: unknown }).id;
  if (typeof id !== 'string') return;
  if (t.directory.users[id] === rec) {
    noteWrite(t.directory.users, rec);
    // Exchange's copy of the user (its mailbox or mail user) changes with it; a guest gets one.
    touchRecipientOfUser(t, id);
  } else if (t.directory.groups[id] === rec) noteWrite(t.directory.groups, rec);
}

/** Add (removed: false) or remove (removed: true) members of a group: one write of the group, and
 *  the member changes carry its seq, so a delta round reports both or neither. (With a seq of
 *  their own just below the group's, a round capped between the two, as replication lag caps
 *  them, left the change out of every later round.) */
export function changeMembers(t: TenantState, g: DirGroup, ids: readonly string[], removed: boolean): void {
  touch(t, g);
  for (const id of ids) g.members[id] = removed ? { seq: g._seq, removed: true } : { seq: g._seq };
}

/** A lagging write to a group takes every member change along to its seq. Rounds end below a write
 *  still replicating, so one may cover the seq of an earlier member change while the group's
 *  record already sits at the newer seq: that round leaves the group out, and the round that
 *  reports it would then only report member changes after its own start. Reporting a change again
 *  is harmless to delta readers. Without lag no round ends between two writes of a group that
 *  it does not report, so nothing is carried (and generating a large group stays linear). */
function carryMemberChanges(rec: Tracked): void {
  const members = (rec as Partial<DirGroup>).members;
  if (!members) return;
  for (const id in members) members[id]!.seq = rec._seq;
}

/** Apply a change to a user, keeping the indexes in step with its UPN, mail and proxy addresses. */
export function updateUser(t: TenantState, u: DirUser, change: (u: DirUser) => void): void {
  const before = beforeChange(u);
  unindex(t, u);
  change(u);
  index(t, u);
  touch(t, u, before);
}

export function updateGroup(t: TenantState, g: DirGroup, change: (g: DirGroup) => void): void {
  const before = beforeChange(g);
  unindex(t, g);
  change(g);
  index(t, g);
  touch(t, g, before);
}

export function emptyExtensionAttributes(): ExtensionAttributes {
  const out: ExtensionAttributes = {};
  for (let i = 1; i <= 15; i++) out[`extensionAttribute${i}`] = null;
  return out;
}

/** Live member ids of a group, in the order they were added. */
export function memberIds(g: DirGroup): string[] {
  return Object.entries(g.members).filter(([, m]) => !m.removed).map(([id]) => id);
}

export function findSku(t: { directory: DirectoryState }, skuIdOrPart: string): Subscription | undefined {
  const k = skuIdOrPart.toLowerCase();
  return t.directory.skus.find((s) => s.skuId === k || s.skuPartNumber.toLowerCase() === k);
}
