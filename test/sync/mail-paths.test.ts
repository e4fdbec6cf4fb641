// The other mail paths: the in-place archive (its own mailbox id, through import/export), and
// the MIME fallback when the import/export API is not offered (every copy a draft, with a
// warning; read state carried over; re-run and deletions still without duplicates).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TenantClient } from '../../engine/tenant/client.js';
import { syncWorkload } from '../../engine/sync/sync-workload.js';
import { rawRequest } from '../helpers/graph.js';
import { mailboxIdsOf, messages, seedMessage, startSyncEnv, userPair, type SyncEnv } from './setup.js';

let env: SyncEnv;

test.before(async () => {
  env = await startSyncEnv();
});

test.after(async () => {
  await env?.stop();
});

interface Item { id: string; createdDateTime: string; size: number }

async function archiveInbox(client: SyncEnv['contoso'], mailboxId: string): Promise<string> {
  const folders = (await client.api(`/admin/exchange/mailboxes/${mailboxId}/folders`).version('beta').get()) as { value: { id: string; wellKnownName: string | null }[] };
  return folders.value.find((f) => f.wellKnownName === 'inbox')!.id;
}

async function archiveItems(client: SyncEnv['contoso'], mailboxId: string): Promise<Item[]> {
  const folder = await archiveInbox(client, mailboxId);
  return ((await client.api(`/admin/exchange/mailboxes/${mailboxId}/folders/${folder}/items?$top=999`).version('beta').get()) as { value: Item[] }).value;
}

test('archive: items of the source in-place archive land in the target archive, once', async () => {
  const { src, tgt } = await userPair(env, 'arc');
  const s = await mailboxIdsOf(env.contoso, src.id);
  const t = await mailboxIdsOf(env.fabrikam, tgt.id);
  assert.ok(s.inPlaceArchiveMailboxId && t.inPlaceArchiveMailboxId);
  // Put old mail into the source archive the way Exchange would hold it: exported from the primary, imported into the archive.
  const seeded = [];
  for (let i = 0; i < 4; i++) seeded.push(await seedMessage(env.contoso, src.id, 'inbox', `Archived ${i}`, { read: true, received: `2019-0${i + 1}-15T12:00:00Z` }));
  const exported = (await env.contoso.api(`/admin/exchange/mailboxes/${s.primaryMailboxId}/exportItems`).version('beta').post({ itemIds: seeded.map((m) => m.id) })) as { value: { data: string }[] };
  const session = (await env.contoso.api(`/admin/exchange/mailboxes/${s.inPlaceArchiveMailboxId}/createImportSession`).version('beta').post({})) as { importUrl: string };
  const folder = await archiveInbox(env.contoso, s.inPlaceArchiveMailboxId!);
  for (const e of exported.value) {
    const r = await rawRequest(env.emu, null, 'POST', session.importUrl.slice(env.emu.url.length), { FolderId: folder, Mode: 'create', Data: e.data });
    assert.is(r.status, 200, r.text);
  }
  const sourceItems = await archiveItems(env.contoso, s.inPlaceArchiveMailboxId!);
  assert.is(sourceItems.length, 4);

  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'archive' as const };
  const wm = await syncWorkload({ ...base, mode: 'initial' });
  assert.is(wm.items, 4);
  const copies = await archiveItems(env.fabrikam, t.inPlaceArchiveMailboxId!);
  assert.equal(copies.map((c) => c.createdDateTime).sort(), sourceItems.map((c) => c.createdDateTime).sort());
  assert.equal(copies.map((c) => c.size).sort(), sourceItems.map((c) => c.size).sort());
  // Nothing went to the target's primary mailbox.
  assert.is((await messages(env.fabrikam, tgt.id, 'inbox')).length, 0);

  const again = await syncWorkload({ ...base, mode: 'delta', watermark: wm });
  assert.is(again.items, 4);
  assert.is((await archiveItems(env.fabrikam, t.inPlaceArchiveMailboxId!)).length, 4);
});

/** The same tenant client, in a cloud where Graph does not offer the mailbox import/export API:
 *  its settings/exchange call reaches a path the service does not serve (a real 400 from the emulator). */
function withoutImportExport(c: TenantClient): TenantClient {
  const graph = { ...c.graph, get: <T>(url: string, o?: Parameters<TenantClient['graph']['get']>[1]) => c.graph.get<T>(url.replace('/settings/exchange', '/settings/exchangeNotOffered'), o) };
  return { ...c, graph };
}

test('MIME fallback: without the import/export API every copy is a draft, and a warning says so', async () => {
  const { src, tgt } = await userPair(env, 'mime');
  const a = await seedMessage(env.contoso, src.id, 'inbox', 'Mime one', { read: false, body: 'plain words' });
  await seedMessage(env.contoso, src.id, 'inbox', 'Mime two', { read: true });
  await seedMessage(env.contoso, src.id, 'inbox', 'Mime three', { read: false });
  const warnings: string[] = [];
  const base = { source: withoutImportExport(env.source), target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const, onWarning: (w: string) => warnings.push(w) };
  const wm = await syncWorkload({ ...base, mode: 'initial' });
  assert.is(wm.items, 3);
  assert.ok(wm.positionsSet, 'the delta positions are kept on the target folders (v1.0 mailFolders)');
  assert.equal(Object.keys(wm.deltaLinks ?? {}), []);
  assert.ok(warnings.some((w) => /MIME/.test(w) && /draft/.test(w) && /contoso/.test(w)), warnings.join('\n'));
  const copies = await messages(env.fabrikam, tgt.id, 'inbox');
  assert.equal(copies.map((m) => m.subject).sort(), ['Mime one', 'Mime three', 'Mime two']);
  assert.ok(copies.every((m) => m.isDraft), 'MIME import makes drafts');
  const one = copies.find((m) => m.subject === 'Mime one')!;
  assert.is(one.isRead, false, 'read state carried over by PATCH');
  assert.is(one.internetMessageId, a.internetMessageId);
  assert.ok(copies.find((m) => m.subject === 'Mime two')!.isRead);

  // A re-run and a delta with a deletion: still one copy each, the deleted one removed.
  await env.contoso.api(`/users/${src.id}/messages/${a.id}`).delete();
  await seedMessage(env.contoso, src.id, 'inbox', 'Mime four');
  const wm2 = await syncWorkload({ ...base, mode: 'delta', watermark: wm });
  assert.is(wm2.items, 4);
  assert.equal((await messages(env.fabrikam, tgt.id, 'inbox')).map((m) => m.subject).sort(), ['Mime four', 'Mime three', 'Mime two']);
  // Crash-style replay: start over without a watermark; the copies are adopted, not duplicated.
  await syncWorkload({ ...base, mode: 'initial' });
  assert.equal((await messages(env.fabrikam, tgt.id, 'inbox')).map((m) => m.subject).sort(), ['Mime four', 'Mime three', 'Mime two']);
});

test('MIME fallback cannot reach an archive: a clear error, not a silent skip', async () => {
  const { src, tgt } = await userPair(env, 'mimearc');
  try {
    await syncWorkload({ source: withoutImportExport(env.source), target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'archive', mode: 'initial' });
    assert.unreachable();
  } catch (e) {
    const err = e as { code?: string; hint?: string; message: string };
    assert.is(err.code, 'sync.archiveNeedsImportExport');
    assert.match(err.message, /archive/);
    assert.match(err.hint ?? '', /MailboxItem\.ImportExport\.All/);
  }
});

test.run();
