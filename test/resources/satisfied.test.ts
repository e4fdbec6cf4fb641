// satisfied() is the observed phase's shortcut for "the diff is empty" (ResourceKind contract):
// for every kind that has one (but the licence, which deliberately says "holds a licence"), it
// must agree with diff(desired, actual) on users at every stage, perturbed in every way the
// fuzzed projects know, for both profile types and every phase.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PHASES } from '../../engine/manifest/model.js';
import { matchUser } from '../../engine/matching/match-user.js';
import { indexTenant } from '../../engine/matching/tenant-index.js';
import { LicensePool } from '../../engine/resources/license/license-pool.js';
import { RESOURCE_KINDS } from '../../engine/resources/registry.js';
import type { PlanContext } from '../../engine/resources/types.js';
import { buildUserContext } from '../../engine/plan/user-context.js';
import { generateFuzz } from '../../bench/plan/fuzz.js';

const WITH_SATISFIED = RESOURCE_KINDS.filter((k) => k.satisfied && k.key !== 'license');

test('the simple kinds have a satisfied() shortcut', () => {
  const names = WITH_SATISFIED.map((k) => k.key).sort();
  for (const k of ['targetUser', 'mailUser', 'targetVisibility', 'targetContact', 'targetForwarding', 'contentSync', 'x500Addresses', 'sourceForwarding'] as const) {
    assert.ok(names.includes(k), `${k} has satisfied()`);
  }
});

test('satisfied(desired, actual) holds exactly when the diff is empty (fuzzed users, every phase)', () => {
  let checked = 0;
  let satisfiedCount = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const f = generateFuzz(seed, 40);
    const p = f.project;
    const targetName = p.tenants.find((t) => t.role === 'target')!.name;
    const target = indexTenant(f.inventory.tenants[targetName] ?? { tenant: targetName, tenantId: '', discoveredAt: '', users: [], groups: [], recipients: [], skus: [], domains: [], content: new Map() });
    const ctx: PlanContext = {
      project: p,
      now: new Date(f.now),
      mode: 'observe',
      licenses: new LicensePool(target),
      files: f.files,
      commit: f.commit,
      ...(f.deltaSyncWaves ? { deltaSyncWaves: new Set(f.deltaSyncWaves) } : {}),
    };
    for (const t of p.tenants.filter((x) => x.role === 'source')) {
      const inv = f.inventory.tenants[t.name];
      if (!inv) continue;
      const source = indexTenant(inv);
      for (const u of inv.users) {
        for (const profile of Object.values(p.profiles)) {
          const wave = p.waves[seed % p.waves.length]!;
          const match = matchUser(u, t.name, target, { rules: p.matching, domains: p.domains, guest: profile.createAs === 'guest' });
          if (match.status === 'ambiguous' || match.status === 'conflict') continue;
          const user = buildUserContext(p, wave, profile, match, source, targetName, target);
          for (const kind of WITH_SATISFIED) {
            const a = kind.actual(ctx, user);
            for (const phase of PHASES) {
              const d = kind.desired(ctx, user, phase);
              if (d === undefined) continue;
              const empty = kind.diff(d, a).length === 0;
              assert.is(kind.satisfied!(d, a), empty, `${kind.key} at ${phase} for ${u.userPrincipalName} (seed ${seed}, profile ${profile.name})`);
              checked++;
              if (empty) satisfiedCount++;
            }
          }
        }
      }
    }
  }
  // both answers occur often, so the agreement means something
  assert.ok(checked > 10_000, `checked ${checked}`);
  assert.ok(satisfiedCount > checked / 5 && satisfiedCount < checked, `satisfied ${satisfiedCount} of ${checked}`);
});

test.run();
