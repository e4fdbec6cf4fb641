// Discovery's pure parts: $select, merging delta items, members@delta, digests, wave scope,
// marker candidates, and the tracked cache (real sharded store in a temp dir).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyUserItem, projectAttributeNames, userSelect } from '../../engine/discovery/user-properties.js';
import { applyGroupItem } from '../../engine/discovery/group-record.js';
import { Digest } from '../../engine/discovery/digest.js';
import { resolveWaveScope } from '../../engine/discovery/wave-scope.js';
import { markerCandidates } from '../../engine/discovery/marker-candidates.js';
import { utcFilterDate } from '../../engine/discovery/recipients-read.js';
import { parseFilterDate } from '../../emulator/exchange/opath-filter.js';
import { toRecipient } from '../../engine/discovery/recipient-record.js';
import { parseByteQuantity } from '../../engine/discovery/content-read.js';
import { openTenantCache, flushTenantCache, type TenantCache } from '../../engine/discovery/tenant-cache.js';
import { isStale } from '../../engine/discovery/discover.js';
import { projectFixture, wave } from './project-fixture.js';
import type { InventoryUser } from '../../engine/inventory/model.js';

test('the $select covers the core fields and every attribute the project names', () => {
  const names = projectAttributeNames(projectFixture());
  for (const n of ['employeeId', 'givenName', 'surname', 'department', 'jobTitle', 'companyName', 'mailNickname', 'officeLocation']) assert.ok(names.includes(n), n);
  assert.not.ok(names.includes('mail'), 'top-level fields are not attributes');
  const select = userSelect(names, ['createdDateTime']);
  for (const n of ['id', 'userPrincipalName', 'mail', 'proxyAddresses', 'assignedLicenses', 'externalUserState', 'officeLocation', 'createdDateTime']) assert.ok(select.includes(n), n);
  assert.equal(select, [...select].sort(), 'stable order');
});

test('a delta item merges over the cached user; absent properties keep their value', () => {
  const names = ['department', 'jobTitle'];
  const first = applyUserItem(undefined, { id: 'u1', userPrincipalName: 'a@x.com', mail: 'a@x.com', userType: 'Member', department: 'Sales', assignedLicenses: [{ skuId: 's2' }, { skuId: 's1' }] }, names);
  assert.is(first.attributes.department, 'Sales');
  assert.is(first.attributes.jobTitle, null);
  assert.equal(first.assignedSkuIds, ['s1', 's2']);
  const second = applyUserItem({ ...first, marker: { sourceTenant: 'c', sourceUserId: 'x', wave: 'w' } }, { id: 'u1', jobTitle: 'Rep', department: null }, names);
  assert.is(second.userPrincipalName, 'a@x.com');
  assert.is(second.attributes.jobTitle, 'Rep');
  assert.is(second.attributes.department, null, 'an explicit null clears');
  assert.equal(second.assignedSkuIds, ['s1', 's2']);
  assert.is(second.marker?.wave, 'w', 'the marker is not part of the user delta');
});

test('members@delta: a full read resets members once, a delta read adds and removes', () => {
  const g1 = applyGroupItem(undefined, { id: 'g', displayName: 'Sales', 'members@delta': [{ '@odata.type': '#microsoft.graph.user', id: 'a' }, { '@odata.type': '#microsoft.graph.group', id: 'n' }] }, true);
  const g2 = applyGroupItem(g1, { id: 'g', 'members@delta': [{ '@odata.type': '#microsoft.graph.user', id: 'b' }] }, false);
  assert.equal(g2.memberIds, ['a', 'b'], 'the second page of a full read adds');
  assert.equal(g2.nestedGroupIds, ['n']);
  assert.is(g2.displayName, 'Sales');
  const g3 = applyGroupItem(g2, { id: 'g', 'members@delta': [{ '@odata.type': '#microsoft.graph.user', id: 'a', '@removed': { reason: 'deleted' } }] }, false);
  assert.equal(g3.memberIds, ['b']);
  const g4 = applyGroupItem(g3, { id: 'g', displayName: 'Sales', 'members@delta': [{ id: 'c' }] }, true);
  assert.equal(g4.memberIds, ['c'], 'a new full read drops members it does not list');
});

test('the digest is independent of order and follows replace and remove', () => {
  const a = new Digest();
  a.add('1', { x: 1 });
  a.add('2', { y: [1, 2] });
  const b = new Digest();
  b.add('2', { y: [1, 2] });
  b.add('1', { x: 1 });
  assert.is(a.hex(), b.hex());
  b.replace('1', { x: 1 }, { x: 2 });
  assert.is.not(a.hex(), b.hex());
  b.replace('1', { x: 2 }, { x: 1 });
  assert.is(a.hex(), b.hex());
  b.remove('2', { y: [1, 2] });
  b.remove('1', { x: 1 });
  assert.is(b.hex(), new Digest().hex());
  assert.is(new Digest(a.hex()).hex(), a.hex(), 'round trip through the stored hex');
});

function user(id: string, upn: string, extra: Partial<InventoryUser> = {}): InventoryUser {
  return { id, userPrincipalName: upn, mail: upn, proxyAddresses: [`SMTP:${upn}`], displayName: id, userType: 'Member', accountEnabled: true, usageLocation: null, externalUserState: null, assignedSkuIds: [], attributes: {}, ...extra };
}

test('wave scope: addresses by UPN, mail or proxy, and groups with nested groups (cycles included)', () => {
  const project = projectFixture({ waves: [wave('w1', ['alias@contoso.com', 'bob@contoso.com', 'ghost@contoso.com'], ['Pilot'])] });
  const users = [
    user('a', 'alice@contoso.com', { proxyAddresses: ['SMTP:alice@contoso.com', 'smtp:alias@contoso.com'] }),
    user('b', 'bob@contoso.com'),
    user('c', 'carol@contoso.com'),
    user('d', 'dave@contoso.com'),
    user('e', 'eve@contoso.com'),
  ];
  const groups = [
    { id: 'g1', displayName: 'Pilot', mail: null, memberIds: ['c'], nestedGroupIds: ['g2'] },
    { id: 'g2', displayName: 'Inner', mail: null, memberIds: ['d'], nestedGroupIds: ['g1'] },
    { id: 'g3', displayName: 'Other', mail: null, memberIds: ['e'], nestedGroupIds: [] },
  ];
  const scope = resolveWaveScope(project, users, groups);
  assert.equal([...scope.userIds].sort(), ['a', 'b', 'c', 'd']);
  assert.ok(scope.resolved.has('pilot'));
  assert.not.ok(scope.resolved.has('ghost@contoso.com'));
});

test('marker candidates: changed users, users with a marker, and users a wave member can pair with', () => {
  const project = projectFixture();
  const members = [user('s1', 'alice@contoso.com', { attributes: { employeeId: 'E7' } })];
  const targets = [
    user('t1', 'alice@fabrikam.com'), // mapped mail
    user('t2', 'x@fabrikam.com', { attributes: { employeeId: 'E7' } }), // employeeId rule
    user('t3', 'y@fabrikam.com', { marker: { sourceTenant: 'contoso', sourceUserId: 'old', wave: 'w0' } }),
    user('t4', 'z@fabrikam.com'),
    user('t5', 'q@fabrikam.com'),
  ];
  const got = markerCandidates(project, targets, ['t5'], members);
  assert.equal([...got].sort(), ['t1', 't2', 't3', 't5']);
});

test('recipients: Exchange output becomes InventoryRecipient; empty GUIDs and sizes parse', () => {
  const r = toRecipient({ Guid: 'g-1', Name: 'Alice', Alias: 'alice', PrimarySmtpAddress: 'alice@contoso.com', EmailAddresses: ['SMTP:alice@contoso.com', 'X500:/o=x'], ExternalDirectoryObjectId: 'u1', ArchiveGuid: '00000000-0000-0000-0000-000000000000', ExchangeGuid: 'e-1', HiddenFromAddressListsEnabled: true }, 'UserMailbox');
  assert.is(r.identity, 'g-1');
  assert.is(r.userId, 'u1');
  assert.is(r.archiveGuid, null);
  assert.is(r.exchangeGuid, 'e-1');
  assert.ok(r.hiddenFromAddressListsEnabled);
  assert.is(parseByteQuantity('1.234 MB (1,293,942 bytes)'), 1293942);
  assert.is(parseByteQuantity(42), 42);
});

/** A tenant cache of n users in a temp directory, flushed, handed to `use`, then removed. */
async function withCache(n: number, use: (dir: string, cache: TenantCache) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 't2t-disc-cache-'));
  try {
    const cache = await openTenantCache(dir, 'contoso');
    for (let i = 0; i < n; i++) cache.users.put(`u${i}`, user(`u${i}`, `u${i}@contoso.com`));
    await flushTenantCache(cache);
    await use(dir, cache);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the cache: an unchanged put writes nothing, one changed user appends one journal line and rewrites no shard, the digest survives reopening', async () => {
  await withCache(500, async (dir, cache) => {
    const digest = cache.users.digestHex();
    const reopened = await openTenantCache(dir, 'contoso');
    assert.is(reopened.users.size, 500);
    assert.is(reopened.users.digestHex(), digest);
    assert.is(reopened.users.put('u7', user('u7', 'u7@contoso.com')), 'unchanged');
    const shardDir = join(dir, 'inventory', 'contoso', 'users');
    const times = async () => Object.fromEntries(await Promise.all((await readdir(shardDir)).filter((f) => f.startsWith('shard')).map(async (f) => [f, (await stat(join(shardDir, f))).mtimeMs] as const)));
    const before = await times();
    await new Promise((r) => setTimeout(r, 20));
    assert.is(reopened.users.put('u7', user('u7', 'u7@contoso.com', { displayName: 'Seven' })), 'updated');
    await flushTenantCache(reopened);
    const after = await times();
    const changed = Object.keys(after).filter((f) => after[f] !== before[f]);
    assert.is(changed.length, 0, `no shard rewritten, got ${changed.join(',')}`);
    const journal = (await readFile(join(shardDir, 'journal.jsonl'), 'utf8')).split('\n').filter((l) => l.includes('"u7"'));
    assert.is(journal.length, 1, 'the change is one journal line');
    assert.ok(journal[0]!.includes('Seven'));
    const again = await openTenantCache(dir, 'contoso');
    assert.is(again.users.get('u7')?.displayName, 'Seven', 'the journal replays on the next open');
    assert.is(again.users.digestHex(), reopened.users.digestHex());
    assert.is.not(reopened.users.digestHex(), digest);
    assert.equal(reopened.users.changes, { added: 0, updated: 1, removed: 0 });
  });
});

test('a cache opened after a crash mid-compaction computes its digest from the records, and the next flush unmarks it', async () => {
  await withCache(50, async (dir, cache) => {
    const right = cache.users.digestHex();
    cache.users.store.setMeta('digest', 'f'.repeat(64)); // the earlier flush's digest, say
    await cache.users.store.flush();
    const head = join(dir, 'inventory', 'contoso', 'users', 'collection.json');
    await writeFile(head, JSON.stringify({ ...(JSON.parse(await readFile(head, 'utf8')) as object), compacting: true }));
    const reopened = await openTenantCache(dir, 'contoso');
    assert.is(reopened.users.store.interrupted, true);
    assert.is(reopened.users.digestHex(), right);
    await flushTenantCache(reopened);
    const again = await openTenantCache(dir, 'contoso');
    assert.is(again.users.store.interrupted, false);
    assert.is(again.users.digestHex(), right, 'and it is stored');
  });
});

test('recomputeDigest makes a digest a crash left out of step with the records right again', async () => {
  await withCache(50, async (dir, cache) => {
    const right = cache.users.digestHex();
    // a stored digest that does not belong to the records
    cache.users.store.setMeta('digest', 'f'.repeat(64));
    await cache.users.store.flush();
    const reopened = await openTenantCache(dir, 'contoso');
    assert.is.not(reopened.users.digestHex(), right);
    reopened.users.recomputeDigest();
    assert.is(reopened.users.digestHex(), right);
    await flushTenantCache(reopened);
    assert.is((await openTenantCache(dir, 'contoso')).users.digestHex(), right, 'and it is stored');
  });
});

test('isStale compares the oldest tenant with the allowed age', () => {
  const inv = (at: string) => ({ hash: 'h', tenants: { a: { discoveredAt: at } as never } });
  const now = Date.parse('2026-01-02T00:00:00Z');
  assert.not.ok(isStale(inv('2026-01-01T12:00:00Z'), 24 * 3600e3, now));
  assert.ok(isStale(inv('2025-12-31T00:00:00Z'), 24 * 3600e3, now));
  assert.ok(isStale({ hash: 'h', tenants: {} }, 1000, now));
});

test('the Exchange filter names the watermark in UTC without a zone, never later than it', () => {
  assert.is(utcFilterDate('2026-12-07T16:46:25Z'), '2026-12-07T16:46:25');
  // a fraction (watermarks stored by earlier versions) is dropped: a second earlier at most, so a
  // change is read again, never missed
  assert.is(utcFilterDate('2026-12-07T16:46:25.987Z'), '2026-12-07T16:46:25');
  for (const w of ['2026-12-07T16:46:25Z', '2026-12-07T23:59:59.999Z', '2027-01-01T00:00:00Z']) {
    const at = parseFilterDate(utcFilterDate(w))!;
    assert.ok(at <= Date.parse(w) && Date.parse(w) - at < 1000, `${w}: read from ${new Date(at).toISOString()}`);
  }
});

test.run();
