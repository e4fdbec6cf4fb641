// Mailbox changes between two syncs, against the emulator: a message moved from one source folder
// to another, a source folder renamed, a target folder renamed or deleted by the user, a saved
// delta position the service refuses, and crashes between the positions' write and the marker's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TenantClient } from '../../engine/tenant/client.js';
import { TenantError } from '../../engine/errors.js';
import { syncWorkload } from '../../engine/sync/sync-workload.js';
import { childFolder, createFolder, mailboxIdsOf, messages, seedMessage, startSyncEnv, userPair, type SyncEnv } from './setup.js';

let env: SyncEnv;

test.before(async () => {
  env = await startSyncEnv();
});

test.after(async () => {
  await env?.stop();
});

const subjects = async (userId: string, folderId: string) => (await messages(env.fabrikam, userId, folderId)).map((m) => m.subject).sort();

/** Move a source message to another folder as Exchange does: the same message (internet message id,
 *  creation time) under a new item id in the other folder, gone from the first. */
async function moveMessage(userId: string, messageId: string, toFolderId: string): Promise<void> {
  const mailbox = (await mailboxIdsOf(env.contoso, userId)).primaryMailboxId;
  const exported = (await env.contoso.api(`/admin/exchange/mailboxes/${mailbox}/exportItems`).version('beta').post({ itemIds: [messageId] })) as { value: { data: string }[] };
  const session = (await env.contoso.api(`/admin/exchange/mailboxes/${mailbox}/createImportSession`).version('beta').post({})) as { importUrl: string };
  await env.source.graph.preauthenticated('POST', session.importUrl, { FolderId: toFolderId, Mode: 'create', Data: exported.value[0]!.data }, 'application/json');
  await env.contoso.api(`/users/${userId}/messages/${messageId}`).delete();
}

test('a message moved between two source folders ends with exactly one copy, in the folder it moved to', async () => {
  const { src, tgt } = await userPair(env, 'mov');
  const from = await createFolder(env.contoso, src.id, null, 'From');
  const to = await createFolder(env.contoso, src.id, null, 'To');
  const moving = await seedMessage(env.contoso, src.id, from, 'Moving');
  await seedMessage(env.contoso, src.id, from, 'Staying');
  await seedMessage(env.contoso, src.id, to, 'Already there');
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  await moveMessage(src.id, moving.id, to);
  // And one back the other way, so that whichever folder is read first, one of them is a move in.
  const back = (await messages(env.contoso, src.id, to)).find((m) => m.subject === 'Already there')!;
  await moveMessage(src.id, back.id, from);
  await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  const tFrom = (await childFolder(env.fabrikam, tgt.id, null, 'From'))!;
  const tTo = (await childFolder(env.fabrikam, tgt.id, null, 'To'))!;
  assert.equal(await subjects(tgt.id, tFrom), ['Already there', 'Staying']);
  assert.equal(await subjects(tgt.id, tTo), ['Moving']);
});

test('a source folder renamed between two syncs: its copies follow it (the target folder is renamed), nothing is copied twice', async () => {
  const { src, tgt } = await userPair(env, 'ren');
  const projects = await createFolder(env.contoso, src.id, null, 'Projects');
  const alpha = await createFolder(env.contoso, src.id, projects, 'Alpha');
  for (let i = 0; i < 3; i++) await seedMessage(env.contoso, src.id, projects, `Project ${i}`);
  await seedMessage(env.contoso, src.id, alpha, 'Alpha 0');
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  await env.contoso.api(`/users/${src.id}/mailFolders/${projects}`).patch({ displayName: 'Work' });
  await seedMessage(env.contoso, src.id, projects, 'New after the rename');
  const wm2 = await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  assert.is(wm2.items - wm1.items, 1, 'the new message only');
  assert.is(await childFolder(env.fabrikam, tgt.id, null, 'Projects'), undefined, 'no folder left under the old name');
  const work = (await childFolder(env.fabrikam, tgt.id, null, 'Work'))!;
  assert.ok(work);
  assert.equal(await subjects(tgt.id, work), ['New after the rename', 'Project 0', 'Project 1', 'Project 2']);
  assert.equal(await subjects(tgt.id, (await childFolder(env.fabrikam, tgt.id, work, 'Alpha'))!), ['Alpha 0']);
});

test('a target folder renamed by the user between two syncs: the copies there are not made a second time in a new folder', async () => {
  const { src, tgt } = await userPair(env, 'tren');
  const reports = await createFolder(env.contoso, src.id, null, 'Reports');
  for (let i = 0; i < 3; i++) await seedMessage(env.contoso, src.id, reports, `Report ${i}`);
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  const tReports = (await childFolder(env.fabrikam, tgt.id, null, 'Reports'))!;
  await env.fabrikam.api(`/users/${tgt.id}/mailFolders/${tReports}`).patch({ displayName: 'Old reports' });
  await seedMessage(env.contoso, src.id, reports, 'Report 3');
  const wm2 = await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  assert.is(wm2.items - wm1.items, 1, 'the new message only');
  const all = (await env.fabrikam.api(`/users/${tgt.id}/mailFolders?$top=100`).get()) as { value: { id: string; displayName: string }[] };
  const holding = [];
  for (const f of all.value) if ((await subjects(tgt.id, f.id)).some((s) => s.startsWith('Report'))) holding.push(f.id);
  assert.equal(holding, [tReports], 'one folder holds the reports');
  assert.equal(await subjects(tgt.id, tReports), ['Report 0', 'Report 1', 'Report 2', 'Report 3']);
});

test('a target folder deleted by the user between two syncs: made again, and every item copied into it once', async () => {
  const { src, tgt } = await userPair(env, 'tdel');
  const f = await createFolder(env.contoso, src.id, null, 'Receipts');
  for (let i = 0; i < 3; i++) await seedMessage(env.contoso, src.id, f, `Receipt ${i}`);
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  await env.fabrikam.api(`/users/${tgt.id}/mailFolders/${(await childFolder(env.fabrikam, tgt.id, null, 'Receipts'))!}`).delete();
  const wm2 = await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  const again = (await childFolder(env.fabrikam, tgt.id, null, 'Receipts'))!;
  assert.equal(await subjects(tgt.id, again), ['Receipt 0', 'Receipt 1', 'Receipt 2']);
  // and the next delta reads it from the position saved there
  const gone = (await messages(env.contoso, src.id, f)).find((m) => m.subject === 'Receipt 1')!;
  await env.contoso.api(`/users/${src.id}/messages/${gone.id}`).delete();
  await syncWorkload({ ...base, mode: 'delta', watermark: wm2 });
  assert.equal(await subjects(tgt.id, again), ['Receipt 0', 'Receipt 2']);
});

test('a source folder deleted between two syncs: the other folders sync on, its position leaves the watermark', async () => {
  const { src, tgt } = await userPair(env, 'sdel');
  const doomed = await createFolder(env.contoso, src.id, null, 'Doomed');
  const kept = await createFolder(env.contoso, src.id, null, 'Kept');
  await seedMessage(env.contoso, src.id, doomed, 'In doomed');
  await seedMessage(env.contoso, src.id, kept, 'In kept');
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  await env.contoso.api(`/users/${src.id}/mailFolders/${doomed}`).delete();
  await seedMessage(env.contoso, src.id, kept, 'New in kept');
  const wm2 = await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  assert.is(wm2.items - wm1.items, 1);
  assert.equal(await subjects(tgt.id, (await childFolder(env.fabrikam, tgt.id, null, 'Kept'))!), ['In kept', 'New in kept']);
});

/** The source refuses one folder's saved delta position (410 Gone, as an expired sync state). */
function refusingPosition(c: TenantClient, folderId: string): { client: TenantClient; refused: () => number } {
  let refused = 0;
  const g = c.graph;
  const graph: TenantClient['graph'] = {
    ...g,
    get: (url, o) => {
      if (url.includes(`/folders/${encodeURIComponent(folderId)}/items/delta?`) && /deltatoken=/i.test(url)) {
        refused++;
        return Promise.reject(new TenantError(`tenant '${c.name}': GET ${url} failed (410): SyncStateNotFound`, 'tenant.failed', { tenant: c.name, status: 410 }));
      }
      return g.get(url, o);
    },
  };
  return { client: { ...c, graph }, refused: () => refused };
}

test('a saved position the service refuses (410) for one folder: that folder is read again from the start, nothing copied twice, a deletion in the gap still propagated; the other folders go on from their positions', async () => {
  const { src, tgt } = await userPair(env, 'gone');
  const a = await createFolder(env.contoso, src.id, null, 'Expired');
  const b = await createFolder(env.contoso, src.id, null, 'Fine');
  const doomed = await seedMessage(env.contoso, src.id, a, 'Deleted in the gap');
  for (let i = 0; i < 3; i++) await seedMessage(env.contoso, src.id, a, `Expired ${i}`);
  const doomedB = await seedMessage(env.contoso, src.id, b, 'Deleted in fine');
  await seedMessage(env.contoso, src.id, b, 'Fine 0');
  const warnings: string[] = [];
  const base = { target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const, onWarning: (w: string) => warnings.push(w) };
  const wm1 = await syncWorkload({ ...base, source: env.source, mode: 'initial' });
  await env.contoso.api(`/users/${src.id}/messages/${doomed.id}`).delete();
  await env.contoso.api(`/users/${src.id}/messages/${doomedB.id}`).delete();
  await seedMessage(env.contoso, src.id, a, 'Expired new');
  const source = refusingPosition(env.source, a);
  const wm2 = await syncWorkload({ ...base, source: source.client, mode: 'delta', watermark: wm1 });
  assert.is(source.refused(), 1);
  assert.ok(warnings.some((w) => /'Expired'.*refused \(410\)/.test(w)), warnings.join('\n'));
  assert.is(wm2.items - wm1.items, 1, 'the new message only');
  assert.equal(await subjects(tgt.id, (await childFolder(env.fabrikam, tgt.id, null, 'Expired'))!), ['Expired 0', 'Expired 1', 'Expired 2', 'Expired new']);
  assert.equal(await subjects(tgt.id, (await childFolder(env.fabrikam, tgt.id, null, 'Fine'))!), ['Fine 0']);
});



test('a delta run that crashes between the positions and the marker write, then a re-run from the older marker: nothing copied twice, and the copy of an item that run copied, deleted in the source since, is removed', async () => {
  const { src, tgt } = await userPair(env, 'crash');
  const f = await createFolder(env.contoso, src.id, null, 'Crash');
  const old = await seedMessage(env.contoso, src.id, f, 'Old, deleted later');
  await seedMessage(env.contoso, src.id, f, 'Old, kept');
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  await new Promise((r) => setTimeout(r, 20));
  // Created after the first run ended: copied by the run that crashes, after the marker's times.
  const young = await seedMessage(env.contoso, src.id, f, 'New, deleted later');
  await seedMessage(env.contoso, src.id, f, 'New, kept');
  const failing = async () => {
    throw new Error('marker write failed');
  };
  try {
    await syncWorkload({ ...base, mode: 'delta', watermark: wm1, saveWatermark: failing });
    assert.unreachable('the marker write failed');
  } catch (e) {
    assert.match((e as Error).message, /marker write failed/);
  }
  const tF = (await childFolder(env.fabrikam, tgt.id, null, 'Crash'))!;
  assert.equal(await subjects(tgt.id, tF), ['New, deleted later', 'New, kept', 'Old, deleted later', 'Old, kept']);
  await env.contoso.api(`/users/${src.id}/messages/${old.id}`).delete();
  await env.contoso.api(`/users/${src.id}/messages/${young.id}`).delete();
  // The marker still holds the first run's watermark; the folder, the crashed run's position.
  await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  assert.equal(await subjects(tgt.id, tF), ['New, kept', 'Old, kept']);
});

test.run();
