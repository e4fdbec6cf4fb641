// `t2t reconcile --once` with the real engine against an emulator: drift made by hand in a tenant is
// corrected on the next cycle, and a cutover whose cutoverAt is in the future is not applied.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { copyExample, git, startExampleEmulator } from '../helpers/example-project.js';
import { exchangeInvoke } from '../helpers/graph.js';
import type { RunningEmulator } from '../helpers/emulator.js';

const test = suite<{ emu?: RunningEmulator; dir?: string; env?: Record<string, string> }>('reconcile with the engine');

function setWave(dir: string, wave: string, edit: (yaml: string) => string): void {
  const path = join(dir, 'waves', `${wave}.yaml`);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
}

const phase = (p: string) => (y: string) => y.replace(/^(\s+phase:\s*)\S+/m, `$1${p}`);

test.before(async (ctx) => {
  ctx.emu = await startExampleEmulator();
  // the pilot prepared, no content workloads (fast), the sales wave not started
  const copy = await copyExample(ctx.emu, { 'wave-01-pilot': { phase: 'prepared' }, 'wave-02-sales': { phase: 'discovered' } });
  ctx.dir = copy.dir;
  ctx.env = copy.env;
  const project = join(ctx.dir, 'project.yaml');
  writeFileSync(project, readFileSync(project, 'utf8').replace(/workloads: \[[^\]]*\]/g, 'workloads: []'));
  git(ctx.dir, 'commit', '-q', '-am', 'No content workloads');
  const applied = await runCli(['apply', ctx.dir, '--auto-approve'], { env: ctx.env });
  assert.is(applied.code, 0, applied.stderr);
});

test.after(async (ctx) => {
  await ctx.emu?.stop();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

async function hidden(emu: RunningEmulator, identity: string): Promise<boolean> {
  const r = await exchangeInvoke(emu, 'fabrikam', 'Get-Recipient', { Identity: identity });
  assert.is(r.status, 200, JSON.stringify(r.body));
  return r.body.value[0].HiddenFromAddressListsEnabled as boolean;
}

test('a target mail user unhidden by hand is hidden again by the next cycle', async ({ emu, dir, env }) => {
  assert.is(await hidden(emu!, 'alice@fabrikam.com'), true, 'prepared users are hidden');
  const unhide = await exchangeInvoke(emu!, 'fabrikam', 'Set-MailUser', { Identity: 'alice@fabrikam.com', HiddenFromAddressListsEnabled: false });
  assert.is(unhide.status, 200, JSON.stringify(unhide.body));
  const r = await runCli(['reconcile', dir!, '--once', '--no-pull'], { env });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is(await hidden(emu!, 'alice@fabrikam.com'), true, 'drift corrected');
  assert.match(r.stdout + r.stderr, /drift/);
});

test('a cutover scheduled in the future is not applied (the wave is brought to synced meanwhile)', async ({ emu, dir, env }) => {
  setWave(dir!, 'wave-01-pilot', (y) => phase('cutover')(y).replace(/^(\s+)deltaSync: .*$/m, '$&\n$1cutoverAt: 2099-01-01T00:00:00Z'));
  assert.match(readFileSync(join(dir!, 'waves', 'wave-01-pilot.yaml'), 'utf8'), /cutoverAt: 2099-01-01T00:00:00Z/);
  git(dir!, 'commit', '-q', '-am', 'Schedule the pilot cutover');
  const r = await runCli(['reconcile', dir!, '--once', '--no-pull'], { env });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is(await hidden(emu!, 'alice@fabrikam.com'), true, 'still hidden: the cutover has not started\n' + r.stdout + r.stderr);
  const source = await exchangeInvoke(emu!, 'contoso', 'Get-Mailbox', { Identity: 'alice@contoso.com' });
  assert.is(source.body.value[0].HiddenFromAddressListsEnabled, false, 'the source mailbox is untouched');
  assert.is(source.body.value[0].ForwardingSmtpAddress ?? null, null);
});

test.run();
