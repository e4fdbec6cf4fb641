// The demo's emulator child: started from the example's config on a free port, stopped for good;
// a busy port is a one-line error naming it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoEmulator } from '../../engine/demo/emulator-process.js';
import { UserError } from '../../engine/errors.js';
import { EXAMPLE_DIR } from '../helpers/example-project.js';

const test = suite<{ root: string }>('demo emulator process');
test.before((ctx) => {
  ctx.root = mkdtempSync(join(tmpdir(), 't2t-demo-emu-'));
});
test.after(({ root }) => rmSync(root, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('starts on a free port with its CA in the data directory, and stop() ends the child', async ({ root }) => {
  const emu = await startDemoEmulator({ configFile: join(EXAMPLE_DIR, 'emulator.yaml'), dataDir: join(root, 'a'), port: 0, env: process.env });
  assert.match(emu.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(emu.caFile.startsWith(join(root, 'a')), emu.caFile);
  assert.ok(existsSync(emu.caFile));
  assert.ok(alive(emu.pid));
  await emu.stop();
  assert.not.ok(alive(emu.pid), 'the child is gone');
  await emu.stop(); // twice is fine
});

test('a port in use: UserError naming the port, with a hint', async ({ root }) => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  try {
    const e = await startDemoEmulator({ configFile: join(EXAMPLE_DIR, 'emulator.yaml'), dataDir: join(root, 'b'), port, env: process.env }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.instance(e, UserError);
    assert.match((e as UserError).message, new RegExp(`port ${port}.*already in use`));
    assert.match((e as UserError).hint ?? '', /--port 0/);
  } finally {
    server.close();
  }
});

test.run();
