// `t2t validate` through the in-process CLI (test/helpers/cli.ts): text and JSON, exit codes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cleanup, copyDir, EXAMPLE, FIXTURES, PROJECT, testdir, wave } from './helpers.js';

test.after.each(cleanup);

test('the example is valid: warnings, then the summary line, exit 0', async () => {
  const dir = copyDir(EXAMPLE, ['certs']);
  // paths as they open from where the command runs: the project's directory before them
  const r = await runCli(['validate', basename(dir)], { cwd: dirname(dir) });
  assert.is(r.code, 0);
  assert.is(r.stderr, '');
  assert.ok(r.stdout.startsWith(`${basename(dir)}/project.yaml:93:29: warning: pfxFile 'certs/rewrite-tls.pfx' of certificate 'rewrite-tls' does not exist yet [missing-certificate-file]\n`), r.stdout);
  // from elsewhere, the absolute path; from the project itself, the path in the project
  assert.ok((await runCli(['validate', dir])).stdout.startsWith(`${dir}/project.yaml:93:29: warning:`));
  assert.ok((await runCli(['validate'], { cwd: dir })).stdout.startsWith('project.yaml:93:29: warning:'));
  assert.ok(r.stdout.endsWith('\n✓ contoso-fabrikam: 1 project, 3 waves, 2 tenants, 6 users listed, 2 warnings\n'), r.stdout);
});

test('DIR defaults to the current directory', async () => {
  const dir = testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': wave('a', '    users: [x@src.com]\n') });
  const r = await runCli(['validate'], { cwd: dir });
  assert.is(r.code, 0);
  assert.is(r.stdout, '✓ inline: 1 project, 1 wave, 2 tenants, 1 user listed\n');
});

test('an invalid project: every diagnostic with its excerpt and caret, then the count, exit 1', async () => {
  const dir = testdir({
    'project.yaml': PROJECT,
    'waves/a.yaml': wave('a', '    users: [x@src.com]\n').replace('phase: prepared', 'phase: synched'),
    'waves/b.yaml': wave('b', '    users: [y@src.com]\n').replace('profile: standard', 'profle: standard'),
    'waves/empty.yaml': '',
  });
  const r = await runCli(['validate', '.'], { cwd: dir });
  assert.is(r.code, 1);
  assert.is(
    r.stdout,
    [
      "waves/a.yaml:7:10: error: spec.phase must be one of discovered, prepared, synced, cutover, not 'synched' (did you mean 'synced'?) [bad-value]",
      '  7 |   phase: synched',
      '    |          ^',
      "waves/b.yaml:5:1: error: spec is missing the required key 'profile' [missing-key]",
      '  5 | spec:',
      '    | ^',
      "  hint: profile: Name of a profile in the Project's spec.profiles.",
      "waves/b.yaml:6:3: error: unknown key 'profle' in spec (did you mean 'profile'?) [unknown-key]",
      '  6 |   profle: standard',
      '    |   ^',
      '  hint: allowed keys: profile, phase, paused, emailRewrite, inviteGuests, members, schedule',
      'waves/empty.yaml: warning: waves/empty.yaml is empty: it holds no YAML document and is ignored [empty-file]',
      '  hint: delete the file, or add a Project or Wave document',
      '',
      '✗ 3 errors, 1 warning in 3 files',
      '',
    ].join('\n'),
  );
});

test('past ten of one code in one file, the rest are counted in one line; JSON lists them all; plan prints the same', async () => {
  const bad = Array.from({ length: 25 }, (_, i) => `not-an-address-${i}`).join('\n');
  const dir = testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': wave('a', '    csv: waves/a.csv\n'), 'waves/a.csv': `user\nx@src.com\n${bad}\n` });
  const r = await runCli(['validate', '.'], { cwd: dir });
  assert.is(r.code, 1);
  assert.is(r.stdout.match(/\[bad-csv\]$/gm)?.length, 10, r.stdout);
  assert.match(r.stdout, /^waves\/a\.csv:12:1: error: 'not-an-address-9' is not an e-mail address \[bad-csv\]$/m);
  assert.not.match(r.stdout, /not-an-address-10'/);
  assert.match(r.stdout, /^waves\/a\.csv: 15 more errors \[bad-csv\] like these \(--output json lists them all\)\n\n✗ 25 errors in 1 file\n$/m);
  const json = JSON.parse((await runCli(['validate', '.', '--output', 'json'], { cwd: dir })).stdout) as { errors: unknown[] };
  assert.is(json.errors.length, 25);
  const plan = await runCli(['plan', '.', '--offline'], { cwd: dir });
  assert.is(plan.code, 1);
  assert.is(plan.stderr.match(/\[bad-csv\]$/gm)?.length, 10, plan.stderr);
  assert.match(plan.stderr, /^waves\/a\.csv: 15 more errors \[bad-csv\] like these \('t2t validate --output json' lists them all\)$/m);
});

test('--output json: valid, project, errors and warnings as objects', async () => {
  const r = await runCli(['validate', join(FIXTURES, 'invalid', 'unknown-profile'), '--output', 'json']);
  assert.is(r.code, 1);
  const json = JSON.parse(r.stdout) as { valid: boolean; project: string | null; errors: unknown[]; warnings: unknown[] };
  assert.is(json.valid, false);
  assert.is(json.project, null);
  assert.equal(json.warnings, []);
  assert.equal(json.errors, [
    {
      code: 'unknown-profile',
      severity: 'error',
      message: "wave 'wave-a' names profile 'standrd', which the Project does not define (did you mean 'standard'?)",
      file: 'waves/wave-a.yaml',
      line: 6,
      col: 12,
      excerpt: '  profile: standrd',
      hint: 'defined profiles: standard',
    },
  ]);
});

test('a number or a boolean where text is expected: the hint says to quote it', async () => {
  const dir = testdir({ 'project.yaml': PROJECT.replace('  name: inline', '  name: 2024'), 'waves/a.yaml': wave('a', '    users: [x@src.com]\n') });
  const r = await runCli(['validate', dir, '--output', 'json']);
  assert.is(r.code, 1);
  const [e] = (JSON.parse(r.stdout) as { errors: { code: string; message: string; hint?: string }[] }).errors;
  assert.equal([e!.code, e!.message, e!.hint], ['wrong-type', 'metadata.name must be a string, not a number', 'YAML reads this value as a number: put it in quotes to keep it as text, as written']);
});

test('a YAML merge key is said to be unsupported, with what to write instead', async () => {
  const yaml = PROJECT.replace('    dst:\n      role: target\n', '    dst:\n      <<: { role: target }\n      role: target\n');
  const r = await runCli(['validate', testdir({ 'project.yaml': yaml, 'waves/a.yaml': wave('a', '    users: [x@src.com]\n') }), '--output', 'json']);
  assert.is(r.code, 1, r.stdout);
  const [e] = (JSON.parse(r.stdout) as { errors: { code: string; message: string; hint?: string }[] }).errors;
  assert.equal([e!.code, e!.message], ['unknown-key', "merge keys ('<<: *anchor') are not part of YAML 1.2, which t2t reads: '<<' is an unknown key in spec.tenants.dst"]);
  assert.match(e!.hint!, /^write the keys out in each place/);
});

test('--output json on a valid project', async () => {
  const dir = copyDir(EXAMPLE, ['certs']);
  const r = await runCli(['validate', dir, '-o', 'json']);
  assert.is(r.code, 0);
  const json = JSON.parse(r.stdout) as { valid: boolean; project: string; summary: unknown; errors: unknown[]; warnings: { code: string }[]; ignoredFiles: string[] };
  assert.is(json.valid, true);
  assert.is(json.project, 'contoso-fabrikam');
  assert.equal(json.summary, { waves: 3, tenants: 2, users: 6 });
  assert.equal(json.errors, []);
  assert.equal(json.warnings.map((w) => w.code), ['missing-certificate-file', 'missing-certificate-file']);
  assert.equal(json.ignoredFiles, ['emulator.yaml']);
});

test('a missing DIR is a one-line error with a hint, exit 1', async () => {
  const r = await runCli(['validate', 'no/such/dir']);
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  assert.is(r.stderr, "error: project directory 'no/such/dir' does not exist\nhint: pass the directory that holds project.yaml, e.g. examples/contoso-fabrikam\n");
});

test('a parent of several projects: one error naming them, not every file checked', async () => {
  const dir = testdir({
    'projects/a/project.yaml': PROJECT,
    'projects/b/project.yaml': PROJECT,
    'projects/b/waves/bad.yaml': 'kind: Wave\nspec: [not, valid]\n',
    'projects/b/waves/broken.yaml': 'kind: Wave\nspec: {a: 1, a: 2}\n  - x\n',
  });
  const r = await runCli(['validate', '.'], { cwd: dir });
  assert.is(r.code, 1);
  assert.match(r.stdout, /^\.: error: .* holds 2 projects, not one: projects\/a, projects\/b \[several-projects\]\n {2}hint: pass one project directory, e\.g\. t2t validate .*\/projects\/a\n/);
  assert.not.match(r.stdout, /bad\.yaml|broken\.yaml/, 'the files of the projects are not reported on');
  assert.match(r.stdout, /\n✗ 1 error\n$/, 'the error is about the directory: the summary counts no file');
});

test('an empty directory: no Project, and the summary claims no file, as none was read', async () => {
  const dir = testdir({});
  const r = await runCli(['validate', '.'], { cwd: dir });
  assert.is(r.code, 1);
  assert.match(r.stdout, /^\.: error: no Project document in .* \(searched 0 YAML files\) \[no-project\]\n/);
  assert.ok(r.stdout.endsWith('\n✗ 1 error\n'), r.stdout);
  // with an error in a file as well, only that file is counted
  writeFileSync(join(dir, 'a.yaml'), 'apiVersion: t2t.dev/v1\nkind: Wave\nspec: [not, valid]\n');
  const both = await runCli(['validate', '.'], { cwd: dir });
  assert.is(both.code, 1);
  assert.match(both.stdout, /\n✗ \d+ errors? in 1 file\n$/, both.stdout);
});

test('a members CSV outside the project (.., an absolute path) is refused at the key, naming the path and the fix', async () => {
  // they were read: a CSV outside the project is not versioned in git with the manifests that name it
  const root = testdir({ 'shared/members.csv': 'user\nx@src.com\n', 'project/project.yaml': PROJECT, 'project/waves/a.csv': 'y@src.com\n' });
  const dir = join(root, 'project');
  const hint = '  hint: move the CSV into the project directory and give spec.members.csv its path relative to it, e.g. waves/wave-02.csv';
  for (const [csv, why] of [
    ['../shared/members.csv', 'is outside the project directory'],
    ['waves\\..\\..\\shared\\members.csv', 'is outside the project directory'],
    [join(root, 'shared', 'members.csv'), 'is an absolute path'],
    [join(dir, 'waves', 'a.csv'), 'is an absolute path'], // inside, but found by this clone only
  ] as const) {
    writeFileSync(join(dir, 'waves', 'a.yaml'), wave('a', `    csv: '${csv}'\n`));
    const r = await runCli(['validate', 'project'], { cwd: root });
    assert.is(r.code, 1, r.stdout);
    assert.is(
      r.stdout,
      [
        `project/waves/a.yaml:9:10: error: spec.members.csv '${csv}' ${why}: a members CSV must be inside the project, versioned with its manifests [path-outside-project]`,
        `  9 |     csv: '${csv}'`,
        '    |          ^',
        hint,
        '',
        '✗ 1 error in 1 file',
        '',
      ].join('\n'),
    );
  }
  // inside the project, however it is written, the CSV is read
  for (const csv of ['waves/a.csv', './waves/../waves/a.csv']) {
    writeFileSync(join(dir, 'waves', 'a.yaml'), wave('a', `    csv: '${csv}'\n`));
    const r = await runCli(['validate', 'project'], { cwd: root });
    assert.is(r.code, 0, `${csv}: ${r.stdout}`);
  }
});

test('a notification or invitation template outside the project is refused at its key, as a members CSV is', async () => {
  const root = testdir({ 'shared/invite.txt': 'welcome' });
  const dir = copyDir(EXAMPLE);
  const yaml = readFileSync(join(dir, 'project.yaml'), 'utf8');
  const outside = yaml.replace('bodyFile: templates/cutover.html', 'bodyFile: ../shared/cutover.html').replace('messageFile: templates/invite.txt', `messageFile: ${join(root, 'shared', 'invite.txt')}`);
  assert.ok(outside !== yaml && outside.includes('../shared/cutover.html'), 'the example names both templates');
  writeFileSync(join(dir, 'project.yaml'), outside);
  const r = await runCli(['validate', dir, '-o', 'json']);
  assert.is(r.code, 1, r.stdout);
  const errors = (JSON.parse(r.stdout) as { errors: { code: string; message: string; hint?: string }[] }).errors;
  assert.equal(errors.map((e) => e.code), ['path-outside-project', 'path-outside-project']);
  assert.match(errors[0]!.message, /^bodyFile '\.\.\/shared\/cutover\.html' of profile '[^']+' is outside the project directory: a template must be inside the project/);
  assert.match(errors[1]!.message, /^messageFile '.*invite\.txt' of profile '[^']+' is an absolute path/);
  assert.match(errors[0]!.hint ?? '', /move the file into the project directory/);
});

test('an unknown --output is refused with a suggestion', async () => {
  const r = await runCli(['validate', EXAMPLE, '--output', 'jsn']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: unknown output format 'jsn' \(did you mean 'json'\?\)\n/);
});

test('secrets from the environment never reach the output, and a literal one is masked', async () => {
  const env = { SRC_SECRET: 'env-secret-src-4711', DST_SECRET: 'env-secret-dst-4712' };
  for (const output of ['text', 'json']) {
    const r = await runCli(['validate', join(FIXTURES, 'invalid', 'secret-literal'), '--output', output], { env });
    assert.is(r.code, 1);
    for (const v of [...Object.values(env), 'hunter2-literal']) assert.not.ok((r.stdout + r.stderr).includes(v), `${v} in ${output} output`);
    assert.match(r.stdout, /clientSecret: \*\*\*/);
  }
});

test('--help shows usage and examples', async () => {
  const r = await runCli(['validate', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /^Usage: t2t validate \[DIR\] \[options\]/);
  assert.match(r.stdout, /--output FORMAT/);
  assert.match(r.stdout, /Examples:\n {2}t2t validate/);
});

test.run();
