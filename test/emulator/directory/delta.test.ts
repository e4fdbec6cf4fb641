// /users/delta and /groups/delta: the first round pages through everything to a deltaLink; the next
// round returns only what changed after it (updates, deletions as @removed, members@delta);
// $select is kept in the token; $deltatoken=latest; a bad token is a 400.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { graphClient, rawRequest } from '../../helpers/graph.js';
import { createUser } from './setup.js';

let emu: RunningEmulator;
let c: Client;

test.before(async () => {
  emu = await startEmulator(testConfig());
  c = await graphClient(emu, 'contoso');
});

test.after(async () => {
  await emu?.stop();
});

type Item = Record<string, unknown> & { id: string };
interface DeltaPage {
  value: Item[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** Follow a delta round to its deltaLink; returns the items and the number of pages. */
async function round(first: string, headers: Record<string, string> = {}): Promise<{ items: Item[]; pages: number; deltaLink: string }> {
  const items: Item[] = [];
  let link: string | undefined = first;
  let pages = 0;
  for (;;) {
    let req = c.api(link!);
    for (const [k, v] of Object.entries(headers)) req = req.header(k, v);
    const page = (await req.get()) as DeltaPage;
    pages++;
    items.push(...page.value);
    if (page['@odata.deltaLink']) return { items, pages, deltaLink: page['@odata.deltaLink'] };
    link = page['@odata.nextLink'];
    assert.ok(link, 'every page has a nextLink or a deltaLink');
  }
}

test('users/delta: full first round in pages, then only the changes after the deltaLink, deletions as @removed', async () => {
  const made = [];
  for (let i = 0; i < 5; i++) made.push(await createUser(c, `d${i}@contoso.com`, { department: 'Delta' }));
  const first = await round('/users/delta?$select=displayName,department', { Prefer: 'odata.maxpagesize=2' });
  assert.ok(first.pages >= 3, `paged (${first.pages} pages)`);
  const ids = first.items.map((u) => u.id);
  for (const u of made) assert.ok(ids.includes(u.id));
  assert.is(new Set(ids).size, ids.length, 'each user once');
  assert.equal(Object.keys(first.items[0]!).sort(), ['department', 'displayName', 'id'], '$select honoured');

  const quiet = await round(first.deltaLink);
  assert.is(quiet.items.length, 0, 'nothing changed, nothing returned');

  await c.api(`/users/${made[1]!.id}`).patch({ department: 'Moved' });
  await c.api(`/users/${made[2]!.id}`).delete();
  const extra = await createUser(c, 'late@contoso.com');
  const second = await round(quiet.deltaLink);
  const byId = Object.fromEntries(second.items.map((u) => [u.id, u]));
  assert.equal(Object.keys(byId).sort(), [made[1]!.id, made[2]!.id, extra.id].sort());
  assert.is(byId[made[1]!.id]!.department, 'Moved');
  assert.equal(byId[made[2]!.id], { id: made[2]!.id, '@removed': { reason: 'changed' } }, 'a deleted user is restorable for 30 days: "changed"');
  assert.equal(Object.keys(byId[extra.id]!).sort(), ['department', 'displayName', 'id'], 'the token kept $select');
});

test('users/delta?$deltatoken=latest returns no items and a deltaLink that sees later changes only', async () => {
  const latest = (await c.api('/users/delta?$deltatoken=latest').get()) as DeltaPage;
  assert.is(latest.value.length, 0);
  assert.ok(latest['@odata.deltaLink']);
  const u = await createUser(c, 'after.latest@contoso.com');
  const next = await round(latest['@odata.deltaLink']!);
  assert.equal(next.items.map((x) => x.id), [u.id]);
});

test('groups/delta carries members@delta, and removed members as @removed', async () => {
  const a = await createUser(c, 'ga@contoso.com');
  const b = await createUser(c, 'gb@contoso.com');
  const g = (await c.api('/groups').post({ displayName: 'All Sales', mailEnabled: false, mailNickname: 'allsales', securityEnabled: true, 'members@odata.bind': [`${emu.url}/v1.0/users/${a.id}`] })) as { id: string };
  const first = await round('/groups/delta?$select=displayName,members');
  const fg = first.items.find((x) => x.id === g.id)!;
  assert.is(fg.displayName, 'All Sales');
  assert.equal(fg['members@delta'], [{ '@odata.type': '#microsoft.graph.user', id: a.id }]);
  await c.api(`/groups/${g.id}/members/$ref`).post({ '@odata.id': `${emu.url}/v1.0/directoryObjects/${b.id}` });
  await c.api(`/groups/${g.id}/members/${a.id}/$ref`).delete();
  const second = await round(first.deltaLink);
  assert.equal(second.items.map((x) => x.id), [g.id]);
  const md = second.items[0]!['members@delta'] as Item[];
  assert.equal(md.sort((x, y) => (x.id < y.id ? -1 : 1)), [
    { '@odata.type': '#microsoft.graph.user', id: b.id },
    { '@odata.type': '#microsoft.graph.user', id: a.id, '@removed': { reason: 'deleted' } },
  ].sort((x, y) => (x.id < y.id ? -1 : 1)));
  await c.api(`/groups/${g.id}`).delete();
  const third = await round(second.deltaLink);
  assert.equal(third.items, [{ id: g.id, '@removed': { reason: 'deleted' } }], 'a security group is deleted for good');
  // a Microsoft 365 group goes to the deleted items, restorable: "changed"
  const m365 = (await c.api('/groups').post({ displayName: 'Team Sales', mailEnabled: true, mailNickname: 'teamsales', securityEnabled: false, groupTypes: ['Unified'] })) as { id: string };
  const fourth = await round(third.deltaLink);
  await c.api(`/groups/${m365.id}`).delete();
  const fifth = await round(fourth.deltaLink);
  assert.equal(fifth.items, [{ id: m365.id, '@removed': { reason: 'changed' } }]);
});

test('a token the emulator did not issue is a 400', async () => {
  const bad = await rawRequest(emu, 'contoso', 'GET', '/v1.0/users/delta?$deltatoken=not-a-token');
  assert.is(bad.status, 400);
  assert.is(bad.body.error.code, 'Request_BadRequest');
});


test("a delta $filter scopes the round to id eq '…' (or several); any other $filter is refused, not ignored", async () => {
  const a = await createUser(c, 'scope-a@contoso.com', { department: 'Scope' });
  const b = await createUser(c, 'scope-b@contoso.com', { department: 'Scope' });
  await createUser(c, 'scope-c@contoso.com', { department: 'Scope' });
  const filter = encodeURIComponent(`id eq '${a.id}' or id eq '${b.id}'`);
  const first = await round(`/users/delta?$filter=${filter}&$select=department`, { Prefer: 'odata.maxpagesize=1' });
  assert.equal(first.items.map((u) => u.id).sort(), [a.id, b.id].sort(), 'only the filtered users');
  await c.api(`/users/${a.id}`).patch({ department: 'Scoped' });
  await createUser(c, 'scope-d@contoso.com', { department: 'Scope' });
  const next = await round(first.deltaLink);
  assert.equal(next.items.map((u) => [u.id, u.department]), [[a.id, 'Scoped']], 'the deltaLink keeps the scope');
  for (const f of ["department eq 'Scope'", "startswith(displayName,'scope')", `id eq '${a.id}' and department eq 'Scope'`]) {
    for (const path of ['/v1.0/users/delta', '/v1.0/groups/delta']) {
      const r = await rawRequest(emu, 'contoso', 'GET', `${path}?$filter=${encodeURIComponent(f)}`);
      assert.equal([r.status, r.body.error.code, r.body.error.message], [400, 'Request_UnsupportedQuery', 'Unsupported Query.'], `${path} ${f}`);
    }
  }
});
test.run();
