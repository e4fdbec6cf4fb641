// The shared behaviour suite every resource kind passes (STYLE.md 2): run over the registry, so a
// new kind is covered by adding it there.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Phase } from '../../engine/manifest/model.js';
import type { Inventory } from '../../engine/inventory/model.js';
import { matchUser } from '../../engine/matching/match-user.js';
import { indexTenant } from '../../engine/matching/tenant-index.js';
import { LicensePool } from '../../engine/resources/license/license-pool.js';
import { desiredLevel, ROLLBACK, STEP_ORDER } from '../../engine/resources/phase-table.js';
import { RESOURCE_KINDS } from '../../engine/resources/registry.js';
import { bareAddress } from '../../engine/resources/change.js';
import type { PlanContext, UserContext } from '../../engine/resources/types.js';
import { buildUserContext } from '../../engine/plan/user-context.js';
import { group, profile, project, wave } from '../fixtures/inventories/builders.js';
import { scenario, type Stage } from '../fixtures/inventories/scenario.js';

const PROFILE = profile({ notification: { from: 'it@fabrikam.com', subject: 'Moved', bodyFile: 't.html' } });
const PROJECT = project([wave('wave-01', 'prepared', ['alice@contoso.com'], { emailRewrite: 'dayOne' })], {
  profiles: { standard: PROFILE },
  groups: [{ source: 'All Sales', target: 'Sales', create: true }],
});

/** The scenario, plus the group memberships a stage implies (Sales, DayOne). */
function stageInventory(stage: Stage, notificationSent: boolean): Inventory {
  const inv = scenario(stage, { notificationSent });
  const src = inv.tenants['contoso']!;
  const tgt = inv.tenants['fabrikam']!;
  const alice = src.users[0]!;
  const member = stage === 'discovered' ? [] : tgt.users.slice(0, 1);
  return {
    ...inv,
    tenants: {
      contoso: { ...src, groups: [group('All Sales', [alice]), group('T2T-Rewrite-DayOne', stage === 'discovered' ? [] : [alice])] },
      fabrikam: { ...tgt, groups: [group('Sales', member), group('T2T-Rewrite-DayOne', member)] },
    },
  };
}

/** notificationSent: false leaves a cutover undoable (the rollback tests need that). */
function contexts(stage: Stage, notificationSent = false): { ctx: PlanContext; user: UserContext } {
  const inv = stageInventory(stage, notificationSent);
  const source = indexTenant(inv.tenants['contoso']!);
  const target = indexTenant(inv.tenants['fabrikam']!);
  const match = matchUser(inv.tenants['contoso']!.users[0]!, 'contoso', target, { rules: PROJECT.matching, domains: PROJECT.domains, guest: false });
  const user = buildUserContext(PROJECT, PROJECT.waves[0]!, PROFILE, match, source, 'fabrikam', target);
  const ctx: PlanContext = { project: PROJECT, now: new Date('2026-06-01T12:00:00Z'), mode: 'plan', licenses: new LicensePool(target), files: {}, commit: null };
  return { ctx, user };
}

const STAGES: readonly [Stage, Phase][] = [
  ['discovered', 'discovered'],
  ['prepared', 'prepared'],
  ['synced', 'synced'],
  ['cutover', 'cutover'],
];

test('the registry lists every kind of the phase table once, and every op has a stage', () => {
  const names = RESOURCE_KINDS.map((k) => k.key);
  assert.is(new Set(names).size, names.length);
  assert.equal([...names].sort(), Object.keys(ROLLBACK).sort());
  assert.ok(STEP_ORDER.flat().includes('targetUser.create'));
});

for (const kind of RESOURCE_KINDS) {
  test(`${kind.key}: desired == actual gives no change, at every phase`, () => {
    for (const [stage, phase] of STAGES) {
      const { ctx, user } = contexts(stage, true);
      const d = kind.desired(ctx, user, phase);
      const a = kind.actual(ctx, user);
      if (d === undefined && a !== undefined && ROLLBACK[kind.key] !== 'revert') continue; // kept, not diffed
      assert.equal(kind.diff(d, a).map((c) => c.op), [], `${kind.key} at ${phase}`);
    }
  });

  // the marker is bookkeeping: rewritten with the phase reached, not undone
  if (kind.key !== 'marker') test(`${kind.key}: the diff of a rollback is the inverse op of the forward diff`, () => {
    for (let i = 1; i < STAGES.length; i++) {
      const [loStage, lo] = STAGES[i - 1]!;
      const [hiStage, hi] = STAGES[i]!;
      const low = contexts(loStage);
      const high = contexts(hiStage);
      const forward = kind.diff(kind.desired(low.ctx, low.user, hi), kind.actual(low.ctx, low.user));
      const dLow = kind.desired(high.ctx, high.user, lo);
      if (dLow === undefined && ROLLBACK[kind.key] !== 'revert') continue; // retained or one-way: no inverse planned
      const backward = kind.diff(dLow, kind.actual(high.ctx, high.user));
      for (const b of backward) {
        const f = forward.find((x) => x.inverseOp === b.op && (x.key ?? '') === (b.key ?? ''));
        assert.ok(f, `${kind.key} ${hi}->${lo}: ${b.op} undoes no forward change (${forward.map((x) => x.op).join(', ')})`);
        assert.ok(f!.reversibility !== 'one-way', `${kind.key}: ${f!.op} is one-way but has an inverse`);
        assert.is(b.inverseOp, f!.op, `${kind.key}: ${b.op} names ${f!.op} as its inverse`);
      }
      for (const f of forward) {
        if (f.reversibility !== 'reversible') continue;
        if (f.op === 'marker.startCutover' || f.resource === 'marker') continue; // bookkeeping: updated, not undone
        assert.ok(backward.some((b) => b.op === f.inverseOp), `${kind.key} ${lo}->${hi}: ${f.op} is not undone going back (got ${backward.map((b) => b.op).join(', ') || 'nothing'})`);
      }
    }
  });

  test(`${kind.key}: every change is plain JSON with the executor's fields`, () => {
    for (const [stage] of STAGES) {
      for (const [, phase] of STAGES) {
        const { ctx, user } = contexts(stage);
        for (const c of kind.diff(kind.desired(ctx, user, phase), kind.actual(ctx, user))) {
          assert.is(c.resource, kind.key);
          assert.ok(c.op.startsWith(`${kind.key}.`), c.op);
          assert.ok(['create', 'update', 'delete', 'run'].includes(c.action));
          assert.ok(['fabrikam', 'contoso'].includes(c.tenant));
          assert.ok(c.summary.length > 0);
          assert.equal(JSON.parse(JSON.stringify(c.params)), c.params);
          if (c.reversibility === 'one-way') assert.is(c.inverseOp, null);
        }
      }
    }
  });
}

test('phase table: guests differ from members only in the guest rows', () => {
  assert.is(desiredLevel('targetVisibility', 'prepared', 'member'), 'hidden');
  assert.is(desiredLevel('targetVisibility', 'prepared', 'guest'), 'visible');
  assert.is(desiredLevel('guestConversion', 'synced', 'member'), null);
  assert.is(desiredLevel('guestConversion', 'synced', 'guest'), 'member');
  assert.is(desiredLevel('license', 'synced', 'guest'), desiredLevel('license', 'synced', 'member'));
});

test('bareAddress: the smtp: prefix in any case and surrounding spaces go, other address types stay', () => {
  const cases: [string | null | undefined, string | null][] = [
    [null, null],
    [undefined, null],
    ['', null],
    ['  ', null],
    ['SMTP:', null],
    [' SMTP: Alice@Contoso.com ', 'alice@contoso.com'],
    ['sMtP:Bob@X.org', 'bob@x.org'],
    ['smtp:bob@x.org', 'bob@x.org'],
    ['smtpx:bob@x.org', 'smtpx:bob@x.org'],
    ['X500:/o=ExchangeLabs/cn=Bob', 'x500:/o=exchangelabs/cn=bob'],
    ['Carol@Contoso.com', 'carol@contoso.com'],
  ];
  for (const [input, expected] of cases) assert.is(bareAddress(input), expected, JSON.stringify(input));
});

test.run();
