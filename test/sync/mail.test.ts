// Mailbox content sync against the emulator over HTTPS with the engine's real tenant clients:
// initial copy with full fidelity (import/export API: not drafts, same subject, body, dates and
// read state, folder tree mirrored), a re-run with the same watermark copies nothing, a delta
// copies only new/changed items and removes deleted ones, and a crash (abort, or a failing
// saveWatermark) followed by a re-run never makes a second copy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fitMarker } from '../../engine/apply/marker-store.js';
import { TenantError } from '../../engine/errors.js';
import type { SyncWatermark } from '../../engine/inventory/model.js';
import type { TenantClient } from '../../engine/tenant/client.js';
import { POSITIONS_PROPERTY_ID } from '../../engine/sync/folder-positions.js';
import { folderKey } from '../../engine/sync/mail-sync.js';
import { syncWorkload } from '../../engine/sync/sync-workload.js';
import { childFolder, createFolder, mailboxIdsOf, messages, recording, seedMessage, startSyncEnv, userPair, type Msg, type SyncEnv } from './setup.js';

let env: SyncEnv;

test.before(async () => {
  env = await startSyncEnv();
});

test.after(async () => {
  await env?.stop();
});

const bySubject = (list: Msg[]) => new Map(list.map((m) => [m.subject, m]));

test('initial sync copies every item with full fidelity and mirrors the folder tree', async () => {
  const { src, tgt } = await userPair(env, 'ann');
  const seeded: Msg[] = [];
  for (let i = 0; i < 7; i++) seeded.push(await seedMessage(env.contoso, src.id, 'inbox', `Inbox item ${i}`, { read: i % 2 === 0, received: `2024-01-0${i + 1}T10:00:00Z` }));
  const projects = await createFolder(env.contoso, src.id, null, 'Projects');
  const alpha = await createFolder(env.contoso, src.id, projects, 'Alpha');
  seeded.push(await seedMessage(env.contoso, src.id, alpha, 'Alpha kickoff', { read: true, body: '<b>kick</b> off' }));
  seeded.push(await seedMessage(env.contoso, src.id, 'sentitems', 'Sent one'));

  const progress: number[] = [];
  const saved: SyncWatermark[] = [];
  const wm = await syncWorkload({
    source: env.source,
    target: env.target,
    sourceUserId: src.id,
    targetUserId: tgt.id,
    workload: 'mailbox',
    mode: 'initial',
    onProgress: (p) => progress.push(p.items),
    saveWatermark: async (w) => void saved.push(w),
  });
  assert.is(wm.items, 9);
  assert.ok(wm.bytes > 0);
  assert.ok(wm.initialDoneAt && !wm.lastDeltaAt);
  assert.ok(saved.length >= 1, 'the final position is saved');
  assert.is(progress.at(-1), 9);

  const inbox = bySubject(await messages(env.fabrikam, tgt.id, 'inbox'));
  assert.is(inbox.size, 7);
  for (const s of seeded.slice(0, 7)) {
    const c = inbox.get(s.subject)!;
    assert.ok(c, `${s.subject} copied`);
    assert.is(c.isDraft, false, 'full fidelity: not a draft');
    assert.is(c.isRead, s.isRead);
    assert.is(c.receivedDateTime, s.receivedDateTime);
    assert.is(c.body.content, s.body.content);
    assert.is(c.internetMessageId, s.internetMessageId);
    assert.is(c.from?.emailAddress.address, 'partner@example.org');
  }
  const tProjects = await childFolder(env.fabrikam, tgt.id, null, 'Projects');
  assert.ok(tProjects, 'Projects created in the target');
  const tAlpha = await childFolder(env.fabrikam, tgt.id, tProjects!, 'Alpha');
  assert.ok(tAlpha, 'Projects/Alpha created in the target');
  const alphaItems = await messages(env.fabrikam, tgt.id, tAlpha!);
  assert.equal(alphaItems.map((m) => [m.subject, m.isDraft, m.body.content]), [['Alpha kickoff', false, '<b>kick</b> off']]);
  assert.equal((await messages(env.fabrikam, tgt.id, 'sentitems')).map((m) => m.subject), ['Sent one']);

  // The watermark stays small: one short key and a delta position per folder, no id map.
  assert.ok(Object.keys(wm.deltaLinks ?? {}).every((k) => /^f:[\w-]{12}$/.test(k)));
  assert.ok(JSON.stringify(wm).length < 200 * Object.keys(wm.deltaLinks ?? {}).length + 200, `watermark is ${JSON.stringify(wm).length} bytes`);

  // Re-run with the same watermark: nothing is copied, the target is unchanged.
  const before = (await messages(env.fabrikam, tgt.id, 'inbox')).map((m) => m.id).sort();
  const again = await syncWorkload({ source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox', mode: 'delta', watermark: wm });
  assert.is(again.items, 9);
  assert.is(again.bytes, wm.bytes);
  assert.ok(again.lastDeltaAt);
  assert.equal((await messages(env.fabrikam, tgt.id, 'inbox')).map((m) => m.id).sort(), before);
});

test('delta copies only new and changed items and removes the copies of deleted ones', async () => {
  const { src, tgt } = await userPair(env, 'ben');
  const a = await seedMessage(env.contoso, src.id, 'inbox', 'Keep me');
  const b = await seedMessage(env.contoso, src.id, 'inbox', 'Read me later');
  const c = await seedMessage(env.contoso, src.id, 'inbox', 'Delete me');
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  assert.is(wm1.items, 3);
  const firstCopies = bySubject(await messages(env.fabrikam, tgt.id, 'inbox'));

  await env.contoso.api(`/users/${src.id}/messages/${b.id}`).patch({ isRead: true });
  await env.contoso.api(`/users/${src.id}/messages/${c.id}`).delete();
  await seedMessage(env.contoso, src.id, 'inbox', 'Brand new', { read: true });

  const wm2 = await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  assert.is(wm2.items - wm1.items, 2, 'one new item and one update, nothing else');
  const now = bySubject(await messages(env.fabrikam, tgt.id, 'inbox'));
  assert.equal([...now.keys()].sort(), ['Brand new', 'Keep me', 'Read me later']);
  assert.is(now.get('Read me later')!.isRead, true, 'the update reached the copy');
  assert.is(now.get('Read me later')!.id, firstCopies.get('Read me later')!.id, 'updated in place (Mode update), not copied again');
  assert.is(now.get('Keep me')!.id, firstCopies.get('Keep me')!.id);
  assert.is(now.get('Brand new')!.isDraft, false);
  assert.ok(a.id);

  // And a further run with nothing new changes nothing.
  const wm3 = await syncWorkload({ ...base, mode: 'delta', watermark: wm2 });
  assert.is(wm3.items, wm2.items);
  assert.equal([...bySubject(await messages(env.fabrikam, tgt.id, 'inbox')).keys()].sort(), ['Brand new', 'Keep me', 'Read me later']);
});

test("an adopted target user's own mail is never removed as a leftover copy: deletions in the source are not propagated, and it is said", async () => {
  const { src, tgt } = await userPair(env, 'ada');
  await seedMessage(env.fabrikam, tgt.id, 'inbox', "The target user's own, from before t2t");
  await seedMessage(env.contoso, src.id, 'inbox', 'Copied, kept');
  const gone = await seedMessage(env.contoso, src.id, 'inbox', 'Copied, later deleted in the source');
  const warnings: string[] = [];
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const, keepUnpaired: true, onWarning: (w: string) => warnings.push(w) };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  await env.contoso.api(`/users/${src.id}/messages/${gone.id}`).delete();
  await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  assert.equal(
    (await messages(env.fabrikam, tgt.id, 'inbox')).map((m) => m.subject).sort(),
    ['Copied, kept', 'Copied, later deleted in the source', "The target user's own, from before t2t"],
  );
  assert.ok(warnings.some((w) => w.startsWith('items deleted in the source mailbox are not deleted in the target')), warnings.join('; '));
});

async function seedMany(userId: string, folder: string, n: number, prefix: string): Promise<void> {
  for (let i = 0; i < n; i++) await seedMessage(env.contoso, userId, folder, `${prefix} ${String(i).padStart(3, '0')}`, { body: `<p>${prefix} body ${'x'.repeat(i)}</p>` });
}

function assertNoDuplicates(list: Msg[], expected: number): void {
  const subjects = list.map((m) => m.subject);
  assert.is(new Set(subjects).size, subjects.length, `duplicates: ${subjects.filter((s, i) => subjects.indexOf(s) !== i).join(', ')}`);
  assert.is(list.length, expected);
}

test('a crash after K checkpoints (saveWatermark throws), then a re-run: every item once', async () => {
  const { src, tgt } = await userPair(env, 'cy');
  const folder = await createFolder(env.contoso, src.id, null, 'Bulk');
  await seedMany(src.id, folder, 130, 'Bulk');
  let saves = 0;
  let last: SyncWatermark | undefined;
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const, checkpointEvery: 1, pageSize: 20 };
  try {
    await syncWorkload({
      ...base,
      mode: 'initial',
      saveWatermark: async (w) => {
        if (++saves > 1) throw new Error('simulated crash while saving the watermark');
        last = w;
      },
    });
    assert.unreachable('the run should have failed');
  } catch (e) {
    assert.match((e as Error).message, /simulated crash/);
  }
  assert.ok(last, 'one checkpoint was saved before the crash');
  const tBulk = await childFolder(env.fabrikam, tgt.id, null, 'Bulk');
  const partial = await messages(env.fabrikam, tgt.id, tBulk!);
  assert.ok(partial.length > last!.items, `items were imported after the last saved checkpoint (${partial.length} > ${last!.items}): the re-run must adopt them`);
  assert.ok(partial.length < 130);

  const wm = await syncWorkload({ ...base, mode: 'initial', watermark: last! });
  assertNoDuplicates(await messages(env.fabrikam, tgt.id, tBulk!), 130);
  assert.ok(wm.initialDoneAt);
  assert.ok(wm.items <= 130, `no item counted twice (${wm.items})`);
});

test('an abort mid-run through the signal, then a re-run from the last checkpoint: every item once', async () => {
  const { src, tgt } = await userPair(env, 'dee');
  await seedMany(src.id, 'inbox', 90, 'Abort');
  const ctl = new AbortController();
  let last: SyncWatermark | undefined;
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const, checkpointEvery: 1 };
  let aborted = false;
  try {
    await syncWorkload({
      ...base,
      mode: 'initial',
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.items >= 30) ctl.abort();
      },
      saveWatermark: async (w) => void (last = w),
    });
  } catch (e) {
    aborted = (e as Error).name === 'AbortError';
    if (!aborted) throw e;
  }
  assert.ok(aborted, 'the run stopped on the abort');
  const partial = await messages(env.fabrikam, tgt.id, 'inbox');
  assert.ok(partial.length >= 30 && partial.length < 90, `${partial.length} copied before the abort`);

  await syncWorkload({ ...base, mode: 'initial', ...(last ? { watermark: last } : {}) });
  assertNoDuplicates(await messages(env.fabrikam, tgt.id, 'inbox'), 90);
});

/** Two items in one source folder with the same creation time and size, told apart only by their
 *  internet message ids: one message exported, then imported twice with another subject and message
 *  id of the same length (the export stream is opaque to the engine; the test knows the emulator's). */
async function seedTwins(userId: string, folderId: string): Promise<void> {
  const mailbox = (await mailboxIdsOf(env.contoso, userId)).primaryMailboxId;
  const x = await seedMessage(env.contoso, userId, folderId, 'Twin X', { body: '<p>twin</p>' });
  const exported = (await env.contoso.api(`/admin/exchange/mailboxes/${mailbox}/exportItems`).version('beta').post({ itemIds: [x.id] })) as { value: { data: string }[] };
  const text = Buffer.from(exported.value[0]!.data, 'base64').toString('utf8');
  const cut = text.indexOf('\n') + 1;
  const item = JSON.parse(text.slice(cut)) as Record<string, unknown>;
  const session = (await env.contoso.api(`/admin/exchange/mailboxes/${mailbox}/createImportSession`).version('beta').post({})) as { importUrl: string };
  for (const twin of ['A', 'B']) {
    const data = Buffer.from(text.slice(0, cut) + JSON.stringify({ ...item, subject: `Twin ${twin}`, internetMessageId: `<twin-${twin}@contoso.com>` })).toString('base64');
    await env.source.graph.preauthenticated('POST', session.importUrl, { FolderId: folderId, Mode: 'create', Data: data }, 'application/json');
  }
  await env.contoso.api(`/users/${userId}/messages/${x.id}`).delete();
  const items = (await env.contoso.api(`/admin/exchange/mailboxes/${mailbox}/folders/${folderId}/items`).version('beta').get()) as { value: { createdDateTime: string; size: number }[] };
  assert.is(items.value.length, 2);
  assert.is(items.value[0]!.createdDateTime, items.value[1]!.createdDateTime, 'same creation time');
  assert.is(items.value[0]!.size, items.value[1]!.size, 'same size');
}

test('a crash after one of two items with equal creation time and size was copied, then a re-run: paired by internet message id, no duplicate, no loss', async () => {
  const { src, tgt } = await userPair(env, 'twin');
  const folder = await createFolder(env.contoso, src.id, null, 'Twins');
  await seedTwins(src.id, folder);
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const, concurrency: 1 };
  const ctl = new AbortController();
  try {
    await syncWorkload({ ...base, mode: 'initial', signal: ctl.signal, onProgress: (p) => p.items >= 1 && ctl.abort() });
    assert.unreachable('aborted');
  } catch (e) {
    assert.is((e as Error).name, 'AbortError');
  }
  const tTwins = (await childFolder(env.fabrikam, tgt.id, null, 'Twins'))!;
  const partial = await messages(env.fabrikam, tgt.id, tTwins);
  assert.equal(partial.map((m) => m.subject), ['Twin A'], 'the crash left one copy: Twin A');

  // Read in the source before the re-run: Twin A now comes after Twin B in the folder's delta, so
  // a pairing by creation time and size alone would take A's copy for B, then copy A again.
  const a = (await messages(env.contoso, src.id, folder)).find((m) => m.subject === 'Twin A')!;
  await env.contoso.api(`/users/${src.id}/messages/${a.id}`).patch({ isRead: true });

  await syncWorkload({ ...base, mode: 'initial' });
  const after = await messages(env.fabrikam, tgt.id, tTwins);
  assertNoDuplicates(after, 2);
  const bySubj = bySubject(after);
  assert.equal([...bySubj.keys()].sort(), ['Twin A', 'Twin B']);
  assert.is(bySubj.get('Twin A')!.internetMessageId, '<twin-A@contoso.com>');
  assert.is(bySubj.get('Twin B')!.internetMessageId, '<twin-B@contoso.com>');
  assert.is(bySubj.get('Twin A')!.id, partial[0]!.id, "Twin A's copy was updated in place");
  assert.is(bySubj.get('Twin A')!.isRead, true);
});

/** The same client against a service that refuses $expand on mailbox items (answers 400, as a
 *  service without the feature would); every other request goes to the emulator unchanged. */
function refusingExpand(c: TenantClient): { client: TenantClient; refused: () => number } {
  let refused = 0;
  const g = c.graph;
  const refuse = (url: string) => {
    refused++;
    return new TenantError(`tenant '${c.name}': GET ${url} failed (400): Invalid $expand`, 'tenant.badRequest', { tenant: c.name, status: 400 });
  };
  const graph: TenantClient['graph'] = {
    ...g,
    get: (url, o) => (url.includes('$expand') ? Promise.reject(refuse(url)) : g.get(url, o)),
    pages: (url, o) => {
      if (!url.includes('$expand')) return g.pages(url, o);
      return (async function* () {
        throw refuse(url);
      })() as AsyncIterable<never>;
    },
  };
  return { client: { ...c, graph }, refused: () => refused };
}

test('a service that refuses the message-id $expand: pairing falls back to creation time and size, a re-run copies nothing twice', async () => {
  const { src, tgt } = await userPair(env, 'old');
  for (let i = 0; i < 3; i++) await seedMessage(env.contoso, src.id, 'inbox', `Plain ${i}`);
  const source = refusingExpand(env.source);
  const target = refusingExpand(env.target);
  const warnings: string[] = [];
  const base = { source: source.client, target: target.client, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const, onWarning: (w: string) => warnings.push(w) };
  const wm = await syncWorkload({ ...base, mode: 'initial' });
  assert.ok(source.refused() >= 1, 'the $expand was asked for and refused');
  assert.ok(warnings.some((w) => /internet message id/.test(w)), warnings.join('\n'));
  assert.is(wm.items, 3);
  // From scratch again: every copy is recognised by creation time and size.
  await syncWorkload({ ...base, mode: 'initial' });
  assertNoDuplicates(await messages(env.fabrikam, tgt.id, 'inbox'), 3);
});

test("a localized source Inbox and a folder of the user's own named Inbox share the target's Inbox: a deletion in one removes its copy only", async () => {
  const { src, tgt } = await userPair(env, 'fr');
  // A French mailbox: its Inbox is "Boîte de réception", and the user keeps a folder "Inbox" of
  // their own (left by an IMAP migration). In an English target both are the well-known Inbox.
  await env.contoso.api(`/users/${src.id}/mailFolders/inbox`).patch({ displayName: 'Boîte de réception' });
  const own = await createFolder(env.contoso, src.id, null, 'Inbox');
  const gone = await seedMessage(env.contoso, src.id, 'inbox', 'Delivered, later deleted');
  await seedMessage(env.contoso, src.id, 'inbox', 'Delivered, kept');
  const filed = await seedMessage(env.contoso, src.id, own, 'Filed in the own Inbox');
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  assert.equal((await messages(env.fabrikam, tgt.id, 'inbox')).map((m) => m.subject).sort(), ['Delivered, kept', 'Delivered, later deleted', 'Filed in the own Inbox']);

  // A deletion in the real Inbox: only its copy goes (the reconcile once took the own folder's
  // copies for orphans of the Inbox, and they were lost for good: delta never shows them again).
  await env.contoso.api(`/users/${src.id}/messages/${gone.id}`).delete();
  const wm2 = await syncWorkload({ ...base, mode: 'delta', watermark: wm1 });
  assert.equal((await messages(env.fabrikam, tgt.id, 'inbox')).map((m) => m.subject).sort(), ['Delivered, kept', 'Filed in the own Inbox']);

  // And a deletion in the own folder removes its copy, not the Inbox's.
  await env.contoso.api(`/users/${src.id}/messages/${filed.id}`).delete();
  await syncWorkload({ ...base, mode: 'delta', watermark: wm2 });
  assert.equal((await messages(env.fabrikam, tgt.id, 'inbox')).map((m) => m.subject), ['Delivered, kept']);
});

test("a target that keeps no extended properties on folders: the positions go to the marker, and folders whose positions fitMarker left out are read again from the start: copies paired, never made twice, what is new copied", async () => {
  const { src, tgt } = await userPair(env, 'fit');
  const target = refusingFolderProperties(env.target);
  const warnings: string[] = [];
  const folders: string[] = [];
  for (let i = 0; i < 24; i++) {
    const id = await createFolder(env.contoso, src.id, null, `Folder ${String(i).padStart(2, '0')}`);
    folders.push(id);
    await seedMessage(env.contoso, src.id, id, `Message ${i}`);
  }
  const base = { source: env.source, target: target.client, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const, onWarning: (w: string) => warnings.push(w) };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  assert.is(wm1.items, 24);
  assert.ok(target.refused() >= 1, 'the positions were offered to the target folders first');
  assert.ok(warnings.some((w) => /kept in the migration marker/.test(w)), warnings.join('\n'));
  assert.is(wm1.positionsSet, undefined);
  // What the executor stores: the marker within Graph's 2 KB, the longest positions left out.
  const fitted = fitMarker({ phase: 'synced', sync: { mailbox: wm1 } });
  const stored = (fitted.marker['sync'] as { mailbox: SyncWatermark }).mailbox;
  const kept = new Set(Object.keys(stored.deltaLinks ?? {}));
  assert.ok(fitted.dropped > 0 && kept.size > 0, `${fitted.dropped} positions left out, ${kept.size} kept`);
  const droppedFolders = folders.filter((id) => !kept.has(folderKey(id)));
  assert.ok(droppedFolders.length > 0);

  // Something new in a folder without a position, and in one with it.
  await seedMessage(env.contoso, src.id, droppedFolders[0]!, 'New where the position was left out');
  const keptFolder = folders.find((id) => kept.has(folderKey(id)))!;
  await seedMessage(env.contoso, src.id, keptFolder, 'New where the position was kept');
  const rec = recording(target.client);
  const wm2 = await syncWorkload({ ...base, target: rec.client, mode: 'delta', watermark: stored });
  assert.is(wm2.items - wm1.items, 2, 'the two new messages only');
  assert.is(rec.calls.filter((c) => c.url.includes('importItem')).length, 2, 'two imports');
  for (const [i, id] of folders.entries()) {
    const tFolder = (await childFolder(env.fabrikam, tgt.id, null, `Folder ${String(i).padStart(2, '0')}`))!;
    const got = await messages(env.fabrikam, tgt.id, tFolder);
    const expected = [`Message ${i}`, ...(id === droppedFolders[0] ? ['New where the position was left out'] : id === keptFolder ? ['New where the position was kept'] : [])];
    assert.equal(got.map((m) => m.subject).sort(), expected.sort(), `Folder ${i}`);
  }
  // Every folder has its position again (as far as the marker holds them).
  assert.is(Object.keys(wm2.deltaLinks ?? {}).length, Object.keys(wm1.deltaLinks ?? {}).length);
});

/** The same client against a target that does not keep extended properties on folders: a folder
 *  PATCH carrying them answers 400, as a service without the feature would. */
function refusingFolderProperties(c: TenantClient): { client: TenantClient; refused: () => number } {
  let refused = 0;
  const g = c.graph;
  const graph: TenantClient['graph'] = {
    ...g,
    patch: (url, body, o) => {
      if (!/\/(mailFolders|folders)\/[^/?]+(\?|$)/.test(url) || !(body as { singleValueExtendedProperties?: unknown }).singleValueExtendedProperties) return g.patch(url, body, o);
      refused++;
      return Promise.reject(new TenantError(`tenant '${c.name}': PATCH ${url} failed (400): The property is not supported`, 'tenant.badRequest', { tenant: c.name, status: 400 }));
    },
  };
  return { client: { ...c, graph }, refused: () => refused };
}

/** The positions a target mailbox's folders keep, by folder name (the sync's property, read back). */
async function keptPositions(userId: string): Promise<Map<string, { set: string; links: Record<string, string> }>> {
  const expand = encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${POSITIONS_PROPERTY_ID}')`);
  const page = (await env.fabrikam.api(`/users/${userId}/mailFolders?$top=100&$expand=${expand}`).get()) as { value: { displayName: string; singleValueExtendedProperties?: { value: string }[] }[] };
  return new Map(page.value.filter((f) => f.singleValueExtendedProperties?.length).map((f) => [f.displayName, JSON.parse(f.singleValueExtendedProperties![0]!.value)]));
}

test('a mailbox of 24 folders keeps every delta position on its target folders: the marker stays within 2 KB, and a delta sync reads each folder from its position and propagates a deletion in every one', async () => {
  const { src, tgt } = await userPair(env, 'wide');
  const folders: string[] = [];
  const doomed: string[] = [];
  for (let i = 0; i < 24; i++) {
    const id = await createFolder(env.contoso, src.id, null, `Wide ${String(i).padStart(2, '0')}`);
    folders.push(id);
    await seedMessage(env.contoso, src.id, id, `Kept ${i}`);
    doomed.push((await seedMessage(env.contoso, src.id, id, `Deleted ${i}`)).id);
  }
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  assert.is(wm1.items, 48);
  assert.ok(wm1.positionsSet, 'the watermark names its set of positions');
  assert.equal(Object.keys(wm1.deltaLinks ?? {}).filter((k) => k.startsWith('f:')), [], 'no mail folder position in the marker');
  assert.is(fitMarker({ phase: 'synced', sync: { mailbox: wm1 } }).dropped, 0);
  const kept = await keptPositions(tgt.id);
  for (let i = 0; i < 24; i++) {
    const p = kept.get(`Wide ${String(i).padStart(2, '0')}`);
    assert.is(p?.set, wm1.positionsSet, `folder ${i} keeps a position of this sync`);
    assert.ok(p!.links[folderKey(folders[i]!)], `folder ${i}'s position is its source folder's`);
  }

  for (const id of doomed) await env.contoso.api(`/users/${src.id}/messages/${id}`).delete();
  await seedMessage(env.contoso, src.id, folders[5]!, 'New in 05');
  const firstRounds: string[] = [];
  const source: TenantClient = { ...env.source, graph: { ...env.source.graph, get: (url, o) => (/\/items\/delta\?/.test(url) && !/token=/.test(url) && firstRounds.push(url), env.source.graph.get(url, o)) } };
  const wm2 = await syncWorkload({ ...base, source, mode: 'delta', watermark: wm1 });
  assert.equal(firstRounds, [], 'no folder read from the start');
  assert.is(wm2.items - wm1.items, 1, 'the new message only');
  assert.is(wm2.positionsSet, wm1.positionsSet);
  for (let i = 0; i < 24; i++) {
    const tFolder = (await childFolder(env.fabrikam, tgt.id, null, `Wide ${String(i).padStart(2, '0')}`))!;
    const got = (await messages(env.fabrikam, tgt.id, tFolder)).map((m) => m.subject).sort();
    assert.equal(got, i === 5 ? ['Kept 5', 'New in 05'] : [`Kept ${i}`], `folder ${i}`);
  }
});

test("a sync that starts over (no watermark) never takes the positions an earlier sync left on the target folders: every folder is read from the start, and a lost copy is made again", async () => {
  const { src, tgt } = await userPair(env, 'over');
  const id = await createFolder(env.contoso, src.id, null, 'Over');
  for (let i = 0; i < 3; i++) await seedMessage(env.contoso, src.id, id, `Over ${i}`);
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const };
  const wm1 = await syncWorkload({ ...base, mode: 'initial' });
  const tFolder = (await childFolder(env.fabrikam, tgt.id, null, 'Over'))!;
  const lost = (await messages(env.fabrikam, tgt.id, tFolder)).find((m) => m.subject === 'Over 1')!;
  await env.fabrikam.api(`/users/${tgt.id}/messages/${lost.id}`).delete();
  // From the earlier positions the folder has nothing new, and the lost copy would stay lost.
  const wm2 = await syncWorkload({ ...base, mode: 'initial' });
  assert.ok(wm2.positionsSet && wm2.positionsSet !== wm1.positionsSet, 'a new set of positions');
  assertNoDuplicates(await messages(env.fabrikam, tgt.id, tFolder), 3);
  assert.is((await keptPositions(tgt.id)).get('Over')?.set, wm2.positionsSet, "the folder keeps the new sync's position");
});

test('a mailbox of many small folders saves checkpoints as it goes, not only at the end: an abort keeps the finished folders', async () => {
  const { src, tgt } = await userPair(env, 'many');
  for (let f = 0; f < 6; f++) {
    const id = await createFolder(env.contoso, src.id, null, `Small ${f}`);
    for (let i = 0; i < 25; i++) await seedMessage(env.contoso, src.id, id, `Small ${f} item ${i}`);
  }
  const base = { source: env.source, target: env.target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox' as const, checkpointEvery: 2 };
  const saved: SyncWatermark[] = [];
  const ctl = new AbortController();
  try {
    // Each folder is one delta page of 25 items (two batches): stop in the sixth.
    await syncWorkload({ ...base, mode: 'initial', signal: ctl.signal, onProgress: (p) => p.items >= 130 && ctl.abort(), saveWatermark: async (w) => void saved.push(w) });
    assert.unreachable('aborted');
  } catch (e) {
    assert.is((e as Error).name, 'AbortError');
  }
  assert.ok(saved.length >= 2, `${saved.length} checkpoints saved before the abort`);
  const last = saved.at(-1)!;
  const kept = [...(await keptPositions(tgt.id)).values()].filter((p) => p.set === last.positionsSet);
  assert.ok(kept.length >= 4, `${kept.length} folders' positions saved`);
  const wm = await syncWorkload({ ...base, mode: 'initial', watermark: last });
  assert.ok(wm.initialDoneAt);
  for (let f = 0; f < 6; f++) assertNoDuplicates(await messages(env.fabrikam, tgt.id, (await childFolder(env.fabrikam, tgt.id, null, `Small ${f}`))!), 25);
});

test('an import answered 5xx is tried again, and one the service carried out before answering 500 is taken as the copy: the sync completes, every item once', async () => {
  const { src, tgt } = await userPair(env, 'imp5xx');
  for (let i = 0; i < 6; i++) await seedMessage(env.contoso, src.id, 'inbox', `Imported ${i}`);
  const g = env.target.graph;
  let calls = 0;
  const fail = (status: number) => new TenantError(`tenant 'fabrikam': POST importItem failed (${status})`, 'tenant.serverError', { tenant: 'fabrikam', status });
  const graph = {
    ...g,
    // the 2nd import is refused before it runs; the 4th is carried out, then answered 500
    async preauthenticated(...args: Parameters<TenantClient['graph']['preauthenticated']>) {
      const n = ++calls;
      if (n === 2) throw fail(503);
      const r = await g.preauthenticated(...args);
      if (n === 4) throw fail(500);
      return r;
    },
  } as TenantClient['graph'];
  const wm = await syncWorkload({ source: env.source, target: { ...env.target, graph }, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox', mode: 'initial', concurrency: 1 });
  assert.ok(calls >= 7, `${calls} imports`);
  assert.is(wm.items, 6);
  assertNoDuplicates(await messages(env.fabrikam, tgt.id, 'inbox'), 6);
});

test('an import the target refuses fails the sync with an error that names the source folder, status and cause kept', async () => {
  const { src, tgt } = await userPair(env, 'err');
  const projects = await createFolder(env.contoso, src.id, null, 'Projects');
  const alpha = await createFolder(env.contoso, src.id, projects, 'Alpha');
  await seedMessage(env.contoso, src.id, alpha, 'Refused');
  // The target refuses every import, as Exchange does an item it cannot store.
  const g = env.target.graph;
  const target: TenantClient = {
    ...env.target,
    graph: {
      ...g,
      preauthenticated: (method, url, data, ct, o) =>
        url.includes('importItem')
          ? Promise.reject(new TenantError(`tenant 'fabrikam': POST ${o?.object ?? url} failed (400): ErrorCorruptData: the item cannot be imported`, 'tenant.badRequest', { tenant: 'fabrikam', status: 400, ...(o?.object ? { object: o.object } : {}) }))
          : g.preauthenticated(method, url, data, ct, o),
    },
  };
  try {
    await syncWorkload({ source: env.source, target, sourceUserId: src.id, targetUserId: tgt.id, workload: 'mailbox', mode: 'initial' });
    assert.unreachable('the import was refused');
  } catch (e) {
    assert.instance(e, TenantError);
    assert.match((e as Error).message, /failed \(400\): ErrorCorruptData/);
    assert.match((e as Error).message, /folder 'Projects\/Alpha'/);
    assert.is((e as TenantError).details.status, 400);
    assert.is((e as TenantError).code, 'tenant.badRequest');
  }
});

test.run();
