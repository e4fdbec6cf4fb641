// How much the planning pass depends on where its data lies in the heap (ninth session, see
// README.md): the same plan in one process over the inventory as loadInventory reads it (A) and
// over a copy laid out another way (B), the two alternated.
//
//   node --expose-gc --max-semi-space-size=32 dist/bench/plan/layout.js DIR [runs] [mode]
//
// DIR is a project with a discovery cache (T2T_BENCH_STATE_DIR=/tmp/t2t-bench keeps the bench's
// projects: /tmp/t2t-bench/project-settled-100000). Modes of B:
//   visit    every record and string of a source user's joined data (user, mailbox, content sizes,
//            the target its marker names, that target's recipient, its target contact) copied
//            user by user in the order the planner visits the users (the waves' member lists)
//   streams  the same copies, collection by collection, each in visiting order (source users, then
//            their mailboxes, content sizes, target users, their recipients, the contacts): the
//            layout a cache whose every collection is stored in visiting order would load as
//   shard    the same copies, user by user in the source tenant's cache order
//   records  only the records copied in visiting order, their strings shared with A
//   members  no copy: the waves' members sorted by their source user's position in the cache, so
//            the planner visits the source users in memory order
// One source and one target tenant; the users must be listed in the waves' CSV files.
import type { Project } from '../../engine/manifest/model.js';
import type { ContentSize, Inventory, InventoryRecipient, InventoryUser, TenantInventory } from '../../engine/inventory/model.js';
import { loadProject } from '../../engine/manifest/load-project.js';
import { loadInventory } from '../../engine/discovery/discover.js';
import { indexTenant } from '../../engine/matching/tenant-index.js';
import { normAddress } from '../../engine/matching/normalize.js';
import { streamPlan, textSink } from '../../engine/plan/index.js';

type Mode = 'visit' | 'streams' | 'shard' | 'records' | 'members';

const [dir, runsText = '6', modeText = 'visit'] = process.argv.slice(2);
if (!dir || !['visit', 'streams', 'shard', 'records', 'members'].includes(modeText)) {
  console.error('usage: node --expose-gc dist/bench/plan/layout.js DIR [runs] [visit|streams|shard|records|members]');
  process.exit(1);
}
const mode = modeText as Mode;
const runs = Number(runsText);

const { project } = await loadProject(dir);
if (!project) throw new Error(`${dir}: not a valid project`);
const inventory = await loadInventory(project, `${dir}/.t2t`);
if (!inventory) throw new Error(`${dir}: no discovery cache`);
const [source, target] = [project.tenants.find((t) => t.role === 'source')!.name, project.tenants.find((t) => t.role === 'target')!.name];
const S = inventory.tenants[source]!;
const T = inventory.tenants[target]!;
const si = indexTenant(S);
const ti = indexTenant(T);

/** Source users in the order the planner visits them: wave by wave, in each wave's CSV order. */
function visitOrder(): InventoryUser[] {
  const out: InventoryUser[] = [];
  const seen = new Set<InventoryUser>();
  for (const w of project!.waves) {
    for (const a of w.members.csvUsers) {
      const u = si.usersByAddress.get(normAddress(a));
      if (u && !Array.isArray(u) && !seen.has(u)) {
        out.push(u);
        seen.add(u);
      }
    }
  }
  for (const u of S.users) if (!seen.has(u)) out.push(u);
  return out;
}

/** A copy of the inventory with each source user's joined data allocated together, users in
 *  `order`; with `byCollection`, each collection's copies together, in `order`. */
function laidOut(order: readonly InventoryUser[], deep: boolean, byCollection = false): Inventory {
  const copy = deep ? <V>(v: V): V => JSON.parse(JSON.stringify(v)) as V : <V>(v: V): V => ({ ...v });
  const su: InventoryUser[] = [];
  const sr: InventoryRecipient[] = [];
  const tu: InventoryUser[] = [];
  const tr: InventoryRecipient[] = [];
  const content = new Map<string, ContentSize>();
  const copied = new Set<object>();
  if (byCollection) {
    const marked: InventoryUser[] = [];
    for (const u of order) su.push(copy(u));
    for (const u of order) {
      const mailbox = si.recipientByUserId.get(u.id);
      if (mailbox) sr.push(copy(mailbox)), copied.add(mailbox);
    }
    for (const u of order) {
      const size = S.content.get(u.id);
      if (size) content.set(u.id, copy(size));
    }
    for (const u of order) {
      const t = ti.usersByMarker.get(u.id);
      if (t && !Array.isArray(t)) tu.push(copy(t)), copied.add(t), marked.push(t);
    }
    for (const t of marked) {
      const r = ti.recipientByUserId.get(t.id);
      if (r) tr.push(copy(r)), copied.add(r);
    }
    for (const u of order) {
      const contact = ti.contactBySourceUser.get(u.id);
      if (contact) tr.push(copy(contact)), copied.add(contact);
    }
  }
  for (const u of byCollection ? [] : order) {
    su.push(copy(u));
    const mailbox = si.recipientByUserId.get(u.id);
    if (mailbox) sr.push(copy(mailbox)), copied.add(mailbox);
    const size = S.content.get(u.id);
    if (size) content.set(u.id, copy(size));
    const t = ti.usersByMarker.get(u.id);
    if (t && !Array.isArray(t)) {
      tu.push(copy(t));
      copied.add(t);
      const r = ti.recipientByUserId.get(t.id);
      if (r) tr.push(copy(r)), copied.add(r);
    }
    const contact = ti.contactBySourceUser.get(u.id);
    if (contact) tr.push(copy(contact)), copied.add(contact);
  }
  for (const t of T.users) if (!copied.has(t)) tu.push(copy(t));
  for (const r of S.recipients) if (!copied.has(r)) sr.push(copy(r));
  for (const r of T.recipients) if (!copied.has(r)) tr.push(copy(r));
  const s: TenantInventory = { ...S, users: su, recipients: sr, content };
  const t: TenantInventory = { ...T, users: tu, recipients: tr };
  return { hash: inventory!.hash, tenants: { [source]: s, [target]: t } };
}

/** The project with each wave's CSV members sorted by their source user's position in the cache. */
function membersInMemoryOrder(): Project {
  const position = new Map(S.users.map((u, i) => [u, i] as const));
  const at = (a: string) => {
    const u = si.usersByAddress.get(normAddress(a));
    return u && !Array.isArray(u) ? position.get(u)! : -1;
  };
  return { ...project!, waves: project!.waves.map((w) => ({ ...w, members: { ...w.members, csvUsers: [...w.members.csvUsers].sort((a, b) => at(a) - at(b)) } })) };
}

const a = { project, inventory: { hash: inventory.hash, tenants: { ...inventory.tenants, [source]: { ...S, content: new Map(S.content) } } } };
const b =
  mode === 'members'
    ? { project: membersInMemoryOrder(), inventory: a.inventory }
    : { project, inventory: laidOut(mode === 'shard' ? S.users : visitOrder(), mode !== 'records', mode === 'streams') };
(globalThis as { gc?: () => void }).gc?.();

const times: Record<'A' | 'B', number[]> = { A: [], B: [] };
for (let i = 0; i < runs; i++) {
  for (const side of i % 2 ? (['B', 'A'] as const) : (['A', 'B'] as const)) {
    const input = side === 'A' ? a : b;
    const started = performance.now();
    let chars = 0;
    streamPlan({ ...input, revision: { commit: null, dirty: false }, now: '2026-12-01T00:00:00Z' }, textSink((t) => (chars += t.length)));
    times[side].push(Math.round(performance.now() - started));
  }
}
const median = (l: number[]) => [...l].sort((x, y) => x - y)[l.length >> 1]!;
console.log(`layout ${mode}: A (as loaded) median ${median(times.A)} ms [${times.A.join(', ')}], B median ${median(times.B)} ms [${times.B.join(', ')}], B/A ${(median(times.B) / median(times.A)).toFixed(2)}`);
