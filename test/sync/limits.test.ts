// With the emulator's published mailbox limits on (4 concurrent requests per app and mailbox),
// a mailbox sync never draws a 429: at most 4 requests per mailbox are in flight, even when the
// caller asks for more concurrency.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { syncWorkload } from '../../engine/sync/sync-workload.js';
import { messages, seedMessage, startSyncEnv, userPair, type SyncEnv } from './setup.js';

let env: SyncEnv;

test.before(async () => {
  env = await startSyncEnv({ limits: { timeScale: 1 } });
});

test.after(async () => {
  await env?.stop();
});

test('mailbox sync under the MailboxConcurrency limit: no 429, never more than 4 in flight per mailbox', async () => {
  const { src, tgt } = await userPair(env, 'lim');
  for (let i = 0; i < 60; i++) await seedMessage(env.contoso, src.id, 'inbox', `Limited ${i}`, { body: `<p>${'y'.repeat(200 + i)}</p>` });
  const wm = await syncWorkload({
    source: env.source,
    target: env.target,
    sourceUserId: src.id,
    targetUserId: tgt.id,
    workload: 'mailbox',
    mode: 'initial',
    concurrency: 16, // asked for more than Exchange allows: held to 4
  });
  assert.is(wm.items, 60);
  assert.is((await messages(env.fabrikam, tgt.id, 'inbox')).length, 60);
  for (const client of [env.source, env.target]) {
    const stats = client.stats();
    assert.ok(stats.mailboxes.length > 0);
    for (const m of stats.mailboxes) {
      assert.is(m.throttled, 0, `${m.name}: ${m.throttled} answers 429`);
      assert.ok(m.peakInFlight <= 4, `${m.name}: ${m.peakInFlight} in flight`);
    }
    assert.is(stats.graph.throttled, 0);
  }
  const target = env.target.stats().mailboxes;
  assert.ok(target.some((m) => m.peakInFlight === 4), `the imports did run 4 at a time: ${target.map((m) => `${m.name}=${m.peakInFlight}`).join(', ')}`);
});

test.run();
