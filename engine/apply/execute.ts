// The executor: runs a plan's changes as a DAG. Every change whose dependsOn are done starts, up
// to `concurrency` at once (each tenant client additionally keeps its own adaptive rate budget).
// Changes of users already under way go first (plan order), so users finish rather than all
// starting at once.
//
// Failure semantics:
// - a failed change fails its user: the user's changes not yet started, and every change that
//   depends on the failed one (transitively, also other users' changes of a shared group), are
//   skipped; other users go on;
// - spec.safety.maxFailureRate: once more than that share of a wave's users failed, users of the
//   wave that have not started are skipped ("wave halted"); users under way finish;
// - the signal (Ctrl-C): nothing new starts, in-flight steps finish, the rest is skipped and the
//   run is "stopped".
import type { PlanChange } from '../plan/model.js';
import { Mutex, type UserRun } from './step-types.js';

export type ChangeStatus = 'done' | 'failed' | 'skipped';

export interface ChangeResult {
  readonly id: string;
  readonly wave: string;
  readonly user: string;
  readonly op: string;
  readonly resource: string;
  readonly action: string;
  readonly summary: string;
  status: ChangeStatus;
  error?: string;
  /** The error's code, e.g. "Blocked/NoFreeLicense", "tenant.http500". */
  code?: string;
  /** What to do about the error. */
  hint?: string;
  /** Writes the step sent (in a dry run: would have sent). */
  writes: number;
  note?: string;
  durationMs?: number;
}

export interface StepOutcome {
  writes: number;
  note?: string;
}

export type ExecEvent =
  | { type: 'change.start'; change: PlanChange }
  | { type: 'change.end'; change: PlanChange; result: ChangeResult }
  | { type: 'user.end'; wave: string; user: string; status: ChangeStatus; error?: string; changes: number; /** of `changes`, those done */ done: number }
  | { type: 'wave.halted'; wave: string; failed: number; users: number; maxFailureRate: number }
  | { type: 'stopping' };

/**
 * Changes in flight at once unless the caller says otherwise. Each tenant's adaptive budget
 * limits the requests actually sent; this only has to keep enough steps ready for it. Against
 * Microsoft 365 a Graph write takes ~0.3 s and an Exchange cmdlet ~1 s, so 16 steps in flight
 * reach about half of a tenant's 20 directory writes/s; 64 fill it.
 */
export const DEFAULT_CONCURRENCY = 64;

export interface ExecuteOptions {
  /** Runs one change; throws on failure. `user` is shared by the user's changes. */
  run(change: PlanChange, user: UserRun): Promise<StepOutcome>;
  /** Most changes in flight at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  signal?: AbortSignal;
  /** spec.safety.maxFailureRate (default 0.2). */
  maxFailureRate?: number;
  onEvent?(e: ExecEvent): void;
  /** Stamps durations (tests use a fixed clock). */
  clock?: () => number;
}

export interface ExecuteResult {
  results: ChangeResult[];
  /** The signal stopped the run before every change ran. */
  stopped: boolean;
  /** Waves whose failure rate stopped new users, with the numbers. */
  halted: { wave: string; failed: number; users: number }[];
  users: { total: number; done: number; failed: number; skipped: number };
}

interface UserState {
  run: UserRun;
  key: string;
  wave: string;
  user: string;
  /** The user's changes, by plan index. */
  indexes: number[];
  finished: number;
  started: boolean;
  failed: boolean;
  firstError?: string;
}

/** A binary min-heap of plan indexes: the ready queue in plan order. */
class IndexHeap {
  private a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= v) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }
  pop(): number | undefined {
    const a = this.a;
    if (!a.length) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let mv = last;
        if (l < a.length && a[l]! < mv) (m = l), (mv = a[l]!);
        if (r < a.length && a[r]! < mv) m = r;
        if (m === i) break;
        a[i] = a[m]!;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

/** Ops whose identity/userId is the target user (a GUID once the user exists). */
const TARGET_USER_OPS = /^(targetUser\.(update|delete)|guestInvitation|guestConversion|mailUser\.enable|targetVisibility|license|targetForwarding|x500Addresses|serviceAccountCleanup|notification|marker)/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function knownTargetUserId(c: PlanChange): string | null {
  if (!TARGET_USER_OPS.test(c.op)) return null;
  const id = c.params['userId'] ?? c.params['identity'];
  return typeof id === 'string' && GUID.test(id) ? id : null;
}

/** The source user a change names (marker, targetUser.create's marker, content sync params). */
function knownIdentity(c: PlanChange): UserRun['identity'] {
  const from = (o: unknown) => {
    const r = o as Record<string, unknown> | null | undefined;
    return r && typeof r['sourceUserId'] === 'string' && typeof r['sourceTenant'] === 'string' ? { sourceTenant: r['sourceTenant'], sourceUserId: r['sourceUserId'], wave: c.wave } : null;
  };
  return from(c.params) ?? from(c.params['marker']);
}

export function userKey(wave: string, user: string): string {
  return `${wave}\u0000${user}`;
}

export async function executeChanges(changes: readonly PlanChange[], options: ExecuteOptions): Promise<ExecuteResult> {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const maxRate = options.maxFailureRate ?? 0.2;
  const clock = options.clock ?? Date.now;
  const emit = (e: ExecEvent) => options.onEvent?.(e);

  const index = new Map<string, number>();
  changes.forEach((c, i) => index.set(c.id, i));
  const results: ChangeResult[] = changes.map((c) => ({ id: c.id, wave: c.wave, user: c.user, op: c.op, resource: c.resource, action: c.action, summary: c.summary, status: 'skipped', writes: 0 }));
  const state: ('waiting' | 'ready' | 'running' | 'finished')[] = changes.map(() => 'waiting');
  const waitingOn = changes.map((c) => c.dependsOn.filter((d) => index.has(d) && d !== c.id).length);
  const dependents: number[][] = changes.map(() => []);
  changes.forEach((c, i) => {
    for (const d of c.dependsOn) {
      const j = index.get(d);
      if (j !== undefined && j !== i) dependents[j]!.push(i);
    }
  });

  const users = new Map<string, UserState>();
  const userOf: UserState[] = changes.map((c, i) => {
    const key = userKey(c.wave, c.user);
    let u = users.get(key);
    if (!u) {
      u = { key, wave: c.wave, user: c.user, indexes: [], finished: 0, started: false, failed: false, run: { user: c.user, wave: c.wave, targetUserId: null, identity: null, markerLock: new Mutex() } };
      users.set(key, u);
    }
    u.indexes.push(i);
    u.run.targetUserId ??= knownTargetUserId(c);
    u.run.identity ??= knownIdentity(c);
    return u;
  });
  const waves = new Map<string, { users: number; failed: number; halted: boolean }>();
  for (const u of users.values()) {
    if (!u.user) continue;
    const w = waves.get(u.wave) ?? { users: 0, failed: 0, halted: false };
    w.users++;
    waves.set(u.wave, w);
  }
  const halted: ExecuteResult['halted'] = [];

  const ready = new IndexHeap();
  changes.forEach((_, i) => {
    if (waitingOn[i] === 0) {
      state[i] = 'ready';
      ready.push(i);
    }
  });

  let running = 0;
  let stopped = false;
  let remaining = changes.length;

  const failUser = (u: UserState, error: string) => {
    if (u.failed || !u.user) return;
    u.failed = true;
    u.firstError ??= error;
    const w = waves.get(u.wave);
    if (!w) return;
    w.failed++;
    if (!w.halted && w.failed / w.users > maxRate) {
      w.halted = true;
      halted.push({ wave: u.wave, failed: w.failed, users: w.users });
      emit({ type: 'wave.halted', wave: u.wave, failed: w.failed, users: w.users, maxFailureRate: maxRate });
    }
  };

  const finish = (i: number) => {
    state[i] = 'finished';
    remaining--;
    const u = userOf[i]!;
    u.finished++;
    if (u.finished === u.indexes.length && u.user) {
      const statuses = u.indexes.map((j) => results[j]!.status);
      const status: ChangeStatus = u.failed ? 'failed' : statuses.every((s) => s === 'skipped') ? 'skipped' : statuses.includes('skipped') ? 'skipped' : 'done';
      const done = statuses.filter((s) => s === 'done').length;
      emit({ type: 'user.end', wave: u.wave, user: u.user, status, ...(u.firstError ? { error: u.firstError } : {}), changes: u.indexes.length, done });
    }
  };

  const skip = (i: number, reason: string) => {
    if (state[i] === 'finished' || state[i] === 'running') return;
    results[i]!.status = 'skipped';
    results[i]!.error = reason;
    finish(i);
    emit({ type: 'change.end', change: changes[i]!, result: results[i]! });
  };

  /** Skip everything that (transitively) depends on change i. */
  const skipDependents = (i: number, reason: string) => {
    const stack = [...dependents[i]!];
    while (stack.length) {
      const j = stack.pop()!;
      if (state[j] === 'finished' || state[j] === 'running') continue;
      const u = userOf[j]!;
      if (u !== userOf[i]) failUser(u, reason);
      skip(j, reason);
      stack.push(...dependents[j]!);
    }
  };

  return new Promise<ExecuteResult>((resolve) => {
    const done = () => {
      const counts = { total: 0, done: 0, failed: 0, skipped: 0 };
      for (const u of users.values()) {
        if (!u.user) continue;
        counts.total++;
        const rs = u.indexes.map((j) => results[j]!.status);
        if (u.failed) counts.failed++;
        else if (rs.every((s) => s === 'done')) counts.done++;
        else counts.skipped++;
      }
      resolve({ results, stopped, halted, users: counts });
    };

    const pump = () => {
      if (options.signal?.aborted && !stopped) {
        stopped = true;
        emit({ type: 'stopping' });
      }
      while (!stopped && running < concurrency && ready.size > 0) {
        const i = ready.pop()!;
        if (state[i] !== 'ready') continue;
        const c = changes[i]!;
        const u = userOf[i]!;
        if (u.failed) {
          skip(i, `skipped: an earlier change of ${c.user} failed`);
          continue;
        }
        const w = waves.get(c.wave);
        if (w?.halted && !u.started && u.user) {
          skip(i, `skipped: wave ${c.wave} halted, more than ${Math.round(maxRate * 100)} % of its users failed (spec.safety.maxFailureRate)`);
          continue;
        }
        start(i);
      }
      if (running === 0 && (stopped || ready.size === 0)) {
        for (let i = 0; i < changes.length; i++) {
          if (state[i] !== 'finished') skip(i, stopped ? 'skipped: apply was stopped (Ctrl-C) before this change started' : 'skipped: a change it depends on did not run');
        }
        done();
      }
    };

    const start = (i: number) => {
      const c = changes[i]!;
      const u = userOf[i]!;
      u.started = true;
      state[i] = 'running';
      running++;
      emit({ type: 'change.start', change: c });
      const t0 = clock();
      let outcome: Promise<StepOutcome>;
      try {
        outcome = options.run(c, u.run);
      } catch (e) {
        outcome = Promise.reject(e);
      }
      outcome.then(
        (o) => {
          const r = results[i]!;
          r.status = 'done';
          r.writes = o.writes;
          if (o.note) r.note = o.note;
          r.durationMs = clock() - t0;
          running--;
          finish(i);
          emit({ type: 'change.end', change: c, result: r });
          for (const j of dependents[i]!) {
            if (--waitingOn[j]! === 0 && state[j] === 'waiting') {
              state[j] = 'ready';
              ready.push(j);
            }
          }
          pump();
        },
        (e: unknown) => {
          const r = results[i]!;
          const err = e as { message?: string; code?: string; hint?: string; writes?: number };
          r.status = 'failed';
          r.error = err?.message ?? String(e);
          if (typeof err?.code === 'string') r.code = err.code;
          if (typeof err?.hint === 'string') r.hint = err.hint;
          r.writes = typeof err?.writes === 'number' ? err.writes : 0;
          r.durationMs = clock() - t0;
          running--;
          failUser(u, r.error);
          finish(i);
          emit({ type: 'change.end', change: c, result: r });
          skipDependents(i, `skipped: depends on a failed change (${c.summary})`);
          pump();
        },
      );
    };

    options.signal?.addEventListener('abort', () => setImmediate(pump), { once: true });
    if (remaining === 0) return done();
    pump();
  });
}
