// SPEC section 3 encoded once: which state each resource kind must be in for each declared
// phase, how going back treats it, and the order of the steps (reference/power365/004:
// prepare, sync, and the cutover sequence in the target then in the source).
// Every other module reads these tables; none re-states a phase rule.
import type { Phase } from '../manifest/model.js';
import type { ResourceName } from './types.js';

/** A kind's desired level per phase; null: nothing desired (the resource should not be t2t's). */
export type PhaseLevels = Readonly<Record<Phase, string | null>>;

const none: PhaseLevels = { discovered: null, prepared: null, synced: null, cutover: null };
const fromPrepared = (l: string): PhaseLevels => ({ discovered: null, prepared: l, synced: l, cutover: l });
const fromSynced = (l: string): PhaseLevels => ({ discovered: null, prepared: null, synced: l, cutover: l });
const atCutover = (l: string): PhaseLevels => ({ discovered: null, prepared: null, synced: null, cutover: l });

/** Member profiles (createAs: member). */
const MEMBER: Readonly<Record<ResourceName, PhaseLevels>> = {
  // prepared: target user created or matched+updated, MEU, hidden, routing contact visible in the GAL
  targetUser: fromPrepared('present'),
  guestInvitation: none,
  guestConversion: none,
  mailUser: fromPrepared('enabled'),
  targetVisibility: { discovered: null, prepared: 'hidden', synced: 'hidden', cutover: 'visible' },
  targetContact: { discovered: null, prepared: 'routing', synced: 'routing', cutover: 'retired' },
  // synced: licensed, target mailbox forwards to the source, initial sync done (deltas by schedule)
  license: fromSynced('assigned'),
  targetForwarding: { discovered: null, prepared: null, synced: 'toSource', cutover: null },
  contentSync: { discovered: null, prepared: null, synced: 'initial', cutover: 'final' },
  // cutover: X500s stamped, source hidden + forwarding + contact, notification, clean-up
  x500Addresses: atCutover('stamped'),
  sourceVisibility: atCutover('hidden'),
  sourceForwarding: atCutover('toTarget'),
  sourceContact: atCutover('present'),
  notification: atCutover('sent'),
  serviceAccountCleanup: atCutover('done'),
  // group membership follows the target user (coexistence: access to shared resources early)
  groupMembership: fromPrepared('member'),
  // DayOne: appear migrated before cutover, and stay after it (replies to old mail); DayTwo: after cutover
  rewriteMembership: { discovered: null, prepared: 'dayOne', synced: 'dayOne', cutover: 'dayOne,dayTwo' },
  marker: { discovered: 'phase', prepared: 'phase', synced: 'phase', cutover: 'phase' },
};

/** Guest profiles differ here only (reference/power365/002): a cloud-only B2B guest, visible in the
 *  GAL, invited only on request, converted to a member at the first sync; no MEU, no routing contact
 *  (the guest itself routes to its source address). */
const GUEST_OVERRIDES: Partial<Record<ResourceName, PhaseLevels>> = {
  guestInvitation: { discovered: null, prepared: 'sent', synced: null, cutover: null },
  guestConversion: fromSynced('member'),
  mailUser: none,
  targetVisibility: fromPrepared('visible'),
  targetContact: none,
};

function tableLevel(kind: ResourceName, phase: Phase, createAs: 'member' | 'guest'): string | null {
  const table = createAs === 'guest' ? GUEST_OVERRIDES[kind] ?? MEMBER[kind] : MEMBER[kind];
  return table[phase];
}

/** The tables above as rows by phase index, looked up by kind: the planner asks about a hundred
 *  times per user, and a Map get plus a switch is cheaper than two keyed property loads. */
function rows(createAs: 'member' | 'guest'): Map<ResourceName, readonly (string | null)[]> {
  const out = new Map<ResourceName, readonly (string | null)[]>();
  for (const kind of Object.keys(MEMBER) as ResourceName[]) {
    out.set(kind, [tableLevel(kind, 'discovered', createAs), tableLevel(kind, 'prepared', createAs), tableLevel(kind, 'synced', createAs), tableLevel(kind, 'cutover', createAs)]);
  }
  return out;
}
const MEMBER_ROWS = rows('member');
const GUEST_ROWS = rows('guest');

export function desiredLevel(kind: ResourceName, phase: Phase, createAs: 'member' | 'guest'): string | null {
  const row = (createAs === 'guest' ? GUEST_ROWS : MEMBER_ROWS).get(kind);
  if (row !== undefined) {
    switch (phase) {
      case 'discovered':
        return row[0]!;
      case 'prepared':
        return row[1]!;
      case 'synced':
        return row[2]!;
      case 'cutover':
        return row[3]!;
    }
  }
  return tableLevel(kind, phase, createAs);
}

/** The first phase in which a kind is desired (for either profile type). */
export function firstDesiredPhase(kind: ResourceName, createAs: 'member' | 'guest'): Phase | null {
  for (const p of ['discovered', 'prepared', 'synced', 'cutover'] as const) if (desiredLevel(kind, p, createAs) !== null) return p;
  return null;
}

/**
 * Going back to a phase where a kind is no longer desired:
 * - revert: its inverse step is planned (unhide/hide, forward/unforward, stamp/unstamp, contact delete);
 * - retain: target users, their licence and content are kept and listed as orphans, unless
 *   spec.prune: true (then deleted: one-way);
 * - withUser: a property of the target user, kept while the user is kept, gone when it is deleted;
 * - kept: a property of the target user that, while the user is kept, returns to the state its kind
 *   declares (ResourceKind.kept), if t2t had brought the user to the kind's first phase; gone with
 *   the user when it is deleted;
 * - oneWay: cannot be undone (an invitation or notification sent, a guest converted, a clean-up run).
 */
export const ROLLBACK: Readonly<Record<ResourceName, 'revert' | 'retain' | 'withUser' | 'kept' | 'oneWay'>> = {
  targetUser: 'retain',
  guestInvitation: 'oneWay',
  guestConversion: 'oneWay',
  mailUser: 'withUser',
  targetVisibility: 'kept',
  targetContact: 'revert',
  license: 'retain',
  targetForwarding: 'revert',
  contentSync: 'retain',
  x500Addresses: 'revert',
  sourceVisibility: 'revert',
  sourceForwarding: 'revert',
  sourceContact: 'revert',
  notification: 'oneWay',
  serviceAccountCleanup: 'oneWay',
  groupMembership: 'revert',
  rewriteMembership: 'revert',
  marker: 'withUser',
};

/**
 * The step sequence, forward. Steps in one stage may run concurrently; each stage depends on the
 * previous one. A rollback runs the inverses in reverse (ordered by the step each one undoes).
 * One deliberate difference from the reference order (004, cutover steps 6 and 7): the contact's
 * LegacyExchangeDN is stamped as X500 on the target user BEFORE it is removed from the contact,
 * so an interrupted cutover can never lose the value.
 */
export const STEP_ORDER: readonly (readonly string[])[] = [
  // prepare
  ['group.create'],
  ['targetUser.create', 'targetUser.createGuest', 'targetUser.update'],
  ['guestInvitation.send', 'mailUser.enable', 'mailUser.update'],
  ['targetVisibility.hide', 'targetContact.create', 'targetContact.update'],
  ['groupMembership.add', 'groupMembership.remove', 'rewriteMembership.add', 'rewriteMembership.remove'],
  // sync
  ['guestConversion.convert'],
  ['license.assign'],
  ['targetForwarding.set'],
  ['contentSync.initial'],
  // cutover, target side
  ['marker.startCutover'],
  ['contentSync.delta'],
  ['targetVisibility.show', 'targetForwarding.remove', 'targetContact.hide'],
  ['x500Addresses.add'],
  ['targetContact.clearLegacyDN'],
  // cutover, source side
  ['sourceVisibility.hide', 'sourceForwarding.set', 'sourceContact.create'],
  ['contentSync.secondDelta'],
  ['notification.send'],
  ['serviceAccountCleanup.run'],
  // bookkeeping and removals that have no forward position of their own
  ['license.remove', 'contentSync.delete', 'targetContact.delete', 'targetUser.delete', 'mailUser.disable'],
  ['marker.create', 'marker.update'],
];

/** One-way removals have no inverse op; going back, they take the place of the step they undo. */
export const UNDOES: Readonly<Record<string, string>> = {
  'targetUser.delete': 'targetUser.create',
  'contentSync.delete': 'contentSync.initial',
};

const STAGE = new Map<string, number>();
STEP_ORDER.forEach((ops, i) => ops.forEach((op) => STAGE.set(op, i)));

/** The stage of an op in the forward sequence (unknown ops run just before the marker). */
export function stageOf(op: string): number {
  return STAGE.get(op) ?? STEP_ORDER.length - 2;
}

export const MARKER_STAGE = STEP_ORDER.length - 1;
