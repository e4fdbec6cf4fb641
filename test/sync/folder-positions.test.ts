// FolderPositions over a transport that records its writes: which positions a sync takes from the
// target folders (only its own set's), and what a refused or failed write does (a deleted folder
// is skipped; a target that refuses the property hands every position back to the marker).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TenantError } from '../../engine/errors.js';
import type { SyncWatermark } from '../../engine/inventory/model.js';
import type { TenantClient } from '../../engine/tenant/client.js';
import { FolderPositions } from '../../engine/sync/folder-positions.js';
import type { FolderNode, MailTransport } from '../../engine/sync/mail-types.js';
import { SyncRun } from '../../engine/sync/sync-context.js';

const failure = (status: number) => new TenantError(`PATCH failed (${status})`, 'tenant.failed', { tenant: 'fabrikam', status });

function transport(fail: Record<string, number> = {}): { t: MailTransport; writes: Map<string, string> } {
  const writes = new Map<string, string>();
  const t = {
    positionsReadable: () => true,
    async writePositions(folderId: string, value: string) {
      if (fail[folderId]) throw failure(fail[folderId]!);
      writes.set(folderId, value);
    },
  } as unknown as MailTransport;
  return { t, writes };
}

function run(watermark?: SyncWatermark, warnings: string[] = []): SyncRun {
  return new SyncRun({ source: {} as TenantClient, target: {} as TenantClient, sourceUserId: 's', targetUserId: 't', workload: 'mailbox', mode: 'delta', ...(watermark ? { watermark } : {}), onWarning: (w) => warnings.push(w) });
}

const folder = (id: string, positions?: unknown): FolderNode => ({ id, displayName: id, parentId: null, ...(positions !== undefined ? { positions: typeof positions === 'string' ? positions : JSON.stringify(positions) } : {}) });
const keys = new Map([['f:a', 'T1'], ['f:b', 'T2']]);

test("a sync takes the positions of its watermark's set from the target folders, over the marker's; another set's and a damaged value are ignored", () => {
  const r = run({ items: 1, bytes: 1, positionsSet: 'S1', deltaLinks: { 'f:a': 'from-marker', 'f:b': 'from-marker' } });
  const tree = [folder('T1', { set: 'S1', links: { 'f:a': 'from-folder' } }), folder('T2', { set: 'S0', links: { 'f:b': 'old-set' } })];
  FolderPositions.open(r, transport().t, tree, keys);
  assert.equal(r.links, { 'f:a': 'from-folder', 'f:b': 'from-marker' });
  const damaged = run({ items: 1, bytes: 1, positionsSet: 'S1' });
  FolderPositions.open(damaged, transport().t, [folder('T1', '{not json')], keys);
  assert.equal(damaged.links, {});
});

test('a sync without a watermark makes a new set and takes nothing from the folders', () => {
  const r = run();
  const store = FolderPositions.open(r, transport().t, [folder('T1', { set: 'S1', links: { 'f:a': 'earlier' } })], keys)!;
  assert.equal(r.links, {});
  assert.ok(store.set && store.set !== 'S1');
});

test('flush writes each changed folder once, with its set; the marker keeps no mail position', async () => {
  const r = run();
  const { t, writes } = transport();
  r.positions = FolderPositions.open(r, t, [], keys);
  Object.assign(r.links, { 'f:a': 'pa', 'f:b': 'pb' });
  await r.checkpoint();
  const written = (id: string) => JSON.parse(writes.get(id)!) as { set: string; links: Record<string, string>; at: string };
  assert.equal({ ...written('T1'), at: undefined }, { set: r.positions!.set, links: { 'f:a': 'pa' }, at: undefined });
  assert.equal({ ...written('T2'), at: undefined }, { set: r.positions!.set, links: { 'f:b': 'pb' }, at: undefined });
  assert.ok(Math.abs(Date.parse(written('T1').at) - Date.now()) < 60_000, 'with the time they were written');
  writes.clear();
  r.links['f:b'] = 'pb2';
  await r.checkpoint();
  assert.equal([...writes.keys()], ['T2'], 'only the folder whose position moved');
  const w = r.finish();
  assert.equal(w.deltaLinks, {});
  assert.is(w.positionsSet, r.positions!.set);
});

test('a target folder deleted meanwhile (404) is skipped; the others keep their positions', async () => {
  const warnings: string[] = [];
  const r = run(undefined, warnings);
  const { t, writes } = transport({ T1: 404 });
  r.positions = FolderPositions.open(r, t, [], keys);
  Object.assign(r.links, { 'f:a': 'pa', 'f:b': 'pb' });
  await r.checkpoint();
  assert.equal([...writes.keys()], ['T2']);
  assert.equal(warnings, []);
  assert.ok(r.finish().positionsSet);
});

test('a target that refuses the property (400) hands every position back to the marker, with a warning', async () => {
  const warnings: string[] = [];
  const r = run(undefined, warnings);
  r.positions = FolderPositions.open(r, transport({ T1: 400, T2: 400 }).t, [], keys);
  Object.assign(r.links, { 'f:a': 'pa', 'f:b': 'pb' });
  await r.checkpoint();
  const w = r.finish();
  assert.equal(w.deltaLinks, { 'f:a': 'pa', 'f:b': 'pb' });
  assert.is(w.positionsSet, undefined);
  assert.is(warnings.length, 1);
  assert.match(warnings[0]!, /kept in the migration marker/);
});

test('any other failure (a 500) fails the checkpoint: the positions are not silently lost', async () => {
  const r = run();
  r.positions = FolderPositions.open(r, transport({ T1: 500 }).t, [], keys);
  r.links['f:a'] = 'pa';
  const failure = await r.checkpoint().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.is((failure as TenantError | undefined)?.details.status, 500);
});

test.run();
