// The executor's scheduling and failure semantics, with steps that only record what ran: DAG
// order, the concurrency cap, failure isolation (a failed user fails alone, its dependents are
// skipped), maxFailureRate halting a wave, and Ctrl-C stopping cleanly. Plus: every op the planner
// can emit has a step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { executeChanges, type ExecEvent } from '../../engine/apply/execute.js';
import { createProgress } from '../../engine/apply/progress.js';
import type { PlanChange } from '../../engine/plan/model.js';
import { STEP_ORDER, UNDOES } from '../../engine/resources/phase-table.js';
import { stepFor } from '../../engine/resources/step-registry.js';

function change(id: string, user: string, op: string, dependsOn: string[] = [], wave = 'w1'): PlanChange {
  return { id, wave, user, tenant: 'fabrikam', resource: 'targetUser', action: 'update', summary: `${op} of ${user}`, reversibility: 'reversible', dependsOn, op, params: {}, inverseOp: null };
}

/** Three changes per user, each depending on the previous one. */
function chain(user: string, wave = 'w1'): PlanChange[] {
  return [change(`${user}-1`, user, 'a', [], wave), change(`${user}-2`, user, 'b', [`${user}-1`], wave), change(`${user}-3`, user, 'c', [`${user}-2`], wave)];
}

const tick = () => new Promise((r) => setImmediate(r));

test('runs every change after its dependencies, in plan order, and reports done', async () => {
  const changes = [...chain('alice'), ...chain('bob')];
  const order: string[] = [];
  const r = await executeChanges(changes, {
    concurrency: 1,
    run: async (c) => {
      order.push(c.id);
      return { writes: 1 };
    },
  });
  assert.equal(order, ['alice-1', 'alice-2', 'alice-3', 'bob-1', 'bob-2', 'bob-3']);
  assert.ok(r.results.every((x) => x.status === 'done' && x.writes === 1));
  assert.equal(r.users, { total: 2, done: 2, failed: 0, skipped: 0 });
  assert.is(r.stopped, false);
});

test('never runs more than --concurrency changes at once', async () => {
  const changes = Array.from({ length: 20 }, (_, i) => change(`c${i}`, `u${i}`, 'a'));
  let inFlight = 0;
  let peak = 0;
  await executeChanges(changes, {
    concurrency: 3,
    run: async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick();
      await tick();
      inFlight--;
      return { writes: 0 };
    },
  });
  assert.is(peak, 3);
});

test('a failed change fails its user alone: its dependents are skipped, other users go on', async () => {
  const changes = [...chain('alice'), ...chain('bob'), ...chain('carol'), ...chain('dave'), ...chain('erin'), ...chain('frank')];
  const r = await executeChanges(changes, {
    concurrency: 4,
    maxFailureRate: 0.5,
    run: async (c) => {
      if (c.id === 'bob-2') throw Object.assign(new Error('tenant said no'), { code: 'tenant.http400', hint: 'do something' });
      return { writes: 1 };
    },
  });
  const status = Object.fromEntries(r.results.map((x) => [x.id, x.status]));
  assert.is(status['bob-1'], 'done');
  assert.is(status['bob-2'], 'failed');
  assert.is(status['bob-3'], 'skipped');
  for (const u of ['alice', 'carol', 'dave', 'erin', 'frank']) assert.is(status[`${u}-3`], 'done', u);
  const failed = r.results.find((x) => x.id === 'bob-2')!;
  assert.is(failed.error, 'tenant said no');
  assert.is(failed.code, 'tenant.http400');
  assert.is(failed.hint, 'do something');
  assert.match(r.results.find((x) => x.id === 'bob-3')!.error!, /depends on a failed change/);
  assert.equal(r.users, { total: 6, done: 5, failed: 1, skipped: 0 });
});

test('a failed shared change (a group) skips every change that needs it, in every user', async () => {
  const group = change('g', '', 'group.create');
  const changes = [group, change('a1', 'alice', 'add', ['g']), change('b1', 'bob', 'add', ['g']), change('c1', 'carol', 'other')];
  const r = await executeChanges(changes, {
    maxFailureRate: 1,
    run: async (c) => {
      if (c.id === 'g') throw new Error('no groups today');
      return { writes: 0 };
    },
  });
  const status = Object.fromEntries(r.results.map((x) => [x.id, x.status]));
  assert.equal(status, { g: 'failed', a1: 'skipped', b1: 'skipped', c1: 'done' });
  assert.equal(r.users, { total: 3, done: 1, failed: 2, skipped: 0 });
});

test('more than maxFailureRate of a wave failed: its users not yet started are skipped, other waves go on', async () => {
  const users = ['u1', 'u2', 'u3', 'u4', 'u5'];
  const changes = [...users.flatMap((u) => chain(u)), ...chain('x1', 'w2')];
  const events: ExecEvent[] = [];
  const ran: string[] = [];
  const r = await executeChanges(changes, {
    concurrency: 1,
    maxFailureRate: 0.2,
    onEvent: (e) => events.push(e),
    run: async (c) => {
      ran.push(c.id);
      if (c.user === 'u1' || c.user === 'u2') throw new Error('broken user');
      return { writes: 0 };
    },
  });
  // u1 fails (1/5 = 20 %, not more), u2 fails (40 % > 20 %): the wave halts; w2 is not affected
  assert.ok(!ran.some((id) => id.startsWith('u3') || id.startsWith('u4') || id.startsWith('u5')), ran.join(' '));
  assert.ok(ran.includes('x1-3'));
  const halted = events.find((e) => e.type === 'wave.halted');
  assert.equal(halted && { wave: (halted as { wave: string }).wave, failed: (halted as { failed: number }).failed }, { wave: 'w1', failed: 2 });
  assert.equal(r.halted, [{ wave: 'w1', failed: 2, users: 5 }]);
  assert.match(r.results.find((x) => x.id === 'u3-1')!.error!, /wave w1 halted.*maxFailureRate/);
});

test('Ctrl-C: nothing new starts, the steps in flight finish, the rest is skipped and the run is stopped', async () => {
  const changes = [...chain('alice'), ...chain('bob')];
  const controller = new AbortController();
  const finished: string[] = [];
  let printed = '';
  const progress = createProgress({ tty: false, write: (t) => (printed += t), users: 2, changes: changes.length });
  const r = await executeChanges(changes, {
    concurrency: 2,
    signal: controller.signal,
    onEvent: (e) => progress.event(e),
    run: async (c) => {
      if (c.id === 'alice-1') controller.abort();
      await tick();
      await tick();
      finished.push(c.id);
      return { writes: 0 };
    },
  });
  assert.equal(finished.sort(), ['alice-1', 'bob-1']);
  assert.is(r.stopped, true);
  const skipped = r.results.filter((x) => x.status === 'skipped');
  assert.is(skipped.length, 4);
  assert.ok(skipped.every((x) => /stopped/.test(x.error!)));
  // a user stopped part-way says how far it got
  assert.match(printed, /^skipped alice \(w1, 1 of 3 changes done\)$/m);
  assert.match(printed, /^skipped bob \(w1, 1 of 3 changes done\)$/m);
});

test('every op the planner can emit (and every inverse) has a step', () => {
  const ops = new Set<string>([...STEP_ORDER.flat(), ...Object.keys(UNDOES), 'group.delete']);
  for (const op of [...ops]) {
    const [kind, verb] = op.split('.');
    const inverses: Record<string, string> = { create: 'delete', hide: 'show', show: 'hide', add: 'remove', set: 'remove', enable: 'disable', clearLegacyDN: 'restoreLegacyDN' };
    if (verb && inverses[verb]) ops.add(`${kind}.${inverses[verb]}`);
  }
  for (const op of ['targetUser.createGuest', 'guestInvitation.send', 'guestConversion.convert', 'contentSync.delete', 'marker.startCutover']) ops.add(op);
  const missing = [...ops].filter((op) => !stepFor(op) && !['targetUser.createGuest.delete'].includes(op));
  // ops that have no inverse by design (one-way) are not expected
  const oneWay = ['guestInvitation.remove', 'notification.remove', 'serviceAccountCleanup.remove', 'contentSync.remove', 'marker.delete', 'guestConversion.remove', 'x500Addresses.delete', 'targetForwarding.delete', 'sourceForwarding.delete'];
  assert.equal(missing.filter((op) => !oneWay.includes(op)), []);
});

test.run();
