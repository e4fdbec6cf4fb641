// A wave member that matches no source user has no line of its own in status: the wave's Ready
// condition says so. A wave whose addresses were all mistyped was shown as "Ready: all 0 users
// reached the declared phase", and one with a typo among real users as Ready once they were.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildStatus } from '../../engine/plan/status.js';
import { renderStatusText } from '../../engine/apply/status-report.js';
import { NOW, project, REVISION, wave } from '../fixtures/inventories/builders.js';
import { scenario } from '../fixtures/inventories/scenario.js';

const ready = (s: ReturnType<typeof buildStatus>) => s.waves[0]!.conditions.find((c) => c.type === 'Ready')!;

test('a wave whose members all resolve to no source user is not Ready, and says which', () => {
  const s = buildStatus({ project: project([wave('wave-01', 'prepared', ['ghost1@contoso.com', 'ghost2@contoso.com'])]), inventory: scenario('prepared'), revision: REVISION, now: NOW });
  assert.equal(s.waves[0]!.users, []);
  const r = ready(s);
  assert.is(r.status, 'False');
  assert.is(r.reason, 'MembersNotResolved');
  assert.is(r.message, '0 of 0 users ready; 2 members not resolved, first: ghost1@contoso.com (users): no source user has this UPN, mail or proxy address');
  assert.match(renderStatusText(s), /^wave wave-01: declared prepared, 0 users — not ready \(MembersNotResolved\): 0 of 0 users ready; 2 members not resolved, first: ghost1@contoso\.com/);
});

test('a typo among users who reached the phase keeps the wave from Ready; without it the wave is Ready', () => {
  const typo = buildStatus({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com', 'alcie@contoso.com'])]), inventory: scenario('prepared'), revision: REVISION, now: NOW });
  assert.is(typo.waves[0]!.users[0]!.phase, 'prepared');
  assert.equal({ status: ready(typo).status, reason: ready(typo).reason }, { status: 'False', reason: 'MembersNotResolved' });
  assert.match(ready(typo).message, /^1 of 1 users ready; 1 member not resolved, first: alcie@contoso\.com \(users\)/);
  const fine = buildStatus({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com'])]), inventory: scenario('prepared'), revision: REVISION, now: NOW });
  assert.equal({ status: ready(fine).status, reason: ready(fine).reason }, { status: 'True', reason: 'PhaseReached' });
});

test.run();
