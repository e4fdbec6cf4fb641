// `t2t logs` in text: each job log entry is one line, and tenant text in it (an error message
// quoting a display name) reaches the terminal with its control characters escaped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { EXAMPLE_DIR } from '../helpers/example-project.js';
import { appendJobLog } from '../../engine/state/job-log.js';

const state = mkdtempSync(join(tmpdir(), 't2t-logs-'));
test.after(() => rmSync(state, { recursive: true, force: true }));

test('an error with a newline and an escape sequence stays on its line, escaped', async () => {
  const where = { wave: 'wave-01-pilot', user: 'alice@contoso.com' };
  await appendJobLog(state, where, { event: 'step.start', op: 'targetUser.create', time: '2026-01-01T00:00:01Z' });
  await appendJobLog(state, where, { event: 'step.failed', level: 'error', op: 'targetUser.create', error: 'name "Al\u001b[2Jice\nFAKE 2026-01-01T00:00:03Z INFO  step.done" refused', time: '2026-01-01T00:00:02Z' });
  const r = await runCli(['logs', EXAMPLE_DIR, '--user', 'alice@contoso.com'], { env: { T2T_STATE_DIR: state } });
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines.length, 2, r.stdout);
  assert.not.ok(r.stdout.includes('\u001b'));
  assert.match(lines[1]!, /ERROR wave-01-pilot alice@contoso\.com step\.failed targetUser\.create name "Al\\x1b\[2Jice\\nFAKE .* refused$/);
  const json = await runCli(['logs', EXAMPLE_DIR, '--user', 'alice@contoso.com', '-o', 'json'], { env: { T2T_STATE_DIR: state } });
  assert.ok(json.stdout.includes('\\u001b[2J'), 'the JSON keeps the value, JSON-escaped');
});

test('no log for an address no wave lists: said, with the closest listed address', async () => {
  const typo = await runCli(['logs', EXAMPLE_DIR, '--user', 'alcie@contoso.com'], { env: { T2T_STATE_DIR: state } });
  assert.is(typo.code, 0, typo.stderr);
  assert.is(typo.stdout, 'No job log for alcie@contoso.com yet (apply writes one per user).\nNo wave of contoso-fabrikam lists alcie@contoso.com by name (a member that comes from a group is known only after discovery). Did you mean alice@contoso.com?\n');
  // a listed user without a log yet: no such remark
  const listed = await runCli(['logs', EXAMPLE_DIR, '--user', 'bob@contoso.com'], { env: { T2T_STATE_DIR: state } });
  assert.is(listed.stdout, 'No job log for bob@contoso.com yet (apply writes one per user).\n');
});

test('no log for alice+tag@ when alice@ is listed or has a log: the address without the tag is named', async () => {
  const plus = await runCli(['logs', EXAMPLE_DIR, '--user', 'bob+news@contoso.com'], { env: { T2T_STATE_DIR: state } });
  assert.is(plus.code, 0, plus.stderr);
  assert.is(
    plus.stdout,
    'No job log for bob+news@contoso.com yet (apply writes one per user).\nNo wave of contoso-fabrikam lists bob+news@contoso.com by name (a member that comes from a group is known only after discovery). Did you mean bob@contoso.com? (plus-addressing is not folded)\n',
  );
  // a member that came from a group is listed nowhere, but has a log
  await appendJobLog(state, { wave: 'wave-02-sales', user: 'grace@contoso.com' }, { event: 'step.start', op: 'targetUser.create', time: '2026-01-01T00:00:01Z' });
  const group = await runCli(['logs', EXAMPLE_DIR, '--user', 'Grace+x@contoso.com'], { env: { T2T_STATE_DIR: state } });
  assert.match(group.stdout, / by name \(.*\)\. Did you mean grace@contoso\.com\? \(plus-addressing is not folded\)\n$/);
  // the address without the tag is nobody's: no such hint
  const nobody = await runCli(['logs', EXAMPLE_DIR, '--user', 'zed+x@contoso.com'], { env: { T2T_STATE_DIR: state } });
  assert.not.match(nobody.stdout, /plus-addressing/);
});

test.run();
