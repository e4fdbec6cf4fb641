// Status conditions (SPEC section 4): Ready / Progressing / Blocked with a reason and a message,
// so "why isn't my wave moving?" has an answer.
import type { Condition } from './model.js';

export function condition(type: Condition['type'], status: boolean, reason: string, message: string, commit: string | null): Condition {
  return { type, status: status ? 'True' : 'False', reason, message, observedCommit: commit };
}

export interface UserConditionInput {
  readonly paused: boolean;
  readonly blocked?: { reason: string; message: string };
  readonly changes: number;
  readonly declared: string;
  readonly observed: string;
}

export function userConditions(u: UserConditionInput, commit: string | null): Condition[] {
  const out: Condition[] = [];
  if (u.blocked) out.push(condition('Blocked', true, u.blocked.reason, u.blocked.message, commit));
  if (u.paused) {
    out.push(condition('Progressing', false, 'Paused', 'the wave is paused: apply touches nothing in it', commit));
    out.push(condition('Ready', false, 'Paused', `observed ${u.observed}, declared ${u.declared}`, commit));
    return out;
  }
  if (u.changes > 0) {
    out.push(condition('Progressing', true, 'ChangesPending', `${u.changes} change${u.changes === 1 ? '' : 's'} to reach ${u.declared}`, commit));
    out.push(condition('Ready', false, 'ChangesPending', `observed ${u.observed}, declared ${u.declared}`, commit));
  } else if (u.blocked) {
    out.push(condition('Ready', false, u.blocked.reason, u.blocked.message, commit));
  } else {
    out.push(condition('Ready', true, 'PhaseReached', `the tenants match phase ${u.declared}`, commit));
  }
  return out;
}

export function waveConditions(
  w: {
    paused: boolean;
    users: number;
    blocked: number;
    pending: number;
    firstBlocked?: { reason: string; message: string };
    /** Members the wave declares that match no source user (or several): in no user's status. */
    unresolved?: { n: number; first: string };
  },
  commit: string | null,
): Condition[] {
  if (w.paused) return [condition('Progressing', false, 'Paused', 'the wave is paused', commit), condition('Ready', false, 'Paused', 'the wave is paused', commit)];
  const out: Condition[] = [];
  if (w.blocked > 0) {
    const first = w.firstBlocked!;
    out.push(condition('Blocked', true, first.reason, `${w.blocked} of ${w.users} users blocked; first: ${first.message}`, commit));
  }
  if (w.pending > 0) out.push(condition('Progressing', true, 'ChangesPending', `${w.pending} of ${w.users} users have changes to apply`, commit));
  // a member that resolves to no source user has no status of its own: without this, a wave whose
  // addresses are all mistyped was "Ready: all 0 users reached the declared phase"
  const unresolved = w.unresolved && w.unresolved.n > 0 ? `; ${w.unresolved.n} member${w.unresolved.n === 1 ? '' : 's'} not resolved, first: ${w.unresolved.first}` : '';
  const ready = w.pending === 0 && w.blocked === 0 && !unresolved;
  const reason = ready ? 'PhaseReached' : w.blocked ? 'Blocked' : w.pending ? 'ChangesPending' : 'MembersNotResolved';
  out.push(condition('Ready', ready, reason, ready ? `all ${w.users} users reached the declared phase` : `${w.users - w.pending - w.blocked} of ${w.users} users ready${unresolved}`, commit));
  return out;
}
