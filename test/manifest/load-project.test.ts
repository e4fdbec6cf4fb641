import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { readdirSync, writeFileSync } from 'node:fs';
import { loadProject, manifestInputs } from '../../engine/manifest/load-project.js';
import { manifestHash } from '../../engine/manifest/manifest-hash.js';
import { renderDiagnostic } from '../../engine/manifest/diagnostics.js';
import { cleanup, copyDir, EXAMPLE, FIXTURES, PROJECT, testdir, wave } from './helpers.js';
import { isWorkingTreeDirty } from '../../engine/gitops/revision.js';
import { commitAll, git, initRepo } from '../gitops/git-fixture.js';

test.after.each(cleanup);

test('the example project validates with zero errors (missing generated PFX files are only warnings)', async () => {
  const dir = copyDir(EXAMPLE, ['certs']);
  const r = await loadProject(dir);
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.equal(r.diagnostics.map((d) => [d.code, d.file, d.line]), [
    ['missing-certificate-file', 'project.yaml', 93],
    ['missing-certificate-file', 'project.yaml', 94],
  ]);
  const p = r.project!;
  assert.is(p.name, 'contoso-fabrikam');
  assert.equal(p.files, ['project.yaml', 'waves/wave-01-pilot.yaml', 'waves/wave-02-sales.yaml', 'waves/wave-03-partners.yaml']);
  assert.equal(r.ignoredFiles, ['emulator.yaml'], 'the emulator config is not a manifest');
  assert.equal(p.tenants.map((t) => [t.name, t.role, t.cloud, t.endpoint]), [
    ['contoso', 'source', 'emulator', 'https://127.0.0.1:7365'],
    ['fabrikam', 'target', 'emulator', 'https://127.0.0.1:7365'],
  ]);
  // a missing secret is reported where the manifest names it
  assert.equal(p.tenants.map((t) => t.credentialPosition), [
    { file: 'project.yaml', line: 23, col: 9 },
    { file: 'project.yaml', line: 34, col: 9 },
  ]);
  assert.equal(p.waves.map((w) => [w.name, w.phase, w.profile]), [
    ['wave-01-pilot', 'synced', 'standard'],
    ['wave-02-sales', 'prepared', 'standard'],
    ['wave-03-partners', 'discovered', 'guests'],
  ]);
  assert.equal(p.waves[1]!.members, { users: [], groups: ['Sales Team'], csv: 'waves/wave-02.csv', csvUsers: ['carol@contoso.com', 'dave@contoso.com'] });
});

test('defaults are applied: discovery daily at midnight, cloud global, safety, prune, workloads, matching, phase', async () => {
  const dir = testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': `apiVersion: t2t.dev/v1\nkind: Wave\nmetadata: { name: a }\nspec:\n  profile: standard\n  members: { users: [A@Src.COM, b@SRC.com] }\n` });
  const r = await loadProject(dir);
  assert.equal(r.diagnostics, []);
  const p = r.project!;
  const t = p.tenants[0]!;
  assert.is(t.cloud, 'global');
  assert.equal(t.discovery, { schedule: '0 0 * * *', enabled: true });
  assert.equal(t.position, { file: 'project.yaml', line: 7, col: 5 });
  assert.equal(p.safety, { maxDeletes: 0, maxFailureRate: 0.2, exclude: [] });
  assert.is(p.prune, false);
  assert.equal(p.matching, [{ source: 'mail', target: 'mail', mapDomain: true }]);
  assert.equal(p.profiles['standard'], { name: 'standard', createAs: 'member', workloads: ['mailbox', 'archive', 'onedrive'] });
  assert.is(p.emailRewrite, undefined);
  const w = p.waves[0]!;
  assert.equal([w.phase, w.paused, w.emailRewrite, w.inviteGuests, w.schedule], ['discovered', false, 'none', false, {}]);
  assert.equal(w.members.users, ['a@src.com', 'b@src.com'], 'addresses lower-cased');
  assert.equal(w.position, { file: 'waves/a.yaml', line: 1, col: 1 });
});

test('emailRewrite defaults: group names and DKIM selector', async () => {
  const r = await loadProject(join(FIXTURES, 'valid', 'missing-pfx'));
  assert.equal(r.project!.emailRewrite, { dayOneGroup: 'T2T-Rewrite-DayOne', dayTwoGroup: 'T2T-Rewrite-DayTwo', tlsCertificate: 'rewrite-tls', dkimSelector: 't2t' });
  assert.equal(r.project!.certificates['rewrite-tls'], { name: 'rewrite-tls', pfxFile: 'certs/tls.pfx', passwordFromEnv: 'TLS_PASSWORD' });
});

test('the model is deeply frozen', async () => {
  const r = await loadProject(EXAMPLE);
  const p = r.project!;
  assert.ok(Object.isFrozen(p));
  assert.ok(Object.isFrozen(p.tenants[0]!.auth));
  assert.ok(Object.isFrozen(p.waves[0]!.members.users));
  assert.ok(Object.isFrozen(p.profiles['standard']!.license!.skus));
  assert.throws(() => {
    (p as { name: string }).name = 'other';
  }, TypeError);
  assert.throws(() => (p.waves as unknown as unknown[]).push({}), TypeError);
  assert.throws(() => {
    (p.safety as { maxDeletes: number }).maxDeletes = 99;
  }, TypeError);
});

test('a missing PFX is a warning: the project is still built', async () => {
  const r = await loadProject(join(FIXTURES, 'valid', 'missing-pfx'));
  assert.equal(r.diagnostics.map((d) => [d.severity, d.code, d.file, d.line, d.col]), [['warning', 'missing-certificate-file', 'project.yaml', 28, 29]]);
  assert.ok(r.project);
});

test('an empty file is a warning and ignored', async () => {
  const r = await loadProject(join(FIXTURES, 'valid', 'empty-file'));
  assert.equal(r.diagnostics.map((d) => [d.severity, d.code, d.file, d.line, d.message]), [['warning', 'empty-file', 'waves/empty.yaml', 0, 'waves/empty.yaml is empty: it holds no YAML document and is ignored']]);
  assert.ok(r.project);
  assert.not.ok(r.project!.files.includes('waves/empty.yaml'));
});

test('a user in two waves is reported with both locations', async () => {
  const dir = testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': wave('a', '    users: [x@src.com]\n'), 'waves/b.yaml': wave('b', '    users:\n      - y@src.com\n      - X@src.com\n') });
  const r = await loadProject(dir);
  assert.equal(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`), ["waves/b.yaml:11:9 user x@src.com is in wave 'b' and in wave 'a' (at waves/a.yaml:9:13)"]);
});

test('the same user in a discovered wave and another wave is allowed', async () => {
  const r = await loadProject(join(FIXTURES, 'valid', 'discovered-overlap'));
  assert.equal(r.diagnostics, []);
  assert.is(r.project!.waves.length, 2);
});

test('a user or group in a discovered wave and then in two waves that are not is reported for those two', async () => {
  // the discovered wave sorts first: it used to be the only wave remembered for the member, so
  // the prepared and synced waves that both list it were never compared (validate said valid)
  const member = '    users: [x@src.com]\n    groups: [Sales]\n';
  const dir = testdir({
    'project.yaml': PROJECT,
    'waves/a.yaml': wave('a', member).replace('phase: prepared', 'phase: discovered'),
    'waves/b.yaml': wave('b', member),
    'waves/c.yaml': wave('c', member).replace('phase: prepared', 'phase: synced'),
  });
  const r = await loadProject(dir);
  assert.is(r.project, undefined);
  assert.equal(r.diagnostics.filter((d) => d.code !== 'unlicensed-profile').map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`), [
    "waves/c.yaml:9:13 member-in-two-waves user x@src.com is in wave 'c' and in wave 'b' (at waves/b.yaml:9:13)",
    "waves/c.yaml:10:14 group-in-two-waves group Sales is in wave 'c' and in wave 'b' (at waves/b.yaml:10:14)",
  ]);
});

test('a user listed twice in a wave is warned about also when a discovered wave listed it before', async () => {
  const dir = testdir({
    'project.yaml': PROJECT,
    'waves/a.yaml': wave('a', '    users: [x@src.com]\n').replace('phase: prepared', 'phase: discovered'),
    'waves/b.yaml': wave('b', '    users: [x@src.com, X@src.com]\n'),
  });
  const r = await loadProject(dir);
  assert.equal(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`), ["waves/b.yaml:9:24 duplicate-member user x@src.com is listed twice in wave 'b' (also at waves/b.yaml:9:13)"]);
});

test('a wave at synced or cutover whose profile assigns no licence is a warning, at its phase', async () => {
  const synced = (name: string) => wave(name, '    users: [x@src.com]\n').replace('phase: prepared', 'phase: synced');
  const dir = testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': synced('a') });
  const r = await loadProject(dir);
  assert.equal(r.diagnostics.map((d) => [d.severity, d.code, d.file, d.line, d.col]), [['warning', 'unlicensed-profile', 'waves/a.yaml', 7, 10]]);
  assert.match(r.diagnostics[0]!.message, /^wave 'a' is at synced with profile 'standard', which assigns no licence: /);
  assert.ok(r.project, 'a warning: the project loads');
  // a licence in the profile, or the wave at prepared: nothing to say
  const licensed = testdir({ 'project.yaml': PROJECT.replace('standard: {}', 'standard: { license: { skus: [EXCHANGESTANDARD] } }'), 'waves/a.yaml': synced('a') });
  assert.equal((await loadProject(licensed)).diagnostics, []);
  const prepared = testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': wave('a', '    users: [x@src.com]\n') });
  assert.equal((await loadProject(prepared)).diagnostics, []);
});

test('a user listed twice in one wave is a warning', async () => {
  const dir = testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': wave('a', '    users: [x@src.com, x@src.com]\n') });
  const r = await loadProject(dir);
  assert.equal(r.diagnostics.map((d) => [d.severity, d.code, d.line, d.col]), [['warning', 'duplicate-member', 9, 24]]);
  assert.equal(r.project!.waves[0]!.members.users, ['x@src.com']);
});

test('two Projects: the second is reported with the location of the first', async () => {
  const dir = testdir({ 'project.yaml': PROJECT, 'more.yaml': `---\n${PROJECT.replace('name: inline', 'name: other')}` });
  const r = await loadProject(dir);
  assert.equal(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`), [
    'project.yaml:1:1 duplicate-project a second Project document (the first is at more.yaml:2:1): a project has exactly one',
  ]);
  assert.is(r.project, undefined);
});

test('a YAML syntax error at the end of the file is reported on its last line, not on the one after it', async () => {
  // the parser places an unclosed '[' at the end of the input: past a final newline that is a line
  // that does not exist, and its excerpt was empty
  const last = '    users: [x@src.com';
  for (const tail of ['', '\n', '\n\n  \n', '\r\n']) {
    const dir = testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': wave('a', `${last}${tail}`) });
    const d = (await loadProject(dir)).diagnostics.find((x) => x.code === 'yaml-syntax');
    assert.ok(d, JSON.stringify(tail));
    const line = wave('a', '').split('\n').length;
    assert.equal([d.file, d.line, d.col, d.excerpt], ['waves/a.yaml', line, last.length + 1, last], JSON.stringify(tail));
    assert.ok(renderDiagnostic(d).includes(`\n  ${line} | ${last}\n    | ${' '.repeat(last.length)}^\n`), renderDiagnostic(d));
  }
});

test('several documents in one file are all read, with their own positions', async () => {
  const dir = testdir({ 'all.yaml': `${PROJECT}---\n${wave('a', '    users: [x@src.com]\n')}---\n${wave('b', '    users: [y@src.com]\n').replace('profile: standard', 'profile: standad')}` });
  const r = await loadProject(dir);
  assert.equal(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`), ['all.yaml:39:12 unknown-profile']);
});

test('a YAML syntax error is reported at its position with an excerpt and a caret', async () => {
  const dir = testdir({ 'project.yaml': PROJECT.replace('  profiles:\n', '  profiles: [\n') });
  const r = await loadProject(dir);
  const d = r.diagnostics[0]!;
  assert.is(d.code, 'yaml-syntax');
  assert.is(d.file, 'project.yaml');
  assert.ok(d.line > 0 && d.col > 0);
  const text = renderDiagnostic(d);
  assert.match(text, /^project\.yaml:\d+:\d+: error: YAML syntax error: /);
  assert.match(text, /\n {2}\d+ \| .*\n {2} +\| +\^/);
  assert.not.ok(r.diagnostics.some((x) => x.code === 'no-project'), 'a broken file may hold the Project: no second error about it');
});

test('a project.yaml that is some other YAML (a list) is named as the place the Project was meant to be', async () => {
  for (const text of ['- a\n- b\n', 'tenants: []\n']) {
    const r = await loadProject(testdir({ 'project.yaml': text }));
    assert.equal(
      r.diagnostics.map((d) => [d.code, d.file, d.line, d.message]),
      [['no-project', 'project.yaml', 1, 'project.yaml holds no t2t manifest: no YAML document in it is a mapping with apiVersion and kind']],
      text,
    );
  }
  // no project.yaml at all: the directory is named, as before
  const none = await loadProject(testdir({ 'waves/a.yaml': wave('a', '    users: [x@src.com]\n') }));
  assert.match(none.diagnostics.find((d) => d.code === 'no-project')!.message, /^no Project document in /);
});

test('rendering: FILE:LINE:COL, message and code, the line, a caret under the column, the hint', () => {
  const text = renderDiagnostic({ code: 'unknown-key', severity: 'error', message: "unknown key 'profle' in spec (did you mean 'profile'?)", file: 'waves/a.yaml', line: 6, col: 3, excerpt: '  profle: standard', hint: 'allowed keys: profile' });
  assert.is(text, "waves/a.yaml:6:3: error: unknown key 'profle' in spec (did you mean 'profile'?) [unknown-key]\n  6 |   profle: standard\n    |   ^\n  hint: allowed keys: profile");
});

test('files are found recursively, skipping dot-directories and node_modules', async () => {
  const dir = testdir({ 'project.yaml': PROJECT, 'sub/deeper/w.yml': wave('a', '    users: [x@src.com]\n'), '.git/bad.yaml': 'kind: Nope\n', 'node_modules/x/bad.yaml': 'kind: Nope\n', '.hidden.yaml': 'kind: Nope\n' });
  const r = await loadProject(dir);
  assert.equal(r.diagnostics, []);
  assert.equal(r.project!.files, ['project.yaml', 'sub/deeper/w.yml']);
});

test('a missing directory is one diagnostic', async () => {
  const r = await loadProject(join(FIXTURES, 'does-not-exist'));
  assert.equal(r.diagnostics.map((d) => d.code), ['directory-not-found']);
  assert.is(r.project, undefined);
});

test('no secret value ever appears in a diagnostic', async () => {
  const secrets = { SRC_SECRET: 'env-secret-src-4711', DST_SECRET: 'env-secret-dst-4712', CONTOSO_CLIENT_SECRET: 'env-secret-contoso-4713', FABRIKAM_CLIENT_SECRET: 'env-secret-fabrikam-4714' };
  const saved = { ...process.env };
  Object.assign(process.env, secrets);
  try {
    const dirs = [EXAMPLE, ...['invalid', 'valid'].flatMap((k) => readdirSync(join(FIXTURES, k)).map((c) => join(FIXTURES, k, c)))];
    for (const dir of dirs) {
      const r = await loadProject(dir);
      const text = JSON.stringify(r.diagnostics) + r.diagnostics.map((d) => renderDiagnostic(d)).join('\n');
      for (const value of [...Object.values(secrets), 'hunter2-literal']) assert.not.ok(text.includes(value), `${value} leaked in ${dir}`);
    }
  } finally {
    for (const k of Object.keys(secrets)) if (!(k in saved)) delete process.env[k];
  }
});

test('manifestHash covers manifests and referenced files, in sorted order, and changes with them', async () => {
  const dir = copyDir(EXAMPLE, ['certs']);
  const p = (await loadProject(dir)).project!;
  const inputs = manifestInputs(p);
  assert.equal(inputs, ['project.yaml', 'templates/cutover.html', 'templates/invite.txt', 'waves/wave-01-pilot.yaml', 'waves/wave-02-sales.yaml', 'waves/wave-02.csv', 'waves/wave-03-partners.yaml']);
  const h1 = manifestHash(dir, inputs);
  assert.match(h1, /^sha256:[0-9a-f]{64}$/);
  assert.is(manifestHash(dir, [...inputs].reverse()), h1, 'order of the list does not matter');
  writeFileSync(join(dir, 'waves/wave-02.csv'), 'user\ncarol@contoso.com\n');
  const h2 = manifestHash(dir, inputs);
  assert.is.not(h2, h1, 'a CSV change changes the hash');
  writeFileSync(join(dir, 'emulator.yaml'), '# changed\n');
  assert.is(manifestHash(dir, inputs), h2, 'files outside the inputs do not count');
  assert.is.not(manifestHash(dir, [...inputs, 'missing.yaml']), h2, 'a missing file counts as a change');
});

test('a members CSV named ./waves/a.csv that is not committed makes the working tree dirty, as waves/a.csv does', async () => {
  // manifestInputs is what apply's working-tree check compares with git's paths (waves/a.csv): the
  // path as written (./waves/a.csv) matched none, so apply ran with members no commit holds
  const dir = testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': wave('a', '    csv: ./waves/a.csv\n') });
  initRepo(dir);
  commitAll(dir, 'the project, without its CSV');
  writeFileSync(join(dir, 'waves', 'a.csv'), 'x@src.com\n');
  const r = await loadProject(dir);
  assert.equal(r.diagnostics, []);
  assert.ok(manifestInputs(r.project!).includes('waves/a.csv'), JSON.stringify(manifestInputs(r.project!)));
  assert.equal(await isWorkingTreeDirty(dir, process.env, manifestInputs(r.project!)), { dirty: true, files: ['waves/a.csv'], inRepo: true });
  git(dir, ['add', '.']);
  commitAll(dir, 'the CSV');
  assert.is((await isWorkingTreeDirty(dir, process.env, manifestInputs(r.project!))).dirty, false);
});

test.run();
