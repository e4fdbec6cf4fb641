// `t2t tenants` end to end in-process: a project on disk, the emulator, the real CLI.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { runCli } from '../helpers/cli.js';
import { secretsEnv } from './fixtures.js';

let emu: RunningEmulator;
let dir: string;
const LIMITED_ID = '3f1c2d4e-0000-4000-8000-00000000000c';
const LEAST_SOURCE_ID = '3f1c2d4e-0000-4000-8000-00000000000d';

interface ProjectOptions {
  /** The profile sends the cutover notification. */
  notification?: boolean;
  /** The wave's emailRewrite. */
  emailRewrite?: 'none' | 'dayOne';
  contosoClientId?: string;
  contosoSecretEnv?: string;
}

function writeProject(fabrikamClientId: string, fabrikamSecretEnv: string, fabrikamTenantId = 'fabrikam.onmicrosoft.com', o: ProjectOptions = {}): void {
  const tenant = (name: string, role: string, clientId: string, secretEnv: string, tenantId = `${name}.onmicrosoft.com`) => `
    ${name}:
      role: ${role}
      tenantId: ${tenantId}
      cloud: emulator
      endpoint: ${emu.url}
      caFile: ca.pem
      auth:
        clientId: ${clientId}
        clientSecret: { fromEnv: ${secretEnv} }`;
  writeFileSync(
    join(dir, 'project.yaml'),
    `apiVersion: t2t.dev/v1
kind: Project
metadata:
  name: tenants-check
spec:
  tenants:${tenant('contoso', 'source', o.contosoClientId ?? '3f1c2d4e-0000-4000-8000-000000000001', o.contosoSecretEnv ?? 'CONTOSO_CLIENT_SECRET')}${tenant('fabrikam', 'target', fabrikamClientId, fabrikamSecretEnv, fabrikamTenantId)}
  domains:
    - { source: contoso.com, target: fabrikam.com }
  profiles:
    standard:
      createAs: member
      workloads: [mailbox]${o.notification ? '\n      notification: { from: migration@fabrikam.com, subject: Moved, bodyFile: cutover.html }' : ''}${o.emailRewrite && o.emailRewrite !== 'none' ? '\n  emailRewrite: {}' : ''}
`,
  );
  writeFileSync(
    join(dir, 'waves', 'pilot.yaml'),
    `apiVersion: t2t.dev/v1
kind: Wave
metadata:
  name: pilot
spec:
  profile: standard
  phase: cutover
  emailRewrite: ${o.emailRewrite ?? 'none'}
  members:
    users: [alice@contoso.com]
`,
  );
}

test.before(async () => {
  const config = testConfig() as { tenants: { apps: object[] }[] };
  // An app in fabrikam that can read the directory and nothing else.
  config.tenants[1]!.apps.push({ clientId: LIMITED_ID, clientSecret: 'limited-secret-value', roles: ['Directory.Read.All', 'Exchange.ManageAsApp'] });
  // A source app with what a mailbox-only migration needs there: read the directory and mailboxes, run Exchange cmdlets.
  config.tenants[0]!.apps.push({ clientId: LEAST_SOURCE_ID, clientSecret: 'least-secret-value', roles: ['User.Read.All', 'Group.Read.All', 'Directory.Read.All', 'Mail.Read', 'Exchange.ManageAsApp'] });
  emu = await startEmulator(config);
  dir = mkdtempSync(join(tmpdir(), 't2t-tenants-cmd-'));
  mkdirSync(join(dir, 'waves'));
  writeFileSync(join(dir, 'cutover.html'), '<p>Your mailbox has moved.</p>');
  copyFileSync(emu.caFile, join(dir, 'ca.pem'));
});

test.after(async () => {
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('every tenant signs in with every permission the waves need: exit 0', async () => {
  writeProject('3f1c2d4e-0000-4000-8000-000000000002', 'FABRIKAM_CLIENT_SECRET');
  const r = await runCli(['tenants', dir], { env: secretsEnv() });
  assert.is(r.stderr, '');
  assert.is(r.code, 0, r.stdout);
  assert.match(r.stdout, /^contoso \(source, emulator, contoso.onmicrosoft.com\)$/m);
  assert.match(r.stdout, /✓ Graph: signed in as app 3f1c2d4e-0000-4000-8000-000000000001 to tenant [0-9a-f-]{36}; token expires \d{4}-\d\d-\d\dT/);
  assert.match(r.stdout, /✓ Exchange: signed in as app/);
  assert.match(r.stdout, /✓ permissions: everything discover, prepare, sync, cutover needs is granted/);
  assert.match(r.stdout, /✓ 2 tenants ready for discover, prepare, sync, cutover\n$/);
});

test('missing permissions and failed sign-ins are named, one line each, exit 1; json too', async () => {
  writeProject(LIMITED_ID, 'LIMITED_SECRET', undefined, { notification: true });
  const r = await runCli(['tenants', dir], { env: secretsEnv({ LIMITED_SECRET: 'limited-secret-value' }) });
  assert.is(r.code, 1);
  assert.match(r.stdout, /✗ missing permission User.ReadWrite.All \(prepare: create and update target users\); hint: grant it to app 3f1c2d4e-0000-4000-8000-00000000000c/);
  assert.match(r.stdout, /✗ missing permission Mail.Send \(cutover: send the cutover notification\)/);
  assert.match(r.stdout, /✗ 1 of 2 tenants not ready\n$/);

  const wrong = await runCli(['tenants', dir, '--output', 'json'], { env: secretsEnv({ LIMITED_SECRET: 'a-wrong-secret' }) });
  assert.is(wrong.code, 1);
  assert.not.match(wrong.stdout, /a-wrong-secret|limited-secret-value|dev-secret/);
  const json = JSON.parse(wrong.stdout);
  assert.is(json.ok, false);
  assert.equal(json.phases, ['discover', 'prepare', 'sync', 'cutover']);
  const fabrikam = json.tenants.find((t: { name: string }) => t.name === 'fabrikam');
  assert.is(fabrikam.graph.ok, false);
  assert.is(fabrikam.graph.error.code, 'tenant.signInRefused');
  assert.is(fabrikam.graph.error.message, "tenant 'fabrikam': sign-in for Graph refused: AADSTS7000215: Invalid client secret provided.");
  assert.match(fabrikam.graph.error.hint, /environment variable LIMITED_SECRET/);
  assert.is(json.tenants.find((t: { name: string }) => t.name === 'contoso').ok, true);

  const unset = await runCli(['tenants', dir], { env: { CONTOSO_CLIENT_SECRET: 'dev-secret' } });
  assert.is(unset.code, 1);
  assert.match(unset.stdout, /✗ Graph: tenant 'fabrikam': spec.tenants.fabrikam.auth.clientSecret reads environment variable LIMITED_SECRET, which is not set; hint: export LIMITED_SECRET=…/);
  assert.match(unset.stdout, /✗ Exchange: not checked \(Graph sign-in failed\)/);
});

test('permissions of features the project does not use are not asked for: email rewrite, OneDrive, the notification', async () => {
  const env = secretsEnv({ LEAST_SECRET: 'least-secret-value' });
  const least = { contosoClientId: LEAST_SOURCE_ID, contosoSecretEnv: 'LEAST_SECRET' };
  writeProject('3f1c2d4e-0000-4000-8000-000000000002', 'FABRIKAM_CLIENT_SECRET', undefined, least);
  const r = await runCli(['tenants', dir], { env });
  assert.is(r.code, 0, r.stdout);
  assert.not.match(r.stdout, /missing permission/);
  assert.match(r.stdout, /✓ 2 tenants ready for discover, prepare, sync, cutover\n$/);

  // A wave with email rewrite does need the source groups written.
  writeProject('3f1c2d4e-0000-4000-8000-000000000002', 'FABRIKAM_CLIENT_SECRET', undefined, { ...least, emailRewrite: 'dayOne' });
  const rewrite = await runCli(['tenants', dir], { env });
  assert.is(rewrite.code, 1, rewrite.stdout);
  assert.match(rewrite.stdout, /✗ missing permission Group.ReadWrite.All \(prepare: mirror email-rewrite groups\); hint: grant it to app 3f1c2d4e-0000-4000-8000-00000000000d/);
  assert.not.match(rewrite.stdout, /Files\.Read\.All|Mail\.Send/);
});

test('a misspelled tenantId is reported as a tenant not found, with a hint to check tenantId', async () => {
  writeProject('3f1c2d4e-0000-4000-8000-000000000002', 'FABRIKAM_CLIENT_SECRET', 'fabrikm.onmicrosoft.com');
  const r = await runCli(['tenants', dir], { env: secretsEnv() });
  assert.is(r.code, 1);
  assert.match(
    r.stdout,
    /^  ✗ Graph: tenant 'fabrikam': sign-in for Graph refused: AADSTS90002: Tenant 'fabrikm.onmicrosoft.com' not found\.; hint: check spec\.tenants\.fabrikam\.tenantId \(fabrikm\.onmicrosoft\.com\) and cloud \(emulator\)/m,
  );
  assert.not.match(r.stdout, /cannot reach|start the emulator/);
  assert.match(r.stdout, /✗ 1 of 2 tenants not ready\n$/);
});

test('an invalid project is refused before any sign-in', async () => {
  const bad = mkdtempSync(join(tmpdir(), 't2t-tenants-bad-'));
  try {
    writeFileSync(join(bad, 'project.yaml'), 'apiVersion: t2t.dev/v1\nkind: Project\nmetadata: { name: x }\nspec: { tenants: {} }\n');
    const r = await runCli(['tenants', bad]);
    assert.is(r.code, 1);
    assert.match(r.stderr, /error: cannot check tenants: the manifests in .* are not valid/);
    assert.match(r.stderr, /hint: fix them first; 't2t validate/);
  } finally {
    rmSync(bad, { recursive: true, force: true });
  }
});

test.run();
