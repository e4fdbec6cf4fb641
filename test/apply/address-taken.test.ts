// A user to be created under a UPN an unrelated target user already has (the matching rules do
// not find it: its mail differs) is refused by the plan, end to end against the emulator: the
// service's "already exists" answer is never taken for a lost answer, the account never adopted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningEmulator } from '../helpers/emulator.js';
import { rawRequest } from '../helpers/graph.js';
import { exampleProject, startExampleEmulator, type ExampleProject } from './fixture.js';
import { marker, usersWith, type Obj } from './tenant-view.js';

let emu: RunningEmulator;
let p: ExampleProject;

test.before(async () => {
  emu = await startExampleEmulator();
  p = exampleProject(emu);
});
test.after(async () => {
  await emu?.stop();
  p?.cleanup();
});

test('carol@fabrikam.com, held by another account (mail carol.old@fabrikam.com), is not adopted for carol@contoso.com', async () => {
  const body = { accountEnabled: true, displayName: 'Carol Old', mailNickname: 'carol.old', userPrincipalName: 'carol@fabrikam.com', mail: 'carol.old@fabrikam.com', passwordProfile: { password: 'Xx1!xxxxxxxxxxxx' } };
  const made = await rawRequest(emu, 'fabrikam', 'POST', '/v1.0/users', body);
  assert.is(made.status, 201, made.text);
  const existing = made.body as Obj;

  const plan = await p.cli('plan', '--output', 'json');
  const refused = (JSON.parse(plan.stdout) as Obj).refused as Obj[];
  assert.equal(
    refused.map((r) => [r.user, r.reason]),
    [['carol@contoso.com', 'would be created as carol@fabrikam.com, which target user carol@fabrikam.com (userPrincipalName) already has, and no matching rule finds that user for it: whether it is this user is not guessed; add a rule that finds it (spec.matching), or map userPrincipalName and mail to a free address (spec.attributes, spec.domains)']],
  );

  await p.apply('--output', 'json');
  assert.is(await marker(emu, 'fabrikam', existing.id as string), undefined, 'the other account carries no marker');
  assert.equal((await usersWith(emu, 'fabrikam', "userPrincipalName eq 'carol@fabrikam.com'")).map((u) => u.mail), ['carol.old@fabrikam.com']);
  const status = JSON.parse((await p.cli('status', '--output', 'json')).stdout) as Obj;
  const carol = (status.waves as Obj[]).flatMap((w) => w.users as Obj[]).find((u) => u.source === 'carol@contoso.com')!;
  assert.ok((carol.conditions as Obj[]).some((c) => c.type === 'Blocked' && c.reason === 'AddressTaken'), JSON.stringify(carol));
});

test.run();
