// `t2t certs` end to end, in-process, on a temp project with certificates generated at run time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runCli } from '../helpers/cli.js';
import { makeChainPfx, makePfx } from '../helpers/pfx.js';
import { certificateExpiries } from '../../engine/cli/commands/certs.js';
import { loadProject } from '../../engine/manifest/load-project.js';
import { certificateWarnings } from '../../engine/plan/certificates.js';
import { checkCertificateBinding } from '../../engine/apply/preflight.js';
import type { PlanChange } from '../../engine/plan/model.js';

const DAY = 86_400_000;
const PROJECT = `apiVersion: t2t.dev/v1
kind: Project
metadata:
  name: certs-test
spec:
  tenants:
    contoso:
      role: source
      tenantId: contoso.onmicrosoft.com
      cloud: global
      auth:
        clientId: 3f1c2d4e-0000-4000-8000-000000000001
        clientSecret: { fromEnv: CONTOSO_CLIENT_SECRET }
    fabrikam:
      role: target
      tenantId: fabrikam.onmicrosoft.com
      cloud: global
      auth:
        clientId: 3f1c2d4e-0000-4000-8000-000000000002
        certificate: { pfxFile: certs/app.pfx, passwordFromEnv: APP_PFX_PASSWORD }
  domains:
    - { source: contoso.com, target: fabrikam.com }
    - { source: contoso.net, target: fabrikam.net }
  matching:
    - { source: mail, target: mail, mapDomain: true }
  attributes:
    - { target: displayName, from: displayName }
  profiles:
    standard: { createAs: member, workloads: [mailbox] }
  emailRewrite:
    tlsCertificate: rewrite-tls
    dkimCertificate: rewrite-dkim
    dkimSelector: t2t
  certificates:
    rewrite-tls:  { pfxFile: certs/rewrite-tls.pfx,  passwordFromEnv: REWRITE_TLS_PASSWORD }
    rewrite-dkim: { pfxFile: certs/rewrite-dkim.pfx, passwordFile: secrets/dkim-password.txt }
`;
const env = { REWRITE_TLS_PASSWORD: 'tls-pw-Secret1', APP_PFX_PASSWORD: 'app-pw-Secret2' };
const tmp = mkdtempSync(join(tmpdir(), 't2t-cli-certs-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function project(name: string, o: { tlsSans?: string[]; dkimDays?: number } = {}): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'certs'), { recursive: true });
  mkdirSync(join(dir, 'secrets'), { recursive: true });
  writeFileSync(join(dir, 'project.yaml'), PROJECT);
  writeFileSync(join(dir, 'secrets', 'dkim-password.txt'), 'dkim-pw-Secret3\n');
  writeFileSync(join(dir, 'certs', 'rewrite-tls.pfx'), makePfx({ cn: 'fabrikam.com', sans: o.tlsSans ?? ['fabrikam.com', 'fabrikam.net'], password: env.REWRITE_TLS_PASSWORD }));
  writeFileSync(join(dir, 'certs', 'rewrite-dkim.pfx'), makePfx({ cn: 'dkim', days: o.dkimDays ?? 365, password: 'dkim-pw-Secret3' }));
  writeFileSync(join(dir, 'certs', 'app.pfx'), makePfx({ cn: 't2t-app', password: env.APP_PFX_PASSWORD }));
  return dir;
}
const good = project('good');

test('text: a table, the DKIM records for each target domain, exit 0', async () => {
  const r = await runCli(['certs', good], { env });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Certificates of certs-test\n/);
  assert.match(r.stdout, /\nNAME +USE +SUBJECT +EXPIRES +KEY +THUMBPRINT \(SHA-1\) +STATUS\n/);
  assert.match(r.stdout, /\nrewrite-tls +tls +CN=fabrikam\.com +\d{4}-\d\d-\d\d \(36\d d\) +RSA 2048 +[0-9A-F]{40} +ok\n/);
  assert.match(r.stdout, /\nrewrite-dkim +dkim +CN=dkim .* ok\n/);
  assert.match(r.stdout, /\ntenant fabrikam +auth +CN=t2t-app .* ok\n/);
  assert.match(r.stdout, /\n  t2t\._domainkey\.fabrikam\.com TXT "v=DKIM1; k=rsa; p=MIIBIjAN[A-Za-z0-9+/]+" "[A-Za-z0-9+/=]+"\n/);
  assert.match(r.stdout, /\n  t2t\._domainkey\.fabrikam\.net TXT "v=DKIM1; k=rsa; p=/);
  assert.match(r.stdout, /\n3 certificates: 0 errors, 0 warnings\n$/);
  for (const pw of [...Object.values(env), 'dkim-pw-Secret3']) assert.not.ok(r.stdout.includes(pw) || r.stderr.includes(pw));
});

test('json: pinned fields, same DKIM value as text', async () => {
  const r = await runCli(['certs', good, '--output', 'json'], { env });
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.is(j.project, 'certs-test');
  assert.equal(j.certificates.map((c: { name: string; purposes: string[] }) => `${c.name}:${c.purposes.join('+')}`), ['rewrite-tls:tls', 'rewrite-dkim:dkim', 'tenant fabrikam:auth']);
  const tls = j.certificates[0];
  assert.equal(tls.sans, ['fabrikam.com', 'fabrikam.net']);
  assert.is(tls.keyType, 'rsa');
  assert.is(tls.keyBits, 2048);
  assert.match(tls.thumbprintSha256, /^[0-9A-F]{64}$/);
  assert.equal(tls.diagnostics, []);
  assert.equal(j.dkimRecords.map((d: { name: string }) => d.name), ['t2t._domainkey.fabrikam.com', 't2t._domainkey.fabrikam.net']);
  assert.is(j.dkimRecords[0].strings.join(''), j.dkimRecords[0].value);
  assert.is(j.errors, 0);
  assert.is(j.warnings, 0);
});

test('a TLS certificate missing a target domain and a DKIM certificate expiring soon: exit 1', async () => {
  const dir = project('bad', { tlsSans: ['fabrikam.com'], dkimDays: 10 });
  const r = await runCli(['certs', dir], { env });
  assert.is(r.code, 1);
  assert.match(r.stdout, /\nrewrite-tls .* 1 error\n/);
  assert.match(r.stdout, /\nerror: certificate 'rewrite-tls' \(certs\/rewrite-tls\.pfx\): does not cover the target domain fabrikam\.net .* \[cert-domain-not-covered\]\n  hint: /);
  assert.match(r.stdout, /\nwarning: certificate 'rewrite-dkim' \(certs\/rewrite-dkim\.pfx\): expires in (9|10) days/);
  assert.match(r.stdout, /3 certificates: 1 error, 1 warning\n$/);
  const j = JSON.parse((await runCli(['certs', dir, '-o', 'json'], { env })).stdout);
  assert.is(j.errors, 1);
  assert.is(j.warnings, 1);
});

test('a wrong or missing password is a finding that names the variable, not the password', async () => {
  const r = await runCli(['certs', good], { env: { ...env, REWRITE_TLS_PASSWORD: 'wrong-Guess-77', APP_PFX_PASSWORD: undefined } });
  assert.is(r.code, 1);
  assert.match(r.stdout, /error: wrong password for certificate 'rewrite-tls' \(certs\/rewrite-tls\.pfx\).*REWRITE_TLS_PASSWORD/);
  assert.match(r.stdout, /error: the password of certificate 'tenant fabrikam' \(certs\/app\.pfx\) is not set: environment variable APP_PFX_PASSWORD is missing/);
  assert.match(r.stdout, /\n  t2t\._domainkey\.fabrikam\.com TXT /); // the readable DKIM certificate is still reported
  assert.not.ok(r.stdout.includes('wrong-Guess-77'));
});

test('an invalid project refuses with the manifest errors; a bad --output is a user error', async () => {
  const dir = join(tmp, 'invalid');
  mkdirSync(dir);
  writeFileSync(join(dir, 'project.yaml'), 'apiVersion: t2t.dev/v1\nkind: Project\nmetadata: { name: x }\nspec: { tenants: {} }\n');
  const r = await runCli(['certs', dir], { env });
  assert.is(r.code, 1);
  assert.match(r.stderr, /project\.yaml:\d+:\d+: error: /);
  assert.match(r.stderr, /hint: run 't2t validate /);
  const bad = await runCli(['certs', good, '--output', 'yaml'], { env });
  assert.is(bad.code, 1);
  assert.is(bad.stderr, "error: unknown output format 'yaml'\nhint: use --output text or --output json\n");
});

test('--self-signed creates the missing PFX files with the manifest passwords, and never touches an existing one', async () => {
  const dir = project('self-signed');
  const tls = join(dir, 'certs', 'rewrite-tls.pfx');
  const dkim = join(dir, 'certs', 'rewrite-dkim.pfx');
  rmSync(tls);
  rmSync(dkim);
  const app = readFileSync(join(dir, 'certs', 'app.pfx'));
  // a password variable not set: refused before any file is written
  const refused = await runCli(['certs', dir, '--self-signed'], { env: { ...env, REWRITE_TLS_PASSWORD: undefined } });
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /^error: the self-signed certificates need their PFX passwords: REWRITE_TLS_PASSWORD is not set$/m);
  assert.match(refused.stderr, /^hint: set REWRITE_TLS_PASSWORD to passwords of your choosing/m);
  assert.not.ok(existsSync(tls) || existsSync(dkim), 'nothing written');

  // run from the project's parent: the files are named as they open from there
  const r = await runCli(['certs', basename(dir), '--self-signed'], { env, cwd: dirname(dir) });
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stderr, new RegExp(`^created ${basename(dir)}/certs/rewrite-tls\\.pfx: a self-signed certificate, for rehearsals only`, 'm'));
  assert.match(r.stderr, new RegExp(`^created ${basename(dir)}/certs/rewrite-dkim\\.pfx: `, 'm'));
  assert.is(statSync(tls).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(dir, 'certs', 'app.pfx')), app, 'an existing file is left as it is');
  // the check that follows read them with the manifest's passwords (file and variable)
  assert.match(r.stdout, /rewrite-tls/);
  assert.match(r.stdout, /v=DKIM1/);
  for (const secret of [...Object.values(env), 'dkim-pw-Secret3']) assert.not.ok((r.stdout + r.stderr).includes(secret), 'no password in the output');

  const before = readFileSync(tls);
  const again = await runCli(['certs', dir, '--self-signed'], { env });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stderr, /^every certificate file of spec\.certificates exists: none generated$/m);
  assert.equal(readFileSync(tls), before);
});

test('a PFX that git tracks or would commit is a warning: its private key belongs beside the manifests, not in them', async () => {
  // found by a safety audit: `t2t certs --self-signed` in a project of its own repository wrote
  // PFX files that the next `git add -A` committed, without a word
  const dir = project('in-git');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
  git('init', '-q');
  let r = await runCli(['certs', dir], { env });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /warning: certs\/rewrite-tls\.pfx is not git-ignored: the next 'git add -A' would commit its private key \[cert-not-ignored\]\n  hint: add '\*\.pfx' to the repository's \.gitignore/);
  assert.match(r.stdout, /\n3 certificates: 0 errors, 3 warnings\n$/);
  git('add', 'certs/app.pfx');
  git('commit', '-q', '-m', 'oops');
  writeFileSync(join(dir, '.gitignore'), '*.pfx\n');
  r = await runCli(['certs', dir], { env });
  assert.match(r.stdout, /warning: certs\/app\.pfx is committed to git: its private key is in the repository's history, protected only by its password \[cert-in-git\]/);
  assert.match(r.stdout, /hint: replace the certificate \(a new key\), remove the file from git \(git rm --cached certs\/app\.pfx\)/);
  assert.not.match(r.stdout, /rewrite-(tls|dkim)\.pfx is/);
  assert.match(r.stdout, /\n3 certificates: 0 errors, 1 warning\n$/);
  git('rm', '-q', '--cached', 'certs/app.pfx');
  r = await runCli(['certs', dir], { env });
  assert.match(r.stdout, /\n3 certificates: 0 errors, 0 warnings\n$/);
});

test('a PFX kept outside the repository of the manifests is no git finding', async () => {
  // where the warning itself says a PFX belongs: `git check-ignore` fails (exit 128, "outside
  // repository") for it, which was taken for "not ignored" and warned that 'git add -A' would commit it
  const dir = project('outside-repo');
  const secrets = `${dir}-secrets`;
  mkdirSync(secrets, { recursive: true });
  for (const f of ['rewrite-tls.pfx', 'rewrite-dkim.pfx', 'app.pfx']) renameSync(join(dir, 'certs', f), join(secrets, f));
  writeFileSync(join(dir, 'project.yaml'), readFileSync(join(dir, 'project.yaml'), 'utf8').replace(/pfxFile: certs\//g, `pfxFile: ../${basename(secrets)}/`));
  execFileSync('git', ['init', '-q'], { cwd: dir, stdio: 'pipe' });
  const r = await runCli(['certs', dir], { env });
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.not.match(r.stdout, /cert-not-ignored|cert-in-git/);
  assert.match(r.stdout, /\n3 certificates: 0 errors, 0 warnings\n$/);
});

test('certificateExpiries gives the planner every certificate: when it expires, or why it cannot be read', async () => {
  const { project: p } = await loadProject(good);
  const list = await certificateExpiries(p!, env);
  assert.equal(list.map((c) => c.name), ['rewrite-tls', 'rewrite-dkim', 'tenant fabrikam']);
  for (const c of list) {
    assert.ok('notAfter' in c, JSON.stringify(c));
    const days = (Date.parse(c.notAfter) - Date.now()) / DAY;
    assert.ok(days > 360 && days < 366, String(days));
  }
  // the others need env passwords
  const withoutEnv = await certificateExpiries(p!, { REWRITE_TLS_PASSWORD: undefined, APP_PFX_PASSWORD: undefined });
  assert.equal(withoutEnv.map((c) => ('notAfter' in c ? c.name : `${c.name}: ${c.problem}`)), [
    "rewrite-tls: the password of certificate 'rewrite-tls' (certs/rewrite-tls.pfx) is not set: environment variable REWRITE_TLS_PASSWORD is missing",
    'rewrite-dkim',
    "tenant fabrikam: the password of certificate 'tenant fabrikam' (certs/app.pfx) is not set: environment variable APP_PFX_PASSWORD is missing",
  ]);
  // and the plan warns of them
  const warnings = certificateWarnings(withoutEnv, new Date());
  assert.is(warnings.length, 2);
  assert.match(warnings[0]!, /^certificate rewrite-tls cannot be read: the password .* is not set: environment variable REWRITE_TLS_PASSWORD is missing\. Apply stops where it needs it/);
  // a missing password is not helped by creating self-signed certificates; a missing file is
  assert.not.match(warnings[0]!, /--self-signed/);
  const missing = certificateWarnings(await certificateExpiries({ ...p!, dir: join(p!.dir, 'nowhere') }, env), new Date());
  assert.ok(missing.length > 0 && missing.every((w) => /cannot be read: .*'t2t certs --self-signed' creates missing ones/.test(w)), missing.join('\n'));
  // once expired, each warning names where the manifest sets the certificate: a tenant's sign-in
  // certificate is not under spec.certificates (found by a review helper: it was said to be)
  const expired = certificateWarnings(list, new Date(Date.now() + 2 * 366 * DAY));
  assert.equal(expired.map((w) => /\(([^)]*)\)$/.exec(w)?.[1]), ['spec.certificates.rewrite-dkim', 'spec.certificates.rewrite-tls', 'spec.tenants.fabrikam.auth.certificate']);
  assert.match(expired[2]!, /^certificate tenant fabrikam expired on .*: renew it and update its PFX file \(spec\.tenants\.fabrikam\.auth\.certificate\)$/);
});

test("a valid certificate whose chain's intermediate CA expired, or expires first: t2t certs names the CA, its expiry and the file; the plan warns by the chain's expiry", async () => {
  // found by a review: a PFX with a valid leaf and an expired intermediate was reported ok
  const dir = project('chain');
  const now = Date.now();
  writeFileSync(
    join(dir, 'certs', 'rewrite-tls.pfx'),
    makeChainPfx({ leaf: { cn: 'fabrikam.com', sans: ['fabrikam.com', 'fabrikam.net'] }, intermediate: { cn: 'Fabrikam Issuing CA', notBefore: new Date(now - 400 * DAY), days: 390 }, password: env.REWRITE_TLS_PASSWORD }),
  );
  writeFileSync(
    join(dir, 'certs', 'rewrite-dkim.pfx'),
    makeChainPfx({ leaf: { cn: 'dkim' }, intermediate: { cn: 'Fabrikam Signing CA', notBefore: new Date(now - 300 * DAY), days: 320 }, password: 'dkim-pw-Secret3' }),
  );
  const r = await runCli(['certs', dir], { env });
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stdout, /\nrewrite-tls +tls +CN=fabrikam\.com .* 1 error\n/);
  assert.match(
    r.stdout,
    /\nerror: certificate 'rewrite-tls' \(certs\/rewrite-tls\.pfx\): the intermediate CA certificate CN=Fabrikam Issuing CA in its chain expired on \d{4}-\d\d-\d\dT[\d:.]+Z: clients that check the chain refuse the certificate \[cert-chain-expired\]\n  hint: export the PFX again with the CA's current \(renewed\) certificate in its chain, or renew the certificate\n/,
  );
  // DKIM publishes the key alone: its chain is a warning
  assert.match(r.stdout, /\nwarning: certificate 'rewrite-dkim' \(certs\/rewrite-dkim\.pfx\): the intermediate CA certificate CN=Fabrikam Signing CA in its chain expires in 20 days \([^)]+\), before the certificate itself \([^)]+\): the chain is valid until then only \[cert-chain-expiring\]\n/);
  assert.match(r.stdout, /\n3 certificates: 1 error, 1 warning\n$/);
  const j = JSON.parse((await runCli(['certs', dir, '-o', 'json'], { env })).stdout);
  assert.equal(
    j.certificates[0].chain.map((c: { subject: string; issuer: string }) => [c.subject, c.issuer]),
    [['CN=Fabrikam Issuing CA', 'CN=Test Root CA']],
  );
  assert.ok(Date.parse(j.certificates[0].chain[0].notAfter) < now);
  assert.equal(j.certificates[2].chain, [], 'a self-signed certificate has no chain');

  // the plan's expiry warning reads the chain's first expiry, and names the CA certificate
  const { project: p } = await loadProject(dir);
  const list = await certificateExpiries(p!, env);
  const tls = list.find((c) => c.name === 'rewrite-tls')!;
  assert.ok('notAfter' in tls && tls.expiresFirst === 'CN=Fabrikam Issuing CA', JSON.stringify(tls));
  const warnings = certificateWarnings(list, new Date());
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0]!, /^certificate rewrite-dkim: the CA certificate CN=Fabrikam Signing CA in its chain expires on \S+ \(in 20 days\), before the certificate itself: update its PFX file with the CA's current certificate, or renew it, before then \(spec\.certificates\.rewrite-dkim\)$/);
  assert.match(warnings[1]!, /^certificate rewrite-tls: the CA certificate CN=Fabrikam Issuing CA in its chain expired on \S+, before the certificate itself: update its PFX file with the CA's current certificate, or renew it \(spec\.certificates\.rewrite-tls\)$/);
  // and apply, about to add users to the rewrite groups, stops on the TLS certificate's chain only
  const rewrite = [{ op: 'rewriteMembership.add' }] as unknown as PlanChange[];
  try {
    await checkCertificateBinding(p!, rewrite, env);
    assert.unreachable('the binding check passed');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'apply.certificateBinding');
    assert.match((e as Error).message, /^email rewrite cannot be applied: certificate rewrite-tls \(certs\/rewrite-tls\.pfx\): certificate 'rewrite-tls' \(certs\/rewrite-tls\.pfx\): the intermediate CA certificate CN=Fabrikam Issuing CA in its chain expired on /);
    assert.not.match((e as Error).message, /rewrite-dkim/);
  }
});

test.run();
