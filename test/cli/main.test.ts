import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { COMMANDS } from '../../engine/cli/registry.js';
import { EXAMPLE_DIR } from '../helpers/example-project.js';

test('--help lists every command and the exit codes', async () => {
  const r = await runCli(['--help']);
  assert.is(r.code, 0);
  for (const name of Object.keys(COMMANDS)) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'));
  assert.match(r.stdout, /Exit codes: 0 success, 1 error, 2/);
});

test('--version prints the package version', async () => {
  const r = await runCli(['--version']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /^t2t \d+\.\d+\.\d+\n$/);
});

test('an unknown command is one line with a suggestion, exit 1', async () => {
  const r = await runCli(['plna']);
  assert.is(r.code, 1);
  assert.is(r.stderr, "error: unknown command 'plna' (did you mean 'plan'?)\nhint: run 't2t --help' for the list of commands\n");
});

test('an unknown option names the command and suggests the closest option', async () => {
  const r = await runCli(['validate', '--debg']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: unknown option '--debg' for 'validate' \(did you mean '--debug'\?\)\n/);
  assert.not.match(r.stderr, /at .*\.js/); // no stack trace without --debug
});

test('--debug, listed by t2t --help, works before the command as after it', async () => {
  const before = await runCli(['--debug', 'validate', EXAMPLE_DIR, '--wave']);
  const after = await runCli(['validate', EXAMPLE_DIR, '--wave', '--debug']);
  assert.is(before.code, 1);
  assert.match(before.stderr, /^error: unknown option '--wave' for 'validate'/);
  assert.match(before.stderr, /\n\s+at /, 'the stack trace --debug asks for');
  assert.match(after.stderr, /\n\s+at /);
  const ok = await runCli(['--debug', 'validate', EXAMPLE_DIR]);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /✓ contoso-fabrikam/);
  assert.match((await runCli(['--debug'])).stdout, /^t2t — /);
  assert.match((await runCli(['--debug', '--version'])).stdout, /^t2t \d/);
});

test('a misspelled option before the command suggests the option itself', async () => {
  const r = await runCli(['--versoin']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: unknown option '--versoin' before the command \(did you mean '--version'\?\)$/m);
});

test('a project path that is a file (project.yaml itself) or does not exist: one line saying which, for every command', async () => {
  const dir = mkdtempSync(join(tmpdir(), 't2t-main-'));
  try {
    writeFileSync(join(dir, 'project.yaml'), 'apiVersion: t2t.dev/v1\n');
    for (const command of ['validate', 'plan', 'status', 'discover', 'tenants', 'certs']) {
      const file = await runCli([command, 'project.yaml', ...(['plan', 'status'].includes(command) ? ['--offline'] : [])], { cwd: dir });
      assert.is(file.code, 1, command);
      assert.is(file.stderr, "error: 'project.yaml' is a file, not a project directory\nhint: pass the directory that holds project.yaml: .\n", command);
      const missing = await runCli([command, 'no/such/dir', ...(['plan', 'status'].includes(command) ? ['--offline'] : [])], { cwd: dir });
      assert.is(missing.stderr, "error: project directory 'no/such/dir' does not exist\nhint: pass the directory that holds project.yaml, e.g. examples/contoso-fabrikam\n", command);
    }
    // a typo of a project directory beside it: named as the user wrote the path
    mkdirSync(join(dir, 'projects', 'contoso-fabrikam'), { recursive: true });
    writeFileSync(join(dir, 'projects', 'contoso-fabrikam', 'project.yaml'), 'apiVersion: t2t.dev/v1\n');
    mkdirSync(join(dir, 'projects', 'contoso-fabrikam-notes'));
    for (const command of ['validate', 'plan']) {
      const typo = await runCli([command, 'projects/contoso-fabrkam', ...(command === 'plan' ? ['--offline'] : [])], { cwd: dir });
      assert.is(typo.stderr, "error: project directory 'projects/contoso-fabrkam' does not exist (did you mean 'projects/contoso-fabrikam'?)\nhint: run it again with projects/contoso-fabrikam\n", command);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an error at a manifest position names the file as it opens from the working directory, like validate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 't2t-main-'));
  try {
    cpSync(EXAMPLE_DIR, join(dir, 'projects', 'acme'), { recursive: true });
    writeFileSync(join(dir, 'ca.pem'), 'not used: the secret is checked first\n');
    const env = { CONTOSO_CLIENT_SECRET: undefined, FABRIKAM_CLIENT_SECRET: 'x', T2T_EMULATOR_CA: join(dir, 'ca.pem') };
    const r = await runCli(['discover', 'projects/acme'], { cwd: dir, env });
    assert.is(r.code, 1);
    assert.match(r.stderr, /^error: projects\/acme\/project\.yaml:\d+:\d+: tenant 'contoso': spec\.tenants\.contoso\.auth\.clientSecret reads environment variable CONTOSO_CLIENT_SECRET, which is not set\n/);
    // from the project directory itself, the file alone
    const inside = await runCli(['discover'], { cwd: join(dir, 'projects', 'acme'), env });
    assert.match(inside.stderr, /^error: project\.yaml:\d+:\d+: tenant 'contoso'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every command has --help with a usage line', async () => {
  for (const name of Object.keys(COMMANDS)) {
    const r = await runCli([name, '--help']);
    assert.is(r.code, 0, name);
    assert.match(r.stdout, new RegExp(`^Usage: t2t ${name}`), name);
  }
});

test('an empty option value or project directory (a shell variable not set) is refused before anything runs', async () => {
  const apply = await runCli(['apply', EXAMPLE_DIR, '--wave', '', '--auto-approve'], { env: { T2T_STATE_DIR: '/nonexistent/t2t-state' } });
  assert.is(apply.code, 1, apply.stdout);
  assert.match(apply.stderr, /^error: option '--wave' of 'apply' was given an empty value$/m);
  assert.match(apply.stderr, /^hint: give --wave a value \(if a shell variable names it, is the variable set\?\)/m);
  const plan = await runCli(['plan', EXAMPLE_DIR, '--offline', '--out=']);
  assert.match(plan.stderr, /^error: option '--out' of 'plan' was given an empty value$/m);
  const dir = await runCli(['status', '', '--offline']);
  assert.is(dir.code, 1);
  assert.match(dir.stderr, /^error: an argument of 'status' is empty$/m);
  assert.match(dir.stderr, /^hint: give the project directory \(or leave it out for the current directory\)/m);
});

test('an option whose value is missing before another option says so, and how to give a value that begins with a dash', async () => {
  const r = await runCli(['plan', EXAMPLE_DIR, '--out', '-o', 'json']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: option '--out' needs a value, and is followed by '-o', which looks like another option$/m);
  assert.match(r.stderr, /^hint: write the value after --out \(--out VALUE\); a value that does begin with a dash is written --out=-VALUE$/m);
});

test('a value given to a flag that takes none is named in t2t\'s own words', async () => {
  const r = await runCli(['plan', EXAMPLE_DIR, '--detailed-exitcode=3']);
  assert.is(r.code, 1);
  assert.is(r.stderr, "error: option '--detailed-exitcode' of 'plan' takes no value\nhint: write --detailed-exitcode alone; run 't2t plan --help' for its options\n");
});

test('a saved plan is applied as it is: --wave or --delta-sync with --plan is refused before anything runs', async () => {
  for (const extra of [['--wave', 'wave-01-pilot'], ['--delta-sync']]) {
    const r = await runCli(['apply', EXAMPLE_DIR, '--plan', 'no-such-plan.json', ...extra], { env: { T2T_STATE_DIR: '/nonexistent/t2t-state' } });
    assert.is(r.code, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`^error: ${extra[0]} cannot be combined with --plan: a saved plan `, 'm'));
  }
});

test('reconcile --interval outside 1 s to a day is refused', async () => {
  for (const v of ['0', '86401', 'soon']) {
    const r = await runCli(['reconcile', EXAMPLE_DIR, '--once', '--interval', v]);
    assert.is(r.code, 1, r.stdout);
    assert.match(r.stderr, /^error: --interval must be a number of seconds from 1 to 86400 \(a day\), got /m);
  }
});

test('plan, apply, status and logs refuse an unknown --wave the same way, before contacting a tenant', async () => {
  const example = new URL('../../../examples/contoso-fabrikam', import.meta.url).pathname;
  for (const command of ['plan', 'apply', 'status', 'logs']) {
    const r = await runCli([command, example, '--wave', 'wave-01-pilt'], { env: { T2T_STATE_DIR: '/nonexistent/t2t-state' } });
    assert.is(r.code, 1, command);
    assert.match(r.stderr, /^error: no wave named 'wave-01-pilt' in project contoso-fabrikam \(did you mean 'wave-01-pilot'\?\)\nhint: waves: wave-01-pilot, /, command);
  }
});

test.run();
