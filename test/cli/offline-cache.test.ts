// plan --offline and status --offline without a usable discovery cache say which tenant's cache
// and why: not discovered yet, a damaged file (named; it is discarded as it is read, so the next
// run could not tell any more), or cached for another tenantId. The message listed three possible
// causes and named no file (found by a safety audit).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningEmulator } from '../helpers/emulator.js';
import { exampleProject, startExampleEmulator, type ExampleProject } from '../apply/fixture.js';

let emu: RunningEmulator;
let p: ExampleProject;

test.before(async () => {
  emu = await startExampleEmulator();
  p = exampleProject(emu, { phases: { 'wave-01-pilot': 'discovered', 'wave-02-sales': 'discovered' } });
});
test.after(async () => {
  await emu?.stop();
  p?.cleanup();
});

test('nothing discovered yet: the tenant is named', async () => {
  const r = await p.cli('status', '--offline');
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: no usable discovery cache for this project in .*\.t2t \(tenant contoso: has not been discovered yet\)\nhint: run 't2t discover' first, or status without --offline\n$/);
});

test('a damaged cache file: the tenant, the collection and the file, then a plan that rediscovers', async () => {
  assert.is((await p.cli('discover')).code, 0);
  const file = join(p.dir, '.t2t', 'inventory', 'fabrikam', 'groups', 'collection.json');
  writeFileSync(file, readFileSync(file, 'utf8').slice(0, 9));
  const r = await p.cli('plan', '--offline');
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: no usable discovery cache for this project in .*\.t2t \(tenant fabrikam: the cached 'groups' was corrupt and has been discarded \(.*fabrikam\/groups\/collection\.json: not valid JSON/);
  assert.match(r.stderr, /\nhint: run 't2t discover' first, or plan without --offline\n$/);
  assert.not.match(r.stderr, /unexpected failure|at .*\.js/);
  const again = await p.cli('plan');
  assert.is(again.code, 0, again.stderr);
});

test('a cache made for another tenantId says so', async () => {
  assert.is((await p.cli('discover')).code, 0);
  const file = join(p.dir, 'project.yaml');
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, original.replace('tenantId: contoso.onmicrosoft.com', 'tenantId: contoso2.onmicrosoft.com'));
  try {
    const r = await p.cli('plan', '--offline');
    assert.is(r.code, 1);
    assert.match(r.stderr, /\(tenant contoso: was cached for tenantId contoso\.onmicrosoft\.com, and the manifest now says contoso2\.onmicrosoft\.com\)/);
  } finally {
    writeFileSync(file, original);
  }
});

test.run();
