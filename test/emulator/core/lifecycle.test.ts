// The emulator as a program: persistence across restarts (tenants and CA), clean SIGTERM,
// and the `t2t emulator` command's refusals.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startEmulator, testConfig } from '../../helpers/emulator.js';
import { exchangeInvoke, rawRequest } from '../../helpers/graph.js';
import { runCli } from '../../helpers/cli.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 't2t-emu-life-'));
  dirs.push(d);
  return d;
};
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('with --data, a created user survives a restart and the CA is reused', async () => {
  const data = tempDir();
  const first = await startEmulator(testConfig(), { dataDir: data });
  const created = await rawRequest(first, 'fabrikam', 'POST', '/v1.0/users', { accountEnabled: true, displayName: 'Persisted Pat', mailNickname: 'pat', userPrincipalName: 'pat@fabrikam.com', passwordProfile: { password: 'P@ssw0rd-not-real-1' } });
  assert.is(created.status, 201, JSON.stringify(created.body));
  await rawRequest(first, null, 'POST', '/_emulator/clock', { advanceMs: 3_600_000 });
  const ca = readFileSync(first.caFile, 'utf8');
  await first.stop();
  assert.is(first.child.exitCode, 0, 'SIGTERM stops the emulator cleanly (exit 0)');

  const second = await startEmulator(testConfig(), { dataDir: data });
  try {
    assert.is(readFileSync(second.caFile, 'utf8'), ca, 'the CA is reused');
    const again = await rawRequest(second, 'fabrikam', 'GET', '/v1.0/users/pat@fabrikam.com');
    assert.is(again.status, 200, JSON.stringify(again.body));
    assert.is(again.body.id, created.body.id);
    assert.is(again.body.displayName, 'Persisted Pat');
    const clock = await rawRequest(second, null, 'GET', '/_emulator/clock');
    assert.ok(clock.body.offsetMs >= 3_600_000, 'the clock offset is kept');
  } finally {
    await second.stop();
  }
});

test('with --data, a guest saved before guests had an Exchange recipient gets its GuestMailUser at load', async () => {
  const data = tempDir();
  const first = await startEmulator(testConfig(), { dataDir: data });
  const inv = await rawRequest(first, 'fabrikam', 'POST', '/v1.0/invitations', { invitedUserEmailAddress: 'olga@contoso.com', inviteRedirectUrl: 'https://myapplications.microsoft.com' });
  assert.is(inv.status, 201, JSON.stringify(inv.body));
  const id = inv.body.invitedUser.id as string;
  await first.stop();
  // the save as an older emulator wrote it: no recipient for the guest
  const tenants = JSON.parse(readFileSync(join(data, 'tenants.json'), 'utf8')) as { tenants: { name: string }[] };
  const file = join(data, 'tenants', `${tenants.tenants.findIndex((t) => t.name === 'fabrikam')}-exchange.json`);
  const exchange = JSON.parse(readFileSync(file, 'utf8')) as { recipients: Record<string, { userId: string | null }>; byUser: Record<string, string> };
  for (const [guid, r] of Object.entries(exchange.recipients)) if (r.userId === id) delete exchange.recipients[guid];
  delete exchange.byUser[id];
  writeFileSync(file, JSON.stringify(exchange));

  const second = await startEmulator(testConfig(), { dataDir: data });
  try {
    const r = await exchangeInvoke(second, 'fabrikam', 'Get-MailUser', { Identity: id });
    assert.is(r.status, 200, JSON.stringify(r.body));
    assert.equal([r.body.value[0].RecipientTypeDetails, r.body.value[0].HiddenFromAddressListsEnabled], ['GuestMailUser', true]);
  } finally {
    await second.stop();
  }
});

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'engine', 'cli', 'bin.js');

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

test('t2t emulator killed with SIGKILL: its emulator process stops too, and the port is free', async () => {
  const dir = tempDir();
  const cfg = join(dir, 'emulator.yaml');
  writeFileSync(cfg, stringify(testConfig()));
  const t2t = spawn(process.execPath, [BIN, 'emulator', '--config', cfg, '--port', '0', '--data', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, T2T_HOME: join(dir, 'home') } });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    t2t.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (https:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    t2t.once('exit', (code) => reject(new Error(`t2t emulator exited with ${code} before listening`)));
  });
  const port = Number(new URL(url).port);
  assert.ok(await listening(port), 'the emulator listens');
  t2t.kill('SIGKILL'); // nothing of t2t runs to stop its child
  let free = false;
  for (let i = 0; i < 100 && !free; i++) {
    await new Promise((r) => setTimeout(r, 50));
    free = !(await listening(port));
  }
  assert.ok(free, `the emulator still holds port ${port} 5 s after t2t emulator was killed`);
});

test('t2t emulator with an invalid config exits 1 naming the file, key and line', async () => {
  const dir = tempDir();
  const cfg = join(dir, 'bad.yaml');
  writeFileSync(cfg, 'tenants:\n  - name: contoso\n    apps: [{ clientId: a, clientSecret: s }]\n    domain: [contoso.com]\n');
  const r = await runCli(['emulator', '--config', cfg, '--port', '0', '--data', join(dir, 'data')]);
  assert.is(r.code, 1);
  assert.match(r.stderr, new RegExp(`emulator config ${cfg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is invalid`));
  assert.match(r.stderr, /tenants\[0\]\.domain \(line 4\): unknown key 'domain'/);
  // The hint names a file a user has (SPEC.md is not shipped with t2t).
  assert.match(r.stderr, /\nhint: .*examples\/contoso-fabrikam\/emulator\.yaml/);
  assert.not.match(r.stderr, /SPEC/);
});

test('t2t emulator refuses a missing --config or a missing file with a hint', async () => {
  const none = await runCli(['emulator']);
  assert.is(none.code, 1);
  assert.match(none.stderr, /^error: --config FILE is required\nhint: /);
  const missing = await runCli(['emulator', '--config', 'nope.yaml'], { cwd: tempDir() });
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /^error: emulator config 'nope.yaml' does not exist/);
  const help = await runCli(['emulator', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /--port N +port on 127\.0\.0\.1 \(0 picks a free port\) \(default: 7365\)/);
});

test.run();
