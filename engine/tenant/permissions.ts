// Which application permissions (app roles) each phase needs, and which one a refused request
// needed. A requirement is met by the named role or any broader one (ReadWrite covers Read,
// Directory.* covers users and groups), as in Microsoft's permission reference.
import type { Project, TenantRole } from '../manifest/model.js';
import { phaseIndex } from '../manifest/model.js';

export type PermissionPhase = 'discover' | 'prepare' | 'sync' | 'cutover' | 'invitations';

/** Optional parts of a project that need permissions of their own. */
export type PermissionFeature = 'emailRewrite' | 'groups' | 'mail' | 'onedrive' | 'notification';

export interface RoleRequirement {
  /** The least-privileged role that meets it, as shown to the user. */
  readonly role: string;
  /** Roles any one of which meets it (role included). */
  readonly anyOf: readonly string[];
  readonly why: string;
  /** Needed only when the project uses one of these features (always when absent). */
  readonly uses?: readonly PermissionFeature[];
}

export interface MissingRole extends RoleRequirement {
  readonly phase: PermissionPhase;
}

const BROADER: Record<string, readonly string[]> = {
  'User.Read.All': ['User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  'User.ReadWrite.All': ['Directory.ReadWrite.All'],
  'Group.Read.All': ['Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  'Group.ReadWrite.All': ['Directory.ReadWrite.All'],
  'Directory.Read.All': ['Directory.ReadWrite.All'],
  'Files.Read.All': ['Files.ReadWrite.All'],
  'Mail.Read': ['Mail.ReadWrite'],
  'User.Invite.All': ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
};

function req(role: string, why: string, alternatives: readonly string[] = [], uses?: readonly PermissionFeature[]): RoleRequirement {
  return { role, anyOf: [role, ...(BROADER[role] ?? []), ...alternatives], why, ...(uses ? { uses } : {}) };
}

const MAILBOX_CONTENT = ['MailboxItem.ImportExport.All'];

/** Requirements per phase and tenant role. */
export const PHASE_ROLES: Record<PermissionPhase, Record<TenantRole, readonly RoleRequirement[]>> = {
  discover: {
    source: [req('User.Read.All', 'read users'), req('Group.Read.All', 'read groups and members'), req('Directory.Read.All', 'read licences and domains'), req('Exchange.ManageAsApp', 'read mailboxes and contacts')],
    target: [req('User.Read.All', 'read users'), req('Group.Read.All', 'read groups and members'), req('Directory.Read.All', 'read licences and domains'), req('Exchange.ManageAsApp', 'read mail users and contacts')],
  },
  prepare: {
    source: [req('Group.ReadWrite.All', 'mirror email-rewrite groups', [], ['emailRewrite'])],
    target: [req('User.ReadWrite.All', 'create and update target users'), req('Group.ReadWrite.All', 'carry group membership', [], ['groups', 'emailRewrite']), req('Exchange.ManageAsApp', 'mail-enable users, create contacts')],
  },
  sync: {
    source: [req('Mail.Read', 'read mailbox content', MAILBOX_CONTENT, ['mail']), req('Files.Read.All', 'read OneDrive content', [], ['onedrive']), req('Exchange.ManageAsApp', 'read mailbox settings')],
    target: [req('Mail.ReadWrite', 'write mailbox content', MAILBOX_CONTENT, ['mail']), req('Files.ReadWrite.All', 'write OneDrive content', [], ['onedrive']), req('User.ReadWrite.All', 'assign licences, convert guests'), req('Exchange.ManageAsApp', 'set forwarding')],
  },
  cutover: {
    source: [req('Exchange.ManageAsApp', 'hide and forward the source mailbox')],
    target: [req('Exchange.ManageAsApp', 'unhide mailbox, stamp X500'), req('Mail.Send', 'send the cutover notification', [], ['notification'])],
  },
  invitations: {
    source: [],
    target: [req('User.Invite.All', 'create guest users (invitations)')],
  },
};

/** The phases a project's waves exercise: discovery always, then every phase up to each wave's declared one. */
export function phasesInUse(project: Pick<Project, 'waves' | 'profiles'>): PermissionPhase[] {
  const phases = new Set<PermissionPhase>(['discover']);
  for (const wave of project.waves) {
    const i = phaseIndex(wave.phase);
    if (i >= 1) phases.add('prepare');
    if (i >= 2) phases.add('sync');
    if (i >= 3) phases.add('cutover');
    if (i >= 1 && project.profiles[wave.profile]?.createAs === 'guest') phases.add('invitations');
  }
  return (['discover', 'prepare', 'sync', 'cutover', 'invitations'] as const).filter((p) => phases.has(p));
}

/**
 * The optional features the project's waves use, each counted only from the phase that exercises
 * it: email rewrite (a wave with emailRewrite dayOne from prepared, dayTwo at cutover), carried
 * group membership (spec.groups, from prepared), mailbox or archive and OneDrive content (the
 * profile's workloads, from synced), the cutover notification (the profile's, at cutover).
 */
export function featuresInUse(project: Pick<Project, 'waves' | 'profiles' | 'groups'>): Set<PermissionFeature> {
  const features = new Set<PermissionFeature>();
  for (const wave of project.waves) {
    const i = phaseIndex(wave.phase);
    const profile = project.profiles[wave.profile];
    if ((wave.emailRewrite === 'dayOne' && i >= 1) || (wave.emailRewrite === 'dayTwo' && i >= 3)) features.add('emailRewrite');
    if (i >= 1 && project.groups.length > 0) features.add('groups');
    if (i >= 2 && profile?.workloads.some((w) => w === 'mailbox' || w === 'archive')) features.add('mail');
    if (i >= 2 && profile?.workloads.includes('onedrive')) features.add('onedrive');
    if (i >= 3 && profile?.notification) features.add('notification');
  }
  return features;
}

/**
 * Requirements of the given phases for a tenant of this role that the granted roles do not meet.
 * With `features` (featuresInUse), a requirement of a feature the project does not use is left out.
 */
export function missingRoles(granted: readonly string[], phases: readonly PermissionPhase[], role: TenantRole, features?: ReadonlySet<PermissionFeature>): MissingRole[] {
  const have = new Set(granted);
  const missing: MissingRole[] = [];
  const seen = new Set<string>();
  for (const phase of phases) {
    for (const r of PHASE_ROLES[phase][role]) {
      if (features && r.uses && !r.uses.some((f) => features.has(f))) continue;
      if (r.anyOf.some((g) => have.has(g)) || seen.has(r.role)) continue;
      seen.add(r.role);
      missing.push({ ...r, phase });
    }
  }
  return missing;
}

/** The least-privileged role a Graph request needs, for the hint of a 403; undefined when unknown. */
export function requiredRole(method: string, url: string): string | undefined {
  const path = pathOf(url);
  const write = method.toUpperCase() !== 'GET';
  if (path.startsWith('/adminapi/')) return 'Exchange.ManageAsApp';
  // A user's mailbox ids (the way into import/export) need only User.Read.All (Graph: usersettings-list-exchange).
  if (/^\/users\/[^/]+\/settings\/exchange$/.test(path)) return 'User.Read.All';
  if (/^\/admin\/exchange\/mailboxes/.test(path)) return 'MailboxItem.ImportExport.All';
  if (/^\/users\/[^/]+\/sendmail$/.test(path)) return 'Mail.Send';
  if (/^\/users\/[^/]+\/(messages|mailfolders)/.test(path)) return write ? 'Mail.ReadWrite' : 'Mail.Read';
  if (/^\/(users\/[^/]+\/)?drives?\b/.test(path)) return write ? 'Files.ReadWrite.All' : 'Files.Read.All';
  if (path.startsWith('/invitations')) return 'User.Invite.All';
  if (path.startsWith('/users')) return write ? 'User.ReadWrite.All' : 'User.Read.All';
  if (path.startsWith('/groups')) return write ? 'Group.ReadWrite.All' : 'Group.Read.All';
  if (path.startsWith('/subscribedskus') || path.startsWith('/domains') || path.startsWith('/organization')) return 'Directory.Read.All';
  if (path.startsWith('/contacts')) return 'Directory.Read.All';
  return undefined;
}

/** Lower-case path without origin, version and query: /users/x/messages */
function pathOf(url: string): string {
  let p = url;
  try {
    if (/^https?:/i.test(url)) p = new URL(url).pathname;
  } catch {
    // relative path
  }
  p = p.split('?')[0]!.toLowerCase();
  if (!p.startsWith('/')) p = '/' + p;
  return p.replace(/^\/(v1\.0|beta)(?=\/)/, '');
}
