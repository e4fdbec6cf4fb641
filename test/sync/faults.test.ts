// Mailbox sync against a target that fails requests now and then, as Graph does: the emulator's
// injected faults (429 with Retry-After, 500 and 503) on every authenticated call, folder creation
// included. One run completes, with one copy of each item in each folder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { syncWorkload } from '../../engine/sync/sync-workload.js';
import { childFolder, createFolder, messages, seedMessage, startSyncEnv, userPair, type SyncEnv } from './setup.js';

let env: SyncEnv;

test.before(async () => {
  env = await startSyncEnv({ faults: { errorRate: 0.15, throttleRate: 0.1, seed: 5 }, limits: { timeScale: 0.01 } });
});

test.after(async () => {
  await env?.stop();
});

/** The test's own seeding and checks, repeated until the injected faults let them through (the
 *  faults strike before the emulator acts, so a repeat never makes a second object). */
async function retry<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i >= 30) throw e;
    }
  }
}

test('transient 500/503 and 429 on folder creation, position writes, listings and exports: one run completes, every item copied once', async () => {
  const { src, tgt } = await retry(() => userPair(env, 'flt'));
  const n = 30;
  for (let i = 0; i < n; i++) {
    const id = await retry(() => createFolder(env.contoso, src.id, null, `Folder ${i}`));
    await retry(() => seedMessage(env.contoso, src.id, id, `Message ${i}`));
  }
  const wm = await syncWorkload({ source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox', mode: 'initial' });
  assert.is(wm.items, n);
  assert.ok(wm.positionsSet);
  for (let i = 0; i < n; i++) {
    const folder = (await retry(() => childFolder(env.fabrikam, tgt.id, null, `Folder ${i}`)))!;
    assert.equal((await retry(() => messages(env.fabrikam, tgt.id, folder))).map((m) => m.subject), [`Message ${i}`], `Folder ${i}`);
  }
});

test.run();
