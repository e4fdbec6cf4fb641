// Scale properties, in process (Emulator.invoke, the real handlers): a licence change looks only at
// the mailboxes pending removal, a list page renders only its own users, and list and delta paging
// stay exact while the tenant changes between pages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../../emulator/config.js';
import { Emulator, tenantFromConfig } from '../../../emulator/store/emulator-state.js';
import { allRoutes } from '../../../emulator/core/routes.js';
import type { TenantState } from '../../../emulator/store/tenant-state.js';
import type { Recipient } from '../../../emulator/store/exchange-state.js';

const STD = '4b9405b0-7788-4568-add1-99614e613b69';

function setup(users: number): { emu: Emulator; t: TenantState; ids: string[] } {
  const config = parseConfig(['tenants:', '  - name: contoso', '    domains: [contoso.com]', '    apps: [{ clientId: app, clientSecret: s, roles: [] }]', `    licenses: [{ sku: EXCHANGESTANDARD, units: ${users} }]`, 'limits: none', ''].join('\n'));
  const emu = new Emulator(config, allRoutes());
  const t = tenantFromConfig(config.tenants[0]!);
  emu.addTenant(t);
  return { emu, t, ids: [] };
}

async function addUsers(emu: Emulator, t: TenantState, n: number, prefix = 'u'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const nick = `${prefix}${String(i).padStart(4, '0')}`;
    const r = await emu.invoke(t, 'POST', '/v1.0/users', { accountEnabled: true, displayName: `${i % 3 === 0 ? 'Blue' : 'Green'} ${nick}`, mailNickname: nick, userPrincipalName: `${nick}@contoso.com`, usageLocation: 'US', passwordProfile: { password: 'P@ssw0rd!' } });
    assert.is(r.status, 201, JSON.stringify(r.body));
    ids.push((r.body as { id: string }).id);
  }
  return ids;
}

const license = (emu: Emulator, t: TenantState, id: string, add: boolean) =>
  emu.invoke(t, 'POST', `/v1.0/users/${id}/assignLicense`, add ? { addLicenses: [{ skuId: STD, disabledPlans: [] }], removeLicenses: [] } : { addLicenses: [], removeLicenses: [STD] });

test('a licence change reads only the mailboxes pending removal, not every recipient', async () => {
  const { emu, t } = setup(60);
  const ids = await addUsers(emu, t, 60);
  for (const id of ids) assert.is((await license(emu, t, id, true)).status, 200);
  assert.is((await license(emu, t, ids[0]!, false)).status, 200); // ids[0]'s mailbox is now pending removal
  // Count the recipient records the next licence changes look at.
  const seen = new Set<string>();
  const real = t.exchange.recipients;
  t.exchange.recipients = new Proxy(real, {
    get(target, key) {
      if (typeof key === 'string' && key in target) seen.add(key);
      return Reflect.get(target, key);
    },
    ownKeys(target) {
      seen.add('*every key*');
      return Reflect.ownKeys(target);
    },
  });
  assert.is((await license(emu, t, ids[1]!, false)).status, 200);
  assert.is((await license(emu, t, ids[1]!, true)).status, 200);
  t.exchange.recipients = real;
  assert.not.ok(seen.has('*every key*'), 'no enumeration of every recipient');
  assert.ok(seen.size <= 3, `looked at ${seen.size} recipients`);
});

test('retention still removes exactly the pending mailboxes, also for a save that predates the pending set', async () => {
  const { emu, t } = setup(5);
  const ids = await addUsers(emu, t, 5);
  for (const id of ids) await license(emu, t, id, true);
  await license(emu, t, ids[0]!, false);
  await license(emu, t, ids[1]!, false);
  await license(emu, t, ids[1]!, true); // back within retention: kept
  delete t.exchange.pendingRemovals; // as loaded from an older --data save
  await license(emu, t, ids[2]!, false);
  emu.advanceClock(31 * 86_400_000);
  await license(emu, t, ids[3]!, false); // sweeps: ids[0] and ids[2] go; ids[3] only starts its retention
  const live = (id: string) => Object.values(t.exchange.recipients).find((r: Recipient) => r.userId === id && !r._deleted);
  assert.is(live(ids[0]!), undefined);
  assert.is(live(ids[2]!), undefined);
  assert.is(live(ids[1]!)?.type, 'UserMailbox');
  assert.ok(live(ids[3]!)?.pendingRemovalAt, 'ids[3] pending');
  assert.is(live(ids[4]!)?.pendingRemovalAt, undefined);
  assert.equal(Object.keys(t.exchange.pendingRemovals!), [live(ids[3]!)!.guid]);
});

type Page = { value: { id: string; displayName?: string }[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string; '@odata.count'?: number };

async function follow(emu: Emulator, t: TenantState, first: string, between?: (page: number) => Promise<void>): Promise<{ ids: string[]; pages: number; last: Page }> {
  let path: string | undefined = first;
  const ids: string[] = [];
  let pages = 0;
  let last!: Page;
  while (path) {
    const r = await emu.invoke(t, 'GET', path, undefined, { headers: { consistencylevel: 'eventual' } });
    assert.is(r.status, 200, JSON.stringify(r.body));
    last = r.body as Page;
    ids.push(...last.value.map((v) => v.id));
    pages++;
    const next = last['@odata.nextLink'];
    path = next ? next.slice(next.indexOf('/v1.0/')) : undefined;
    if (path && between) await between(pages);
  }
  return { ids, pages, last };
}

test('a list page renders only its own users; lazy $filter pages find every match once, $count counts them', async () => {
  const { emu, t } = setup(1);
  const ids = await addUsers(emu, t, 120);
  // A user far past the first page: reading its displayName would mean it was filtered or rendered.
  const far = t.directory.users[ids[119]!]!;
  let farRead = 0;
  const name = far.displayName;
  Object.defineProperty(far, 'displayName', { get: () => (farRead++, name), configurable: true, enumerable: true });
  const first = await emu.invoke(t, 'GET', '/v1.0/users?$top=10&$filter=startswith(displayName,%27Blue%27)');
  assert.is((first.body as Page).value.length, 10);
  assert.is(farRead, 0, 'the 120th user was not looked at for the first page');
  Object.defineProperty(far, 'displayName', { value: name, writable: true, configurable: true, enumerable: true });

  const blue = ids.filter((_, i) => i % 3 === 0);
  const all = await follow(emu, t, '/v1.0/users?$top=7&$count=true&$filter=startswith(displayName,%27Blue%27)&$select=id,displayName');
  assert.equal(all.ids, blue);
  assert.is(all.pages, Math.ceil(blue.length / 7));
  assert.is(all.last['@odata.count'], blue.length);
  // Indexed eq: the index hit only.
  const one = await emu.invoke(t, 'GET', "/v1.0/users?$filter=userPrincipalName%20eq%20'u0005@contoso.com'");
  assert.equal((one.body as Page).value.map((v) => v.id), [ids[5]]);
  // Deleted users leave the pages; users created while paging appear at the end.
  const seen = await follow(emu, t, '/v1.0/users?$top=50&$select=id', async (page) => {
    if (page === 1) {
      await emu.invoke(t, 'DELETE', `/v1.0/users/${ids[60]}`);
      ids.push(...(await addUsers(emu, t, 2, 'late')));
    }
  });
  assert.equal(seen.ids, ids.filter((id) => id !== ids[60]));
  const count = await emu.invoke(t, 'GET', '/v1.0/users/$count', undefined, { headers: { consistencylevel: 'eventual' } });
  assert.is(count.body, String(ids.length - 1));
});

test('delta pages by change order: writes between pages are neither lost nor duplicated in the round', async () => {
  const { emu, t } = setup(1);
  const ids = await addUsers(emu, t, 90);
  const patched: string[] = [];
  const round = await follow(emu, t, '/v1.0/users/delta?$select=id,displayName&$top=20', async (page) => {
    if (page === 1) {
      // One user already returned, one not yet: the window of this round is fixed at its start.
      for (const id of [ids[3]!, ids[80]!]) {
        assert.is((await emu.invoke(t, 'PATCH', `/v1.0/users/${id}`, { jobTitle: 'Changed' })).status, 204);
        patched.push(id);
      }
    }
  });
  assert.is(new Set(round.ids).size, round.ids.length, 'no duplicates');
  assert.equal(new Set(round.ids), new Set(ids.filter((id) => id !== ids[80])), 'a user changed after the round began is in the next round');
  const delta = round.last['@odata.deltaLink']!;
  const next = await follow(emu, t, delta.slice(delta.indexOf('/v1.0/')));
  assert.equal(next.ids, patched);
});

test.run();
