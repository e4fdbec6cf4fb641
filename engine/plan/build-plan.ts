// buildPlan: (project, inventory) -> Plan, pure (STYLE.md 1). For each wave and member: match,
// observe, diff every resource kind against the declared phase, order the changes, then apply
// the project-wide guards (maxDeletes), orphans, estimates and warnings. buildStatus is the same
// pass seen per user; streamPlan is the same pass handing each user's changes on as they are made.
import { createHash } from 'node:crypto';
import { phaseIndex, type Phase, type Project } from '../manifest/model.js';
import type { Inventory, InventoryUser, MigrationMarker, TenantInventory, WorkloadName } from '../inventory/model.js';
import { excludedUserKeys, expandWaveMembers, type ExpandedWave, type SourceTenantIndex, type UnresolvedAddress } from '../matching/expand-members.js';
import { matchUser, type MatchResult } from '../matching/match-user.js';
import { shownAddress } from '../matching/normalize.js';
import { indexTenant, type TenantIndex } from '../matching/tenant-index.js';
import { LicensePool } from '../resources/license/license-pool.js';
import { RESOURCE_KINDS } from '../resources/registry.js';
import type { Action, PlanContext, ResourceChange } from '../resources/types.js';
import { certificateWarnings, type CertificateValidity } from './certificates.js';
import { userConditions, waveConditions } from './conditions.js';
import { computeEstimate, EstimateAccumulator, type Throughput } from './estimate.js';
import { changeIdFromSeed, stableId, userIdSeed } from './ids.js';
import { PLAN_FORMAT_VERSION, type ObservedPhase, type Orphan, type Plan, type PlanChange, type PlanHead, type PlanOutline, type Refusal, type UserState, type WavePlan } from './model.js';
import { declaredRank, observedPhase, observedRank } from './observed-phase.js';
import { planUser } from './plan-user.js';
import { maxDeletesRefusal } from './refusal.js';
import { targetCollisions } from './target-collisions.js';
import { buildUserContext } from './user-context.js';
import { runStepsSync } from '../util/run-steps.js';

export interface PlanInput {
  readonly project: Project;
  readonly inventory: Inventory;
  readonly revision: { readonly commit: string | null; readonly dirty: boolean };
  readonly now: Date | string;
  /** Plan one wave only (others still count as declared, for orphans). */
  readonly waveFilter?: string;
  /** Validity of the project's certificates (from the certs module): expiring ones warn. */
  readonly certificates?: readonly CertificateValidity[];
  /** Template contents by project-relative path (notification bodies, invitation messages). */
  readonly files?: Readonly<Record<string, string>>;
  readonly throughput?: Throughput;
  /** Waves whose scheduled delta sync is due: their synced users get a content delta sync. */
  readonly deltaSyncWaves?: readonly string[];
  /** Hash of the manifests as loaded (default: sha256 of the Project model). */
  readonly manifestHash?: string;
}

export interface Analysis {
  readonly plan: Plan;
  readonly users: UserState[];
}

/** Receives a streamed plan as it is made (streamPlan). */
export interface PlanSink {
  /** One user's changes, as soon as the user is planned (with, before the first change that needs
   *  it, the create of a group no earlier user needed: that change has user ''). */
  changes(changes: readonly PlanChange[]): void;
  /** The wave whose users were just handed on. */
  wave(wave: WavePlan): void;
}

const EMPTY_TENANT = (name: string): TenantInventory => ({
  tenant: name,
  tenantId: '',
  discoveredAt: '',
  users: [],
  groups: [],
  recipients: [],
  skus: [],
  domains: [],
  content: new Map(),
});

function hashProject(project: Project): string {
  const { dir: _dir, ...rest } = project;
  return 'sha256:' + createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/** Unresolved members named one by one in a wave's warnings, per reason; past that, one warning
 *  names the first ones and counts them all (as discover's report does). */
const UNRESOLVED_LISTED = 10;

/** A wave's unresolved members as warnings: one each, in the order the wave lists them; but when
 *  a reason is shared by more than UNRESOLVED_LISTED members (a CSV exported from the wrong tenant
 *  leaves thousands not found), the warnings go by reason, and that reason's are one warning with
 *  their count and the first of them. */
function unresolvedWarnings(wave: string, unresolved: readonly UnresolvedAddress[]): string[] {
  const one = (u: UnresolvedAddress) => `wave ${wave}: member ${u.address} (${u.via}) not resolved: ${u.reason}${u.hint ? `; ${u.hint}` : ''}`;
  const byReason = new Map<string, UnresolvedAddress[]>();
  for (const u of unresolved) {
    const list = byReason.get(u.reason);
    if (list) list.push(u);
    else byReason.set(u.reason, [u]);
  }
  if ([...byReason.values()].every((l) => l.length <= UNRESOLVED_LISTED)) return unresolved.map(one);
  const out: string[] = [];
  for (const [reason, list] of byReason) {
    if (list.length <= UNRESOLVED_LISTED) for (const u of list) out.push(one(u));
    else {
      const first = list.slice(0, UNRESOLVED_LISTED).map((u) => `${u.address} (${u.via})`);
      const hinted = list.filter((u) => u.hint);
      const plus = hinted.length ? `; ${hinted.length} of them with a +tag name a source user without it (${hinted[0]!.address}: ${hinted[0]!.hint})` : '';
      out.push(`wave ${wave}: ${list.length} members not resolved: ${reason}; the first ${UNRESOLVED_LISTED}: ${first.join(', ')}${plus}`);
    }
  }
  return out;
}

function matchBlock(m: MatchResult): { reason: string; message: string } {
  if (m.status === 'ambiguous') return { reason: 'Ambiguous', message: m.reason ?? 'ambiguous match' };
  if (m.status === 'conflict') return { reason: 'Conflict', message: m.reason ?? 'conflicting marker' };
  return { reason: 'GuestMatchingRefused', message: m.reason ?? 'guest matching refused' };
}

/** Where a wave declares a user, for a message: "wave-01 (through group Sales)". */
function place(wave: string, via: string): string {
  const how = via === 'users' ? 'listed' : via === 'csv' ? 'in its CSV' : `through group ${via.slice('group:'.length)}`;
  return `${wave} (${how})`;
}

/**
 * Why a guest profile's user whose target is a member is refused at prepared, or undefined when it
 * is not: refused once t2t converted it (the marker's guestConvertedAt), or once it reached synced
 * (the observed phase or the marker's, however it became a member). A member that never got that
 * far (adopted as one, a licence never assigned) has no mailbox of t2t's making to strand.
 */
function convertedGuestRefusal(marker: MigrationMarker | undefined, observed: ObservedPhase, target: string): string | undefined {
  const convertedAt = marker?.guestConvertedAt;
  if (convertedAt === undefined && observedRank(observed) < 2 && (marker?.phase === undefined || phaseIndex(marker.phase) < 2)) return undefined;
  const what = convertedAt !== undefined ? `the guest was converted to member ${target} on ${convertedAt}` : `its target ${target} is a member, no longer a guest`;
  return (
    `cannot go back to prepared: ${what}, which cannot be undone, and at prepared a guest profile's user is a B2B guest shown in the address lists without forwarding ` +
    '(its mailbox would be shown with nobody reading it); move the user to a wave at synced, or to one at discovered to release it (hidden, kept)'
  );
}

/** Plan and status in one pass: the plan with every change, and (when asked) every user's state. */
export function analyse(input: PlanInput, collectUsers = true): Analysis {
  const { outline, changes, users } = runStepsSync(planSteps(input, collectUsers, undefined));
  const { formatVersion, project, revision, ...rest } = outline;
  // the pinned key order of Plan (changes after revision), as renderers and saved plans expect
  return { plan: { formatVersion, project, revision, changes, ...rest }, users };
}

/**
 * The plan as it is made: each user's changes go to the sink as soon as the user is planned, each
 * wave when its users are done, and no change is kept. A first plan of 100,000 users has about
 * 383,000 changes: kept until rendering, they are copied by the young-generation GC, promoted, and
 * marked by a full GC; handed on per user, they die young. Returns the plan without its changes
 * (summary and refusal included).
 */
export function streamPlan(input: PlanInput, sink: PlanSink): PlanOutline {
  return runStepsSync(planSteps(input, false, sink)).outline;
}

/**
 * streamPlan in steps: the generator pauses every few thousand users (and after each wave), so a
 * caller on the event loop can let it turn between steps (signals, timers) and stop early. A plan
 * of 100,000 users takes seconds, and Ctrl-C is handled only when JavaScript yields. Returns the
 * outline when done.
 */
export function* streamPlanSteps(input: PlanInput, sink: PlanSink): Generator<void, PlanOutline, void> {
  return (yield* planSteps(input, false, sink)).outline;
}

/** Every user's state and the plan without its changes, for status: the changes are made (a
 *  user's conditions count them) and dropped at once, as streamPlan drops them. A status of 100,000
 *  users in flight then holds none of their 383,000 changes. */
export function* analyseUsersSteps(input: PlanInput): Generator<void, { outline: PlanOutline; users: UserState[] }, void> {
  const { outline, users } = yield* planSteps(input, true, DROP_CHANGES);
  return { outline, users };
}

const DROP_CHANGES: PlanSink = { changes() {}, wave() {} };

/** The members of the plan known before planning: the start of its JSON. */
export function planHead(input: PlanInput): PlanHead {
  return { formatVersion: PLAN_FORMAT_VERSION, project: input.project.name, revision: { commit: input.revision.commit, dirty: input.revision.dirty } };
}

/** Users planned between two pauses of planSteps: a few tens of milliseconds of work. */
const USERS_PER_STEP = 2000;

function* planSteps(input: PlanInput, collectUsers: boolean, sink: PlanSink | undefined): Generator<void, { outline: PlanOutline; changes: PlanChange[]; users: UserState[] }, void> {
  const { project, inventory } = input;
  const now = typeof input.now === 'string' ? new Date(input.now) : input.now;
  const commit = input.revision.commit;
  const warnings: string[] = [];
  const refused: Refusal[] = [];
  const orphans: Orphan[] = [];
  const changes: PlanChange[] = [];
  const users: UserState[] = [];
  const waves: WavePlan[] = [];

  const tenantOf = (name: string): TenantInventory => {
    const t = inventory.tenants[name];
    if (t) return t;
    warnings.push(`tenant ${name} has not been discovered yet: run 't2t discover' (planned as empty)`);
    return EMPTY_TENANT(name);
  };
  const sources: SourceTenantIndex[] = project.tenants.filter((t) => t.role === 'source').map((t) => ({ name: t.name, index: indexTenant(tenantOf(t.name)) }));
  const targetTenant = project.tenants.find((t) => t.role === 'target');
  const targetName = targetTenant?.name ?? '';
  const targetIndex: TenantIndex = indexTenant(targetTenant ? tenantOf(targetTenant.name) : EMPTY_TENANT(''));
  if (project.tenants.filter((t) => t.role === 'target').length > 1) warnings.push(`several target tenants: only ${targetName} is planned`);
  const sourceIndexByName = new Map(sources.map((s) => [s.name, s.index]));

  const excluded = excludedUserKeys(project.safety.exclude, sources, (m) => warnings.push(m));
  // every wave is expanded (also filtered and paused ones): a user declared anywhere is no orphan
  const expanded = new Map<string, ExpandedWave>();
  // source user -> the wave that claims it. Keyed by the user's record, not its id: a record is
  // hashed by identity, while an id string must be compared with the key, another string somewhere
  // else in a 500 MB heap (this lookup was 5 % of a 100,000-user plan)
  const claim = new Map<InventoryUser, string>();
  // target users matched by their marker to a user planned here: that user is claimed, so the
  // orphan pass knows them declared without looking their source user up by id again
  const markedByPlanned = new Set<InventoryUser>();
  // A user belongs to one wave only, except across waves at phase discovered (SPEC section 2).
  // Validation checks the addresses and group names as written; a user reached through two
  // groups, or by two of its addresses, is only seen here: the wave that claims it (the first in
  // the project) refuses it, naming every place (source user -> "wave (how)", the claiming one
  // first).
  const places = new Map<InventoryUser, string[]>();
  // how each member came into a wave, indexed only for a wave whose member is found again
  const viaByWave = new Map<string, Map<InventoryUser, string>>();
  const viaIn = (wave: string, u: InventoryUser): string => {
    let vias = viaByWave.get(wave);
    if (!vias) viaByWave.set(wave, (vias = new Map(expanded.get(wave)!.members.map((m) => [m.user, m.via]))));
    return vias.get(u)!;
  };
  const byDiscoveredLast = [...project.waves].sort((a, b) => Number(a.phase === 'discovered') - Number(b.phase === 'discovered'));
  for (const w of byDiscoveredLast) {
    const e = expandWaveMembers(w, sources, excluded);
    expanded.set(w.name, e);
    const members = e.members;
    for (let i = 0; i < members.length; i++) {
      const u = members[i]!.user;
      const first = claim.get(u);
      if (first === undefined) claim.set(u, w.name);
      // discovered waves come last: `first` is not at discovered when w is not
      else if (w.phase !== 'discovered') {
        let list = places.get(u);
        if (!list) places.set(u, (list = [place(first, viaIn(first, u))]));
        list.push(place(w.name, members[i]!.via));
      }
    }
  }

  // two source users that would become one target user are refused (target-collisions.ts); the
  // matches made to find them are the planning pass's
  const collisions = targetCollisions(project, expanded, claim, targetIndex);
  const pool = new LicensePool(targetIndex);
  const files = input.files ?? {};
  const planCtx: PlanContext = { project, now, mode: 'plan', licenses: pool, files, commit, ...(input.deltaSyncWaves?.length ? { deltaSyncWaves: new Set(input.deltaSyncWaves) } : {}) };
  const observeCtx: PlanContext = { ...planCtx, mode: 'observe' };
  const groupCreates = new Map<string, PlanChange>();
  const missingGroups = new Map<string, number>();
  // membership of a group that does not exist and may not be created: counted, not planned
  const keep = (c: ResourceChange) => {
    if (!c.op.endsWith('.add') || c.params['groupId'] !== null || c.params['createGroup'] === true) return true;
    const k = `${c.tenant}|${String(c.params['groupName'])}`;
    missingGroups.set(k, (missingGroups.get(k) ?? 0) + 1);
    return false;
  };
  const ids: string[] = [];
  const summary: Record<Action, number> = { create: 0, update: 0, delete: 0, run: 0 };
  let oneWayDeletes = 0;
  const tally = (list: readonly PlanChange[]) => {
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      summary[c.action]++;
      if (c.action === 'delete' && c.reversibility === 'one-way') oneWayDeletes++;
    }
  };

  for (const wave of project.waves) {
    if (input.waveFilter !== undefined && wave.name !== input.waveFilter) continue;
    const e = expanded.get(wave.name)!;
    for (const w of unresolvedWarnings(wave.name, e.unresolved)) warnings.push(w);
    const profile = project.profiles[wave.profile];
    if (!profile) {
      warnings.push(`wave ${wave.name}: profile ${wave.profile} is not defined: nothing planned`);
      continue;
    }
    let effective: Phase = wave.phase;
    const cutoverAt = wave.schedule.cutoverAt;
    const gated = wave.phase === 'cutover' && !!cutoverAt && now.getTime() < Date.parse(cutoverAt);
    if (gated && !wave.paused) {
      effective = 'synced';
      warnings.push(`wave ${wave.name}: cutover scheduled for ${cutoverAt}; planning phase synced until then`);
    }
    // as validate says (unlicensed-profile), for the reviewer of a plan, who may never run validate
    if (!wave.paused && phaseIndex(effective) >= 2 && e.members.length > 0 && !(profile.license?.skus.length ?? 0)) {
      warnings.push(`wave ${wave.name}: profile ${wave.profile} assigns no licence: its users get a mailbox in the target only if the tenant licenses them another way (group-based licensing); until then their forwarding and mailbox sync wait`);
    }
    const acc = new EstimateAccumulator();
    const observedCount: Partial<Record<ObservedPhase, number>> = {};
    let count = 0;
    let blockedUsers = 0;
    let pendingUsers = 0;
    let firstBlocked: { reason: string; message: string } | undefined;
    const blockedByReason = new Map<string, { n: number; message: string }>();
    const waveOrphansBefore = orphans.length;
    const matchOptions = { rules: project.matching, domains: project.domains, guest: profile.createAs === 'guest' };

    // one closure per wave, not per user (100,000 users)
    const record = (
      address: string,
      match: MatchResult,
      declared: Phase,
      phase: ObservedPhase,
      target: string | null,
      n: number,
      blocked?: { reason: string; message: string },
    ) => {
      observedCount[phase] = (observedCount[phase] ?? 0) + 1;
      if (blocked) {
        blockedUsers++;
        firstBlocked ??= blocked;
        const b = blockedByReason.get(blocked.reason);
        if (b) b.n++;
        else blockedByReason.set(blocked.reason, { n: 1, message: blocked.message });
      } else if (n > 0) pendingUsers++;
      if (collectUsers) {
        users.push({
          wave: wave.name,
          source: address,
          target,
          declared,
          phase,
          paused: wave.paused,
          match: { status: match.status, ...(match.rule ? { rule: match.rule } : {}), ...(match.reason ? { reason: match.reason } : {}) },
          changes: n,
          conditions: userConditions({ paused: wave.paused, changes: n, declared, observed: phase, ...(blocked ? { blocked } : {}) }, commit),
          sourceType: match.source.userType,
          targetType: target !== null ? (match.target?.userType ?? null) : null,
        });
      }
    };

    const members = e.members;
    // the members' matches, made while looking for collisions: a member without one is claimed
    // by another wave (no second lookup in `claim`, a cache miss per user)
    const known = collisions.matches.get(wave.name);
    for (let mi = 0; mi < members.length; mi++) {
      const member = members[mi]!;
      if (known ? known[mi] === undefined : claim.get(member.user) !== wave.name) continue;
      if (++count % USERS_PER_STEP === 0) yield;
      const sourceIndex = sourceIndexByName.get(member.sourceTenant)!;
      const match = known ? known[mi]! : matchUser(member.user, member.sourceTenant, targetIndex, matchOptions);
      const address = shownAddress(member.user);

      const collision = collisions.refusals.get(member.user);
      if (collision !== undefined || match.status === 'ambiguous' || match.status === 'conflict' || match.refused) {
        const blocked = collision ?? matchBlock(match);
        if (effective !== 'discovered' && !wave.paused) refused.push({ user: address, wave: wave.name, reason: blocked.message });
        record(address, match, effective, 'unmatched', null, 0, blocked);
        continue;
      }
      if (match.rule === 'marker' && match.target) markedByPlanned.add(match.target);
      const user = buildUserContext(project, wave, profile, match, sourceIndex, targetName, targetIndex);
      const actuals: unknown[] = new Array(RESOURCE_KINDS.length);
      for (let i = 0; i < RESOURCE_KINDS.length; i++) actuals[i] = RESOURCE_KINDS[i]!.actual(observeCtx, user);
      const observed = observedPhase(observeCtx, user, RESOURCE_KINDS, actuals);
      const target = user.target ? user.ref.targetAddress : null;
      const elsewhere = places.get(member.user);
      if (elsewhere) {
        const reason = `in ${elsewhere.length} waves: ${elsewhere.join(', ')}; a user belongs to one wave only: take it out of all but one`;
        // reported in a paused wave too, where nothing is refused
        if (wave.paused) warnings.push(`wave ${wave.name}: ${address} is ${reason}`);
        else refused.push({ user: address, wave: wave.name, reason });
        record(address, match, wave.paused ? wave.phase : effective, observed, target, 0, { reason: 'InSeveralWaves', message: reason });
        continue;
      }
      if (wave.paused) {
        record(address, match, wave.phase, observed, target, 0);
        continue;
      }
      // content still to copy, for the estimate (a refused user's is not: it is in no wave's sync)
      for (const w of profile.workloads) {
        if (user.marker?.sync?.[w as WorkloadName]?.initialDoneAt) continue;
        const c = user.content;
        if (!c) continue;
        if (w === 'mailbox') acc.add(c.mailboxBytes, c.mailboxItems);
        else if (w === 'archive') acc.add(c.archiveBytes, c.archiveItems);
        else acc.add(c.driveBytes, c.driveItems);
      }
      // an interrupted cutover resumes where the tenants show it stopped, schedule or not
      const declared: Phase = gated && observedRank(observed) >= 2.5 ? 'cutover' : effective;
      if (declared === 'discovered' && !user.marker) {
        record(address, match, declared, observed, target, 0);
        continue;
      }
      if (declaredRank(declared) < observedRank(observed) && user.marker?.notificationSentAt) {
        const reason = `cannot go back to ${declared}: the cutover notification was sent on ${user.marker.notificationSentAt} (the point of no return); move the user to a wave that stays at cutover`;
        refused.push({ user: address, wave: wave.name, reason });
        record(address, match, declared, observed, target, 0, { reason: 'PointOfNoReturn', message: reason });
        continue;
      }
      // a guest profile's user at prepared is a B2B guest, shown in the address lists, forwarding
      // nothing: a guest converted to a member (one-way) cannot be one again, and planned as if it
      // were, its licensed mailbox would lose its forwarding and stay shown, nobody reading it
      if (declared === 'prepared' && profile.createAs === 'guest' && user.target !== undefined && user.target.userType === 'Member') {
        const reason = convertedGuestRefusal(user.marker, observed, target!);
        if (reason !== undefined) {
          refused.push({ user: address, wave: wave.name, reason });
          record(address, match, declared, observed, target, 0, { reason: 'GuestConverted', message: reason });
          continue;
        }
      }
      const r = planUser(planCtx, user, declared, observed, keep, RESOURCE_KINDS, actuals);
      const seed = r.changes.length ? userIdSeed(wave.name, address) : undefined;
      for (let i = 0; i < r.changes.length; i++) {
        const c = r.changes[i]!;
        // dependsOn names changes of earlier stages only: their ids are already made
        const id = changeIdFromSeed(seed!, c.resource, c.op, c.key);
        ids[i] = id;
        const after = r.after[i]!;
        const dependsOn: string[] = new Array(after.length);
        for (let k = 0; k < after.length; k++) dependsOn[k] = ids[after[k]!]!;
        if (c.op.endsWith('.add') && c.params['groupId'] === null) {
          const gk = `${c.tenant}|${String(c.params['groupName']).toLowerCase()}`;
          let g = groupCreates.get(gk);
          if (!g) {
            g = {
              id: stableId('group.create', c.tenant, String(c.params['groupName']).toLowerCase()),
              wave: wave.name,
              user: '',
              tenant: c.tenant,
              resource: c.resource,
              action: 'create',
              summary: `create group ${String(c.params['groupName'])} in ${c.tenant}`,
              reversibility: 'reversible',
              dependsOn: [],
              op: 'group.create',
              params: { displayName: c.params['groupName']!, mailEnabled: false, securityEnabled: true },
              inverseOp: 'group.delete',
            };
            groupCreates.set(gk, g);
            // right before the first change that needs the group: a plan lists a change after
            // those it depends on, and a streamed plan can hand the create on with the user
            changes.push(g);
          }
          dependsOn.push(g.id);
        }
        changes.push({
          id,
          wave: wave.name,
          user: address,
          tenant: c.tenant,
          resource: c.resource,
          action: c.action,
          summary: c.summary,
          reversibility: c.reversibility,
          dependsOn,
          op: c.op,
          params: c.params,
          inverseOp: c.inverseOp,
        });
      }
      if (sink && changes.length) {
        tally(changes);
        sink.changes(changes.splice(0));
      }
      for (const o of r.orphans) orphans.push(o);
      record(address, match, declared, observed, target, r.changes.length, r.blocked);
    }

    for (const [reason, b] of blockedByReason) warnings.push(`wave ${wave.name}: ${b.n} user${b.n === 1 ? '' : 's'} blocked (${reason}); first: ${b.message}`);
    const estimate = wave.paused ? null : computeEstimate(acc, now, input.throughput ?? {}, wave.name, cutoverAt);
    if (estimate?.warning) warnings.push(estimate.warning);
    const wavePlan: WavePlan = {
      name: wave.name,
      phase: wave.phase,
      effectivePhase: wave.paused ? wave.phase : effective,
      paused: wave.paused,
      users: count,
      excluded: e.excluded.length,
      unresolved: e.unresolved.length,
      observed: observedCount,
      estimate,
      orphans: orphans.length - waveOrphansBefore,
      conditions: waveConditions(
        {
          paused: wave.paused,
          users: count,
          blocked: blockedUsers,
          pending: pendingUsers,
          ...(firstBlocked ? { firstBlocked } : {}),
          ...(e.unresolved.length ? { unresolved: { n: e.unresolved.length, first: `${e.unresolved[0]!.address} (${e.unresolved[0]!.via}): ${e.unresolved[0]!.reason}${e.unresolved[0]!.hint ? `; ${e.unresolved[0]!.hint}` : ''}` } } : {}),
        },
        commit,
      ),
    };
    waves.push(wavePlan);
    sink?.wave(wavePlan);
    yield;
  }
  if (input.waveFilter !== undefined && !project.waves.some((w) => w.name === input.waveFilter)) {
    warnings.push(`no wave named ${input.waveFilter}: nothing planned (waves: ${project.waves.map((w) => w.name).join(', ') || 'none'})`);
  }
  for (const [k, n] of missingGroups) {
    const [tenant, group] = k.split('|');
    warnings.push(`group ${group} does not exist in ${tenant} and its mapping has create: false: membership of ${n} user${n === 1 ? '' : 's'} not planned`);
  }

  // target users t2t marked for a source user that no wave declares any more, by UPN (not in the
  // order the cache holds them in)
  const markedOrphansFrom = orphans.length;
  const targetUsers = targetIndex.tenant.users;
  for (let ti = 0; ti < targetUsers.length; ti++) {
    const t = targetUsers[ti]!;
    const m = t.marker;
    if (!m) continue;
    if (input.waveFilter !== undefined && m.wave !== input.waveFilter) continue;
    // declared: a member of some wave (claimed) or excluded by spec.safety.exclude
    if (markedByPlanned.has(t)) continue;
    const marked = sourceIndexByName.get(m.sourceTenant)?.userById.get(m.sourceUserId);
    if ((marked && claim.has(marked)) || (excluded.size > 0 && excluded.has(`${m.sourceTenant}:${m.sourceUserId}`))) continue;
    orphans.push({
      tenant: targetName,
      resource: 'marker',
      object: `target user ${t.userPrincipalName}`,
      reason: `carries the marker of source user ${m.sourceTenant}:${m.sourceUserId} (wave ${m.wave}), which no wave declares any more`,
      wave: m.wave,
    });
  }
  if (orphans.length - markedOrphansFrom > 1) {
    const marked = orphans.splice(markedOrphansFrom).sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
    for (const o of marked) orphans.push(o);
  }

  // streamed, the changes were tallied and handed on user by user, and none is left here
  if (!sink) tally(changes);
  const deletes = oneWayDeletes;
  const max = project.safety.maxDeletes;
  const refusal = maxDeletesRefusal(deletes, max);
  if (refusal) warnings.push(refusal.message);
  for (const w of certificateWarnings(input.certificates ?? [], now)) warnings.push(w);

  const outline: PlanOutline = {
    ...planHead(input),
    refused,
    warnings,
    summary,
    waves,
    orphans,
    refusal,
    manifestHash: input.manifestHash ?? hashProject(project),
    inventoryHash: inventory.hash,
    createdAt: now.toISOString(),
  };
  return { outline, changes, users };
}

/** The plan apply would execute. Pure: same input, same plan. */
export function buildPlan(input: PlanInput): Plan {
  return analyse(input, false).plan;
}

/** Whether a plan has anything to do (for --detailed-exitcode). */
export function hasChanges(plan: PlanOutline): boolean {
  const s = plan.summary;
  return s.create + s.update + s.delete + s.run > 0;
}

