// Builds a fresh tenant from its config: the explicit `users:` and `groups:`, then `generate:`
// (users with departments, job titles and managers, groups with members, licences so Exchange
// provisions mailboxes, mail and archive items, OneDrive files). Everything goes through
// Emulator.invoke, i.e. the same handlers a client reaches; an area whose handler does not exist
// is skipped with one line on the log. Deterministic under generate.seed (names, attributes,
// memberships, content; object ids are the handlers' own).
import type { Emulator } from '../store/emulator-state.js';
import type { TenantState } from '../store/tenant-state.js';
import type { TenantConfig, UserConfig } from '../config.js';
import type { EmuResponse, HttpMethod } from '../core/http-types.js';
import { skuCatalogEntry } from '../graph/licenses-catalogue.js';
import { seeded, type Rng } from '../core/prng.js';
import { DEPARTMENTS, GIVEN_NAMES, PROJECTS, SURNAMES } from './names.js';
import { driveFile, pick, receivedMessage, type Person } from './content.js';

interface Made {
  id: string;
  upn: string;
  displayName: string;
  mail: string;
  department: string;
  licensed: boolean;
  mailboxItems: number;
  archiveItems: number;
  driveItems: number;
}

export interface GenerateSummary {
  users: number;
  groups: number;
  licensed: number;
  messages: number;
  archiveItems: number;
  driveItems: number;
  skipped: string[];
}

const PASSWORD = { forceChangePasswordNextSignIn: false, password: 'Generated-Passw0rd!' };

class Builder {
  readonly summary: GenerateSummary = { users: 0, groups: 0, licensed: 0, messages: 0, archiveItems: 0, driveItems: 0, skipped: [] };
  private freeUnits = new Map<string, number>();

  constructor(private emu: Emulator, private t: TenantState, c: TenantConfig, private log: (line: string) => void) {
    for (const l of c.licenses) this.freeUnits.set(skuCatalogEntry(l.sku).skuId, l.units);
  }

  /** False (and one log line) when no handler serves the operation yet. */
  can(method: HttpMethod, path: string, what: string): boolean {
    if (this.emu.hasRoute(method, path)) return true;
    if (!this.summary.skipped.includes(what)) {
      this.summary.skipped.push(what);
      this.log(`t2t emulator: ${this.t.name}: skipped ${what} (no handler for ${method} ${path} yet)`);
    }
    return false;
  }

  async call(method: HttpMethod, path: string, body?: unknown, headers?: Record<string, string>): Promise<EmuResponse> {
    const r = await this.emu.invoke(this.t, method, path, body, headers ? { headers } : {});
    if (r.status >= 400) {
      const err = (r.body as { error?: { code?: string; message?: string } } | undefined)?.error;
      this.log(`t2t emulator: ${this.t.name}: ${method} ${path} -> ${r.status} ${err?.code ?? ''}: ${err?.message ?? ''}`);
    }
    return r;
  }

  private defaultDomain(): string {
    return this.t.domains.find((d) => d !== this.t.initialDomain) ?? this.t.initialDomain;
  }

  async createUser(u: UserConfig, counts: { mailboxItems: number; archiveItems: number; driveItems: number }): Promise<Made | undefined> {
    const local = u.userPrincipalName.split('@')[0]!;
    const displayName = u.displayName ?? local;
    const body: Record<string, unknown> = {
      accountEnabled: true,
      displayName,
      mailNickname: local.replace(/[^A-Za-z0-9._-]/g, '') || 'user',
      userPrincipalName: u.userPrincipalName,
      passwordProfile: PASSWORD,
      usageLocation: 'US',
    };
    for (const k of ['givenName', 'surname', 'department', 'jobTitle', 'employeeId', 'mail', 'userType'] as const) if (u[k]) body[k] = u[k];
    const r = await this.call('POST', '/v1.0/users', body);
    if (r.status !== 201) return undefined;
    const id = (r.body as { id: string }).id;
    this.summary.users += 1;
    return { id, upn: u.userPrincipalName, displayName, mail: u.mail ?? u.userPrincipalName, department: u.department ?? '', licensed: false, ...counts };
  }

  /** Assign `sku` (or the first SKU with free units) so Exchange provisions a mailbox. */
  async license(m: Made, sku: string | undefined): Promise<void> {
    let skuId: string | undefined;
    if (sku) skuId = skuCatalogEntry(sku).skuId;
    else for (const [id, free] of this.freeUnits) if (free > 0) { skuId = id; break; }
    if (!skuId || (this.freeUnits.get(skuId) ?? 0) <= 0) return;
    const r = await this.call('POST', `/v1.0/users/${m.id}/assignLicense`, { addLicenses: [{ skuId, disabledPlans: [] }], removeLicenses: [] });
    if (r.status < 400) {
      this.freeUnits.set(skuId, (this.freeUnits.get(skuId) ?? 1) - 1);
      m.licensed = true;
      this.summary.licensed += 1;
    }
  }

  async setManager(userId: string, managerId: string): Promise<void> {
    await this.call('PUT', `/v1.0/users/${userId}/manager/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/users/${managerId}` });
  }

  async createGroup(displayName: string, description: string, nickname: string, memberIds: string[]): Promise<void> {
    const r = await this.call('POST', '/v1.0/groups', { displayName, description, mailNickname: nickname, mailEnabled: false, securityEnabled: true, groupTypes: [] });
    if (r.status !== 201) return;
    this.summary.groups += 1;
    const gid = (r.body as { id: string }).id;
    for (const uid of memberIds) await this.call('POST', `/v1.0/groups/${gid}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${uid}` });
  }

  async content(rng: Rng, m: Made, people: Person[]): Promise<void> {
    const me: Person = { displayName: m.displayName, address: m.mail };
    const other = () => (people.length > 1 ? pick(rng, people) : { displayName: 'Northwind Partner', address: 'partner@northwind.example' });
    if (m.licensed && m.mailboxItems > 0 && this.can('POST', `/v1.0/users/${m.id}/mailFolders/inbox/messages`, 'mail items')) {
      for (let i = 0; i < m.mailboxItems; i++) {
        const sent = rng() < 0.25;
        const peer = other();
        const message = receivedMessage(rng, sent ? me : peer, sent ? peer : me, i, this.defaultDomain());
        const r = await this.call('POST', `/v1.0/users/${m.id}/mailFolders/${sent ? 'sentitems' : 'inbox'}/messages`, message);
        if (r.status < 400) this.summary.messages += 1;
      }
    }
    if (m.licensed && m.archiveItems > 0) await this.archive(rng, m, me, other);
    if (m.driveItems > 0 && this.can('PUT', `/v1.0/users/${m.id}/drive/root:/a.txt:/content`, 'OneDrive files')) {
      for (let i = 0; i < m.driveItems; i++) {
        const f = driveFile(rng, m.displayName, i);
        const r = await this.call('PUT', `/v1.0/users/${m.id}/drive/root:/${f.path.split('/').map(encodeURIComponent).join('/')}:/content`, f.content, { 'content-type': 'application/octet-stream' });
        if (r.status < 400) this.summary.driveItems += 1;
      }
    }
  }

  /** Archive items: created in the primary, exported, imported into the archive's inbox (the
   *  import/export API is the only Graph path into an archive mailbox), then removed from the primary. */
  private async archive(rng: Rng, m: Made, me: Person, other: () => Person): Promise<void> {
    if (!this.can('POST', '/beta/admin/exchange/mailboxes/x/exportItems', 'archive items')) return;
    const settings = await this.call('GET', `/beta/users/${m.id}/settings/exchange`);
    const s = settings.body as { primaryMailboxId?: string; inPlaceArchiveMailboxId?: string } | undefined;
    if (!s?.primaryMailboxId || !s.inPlaceArchiveMailboxId) return;
    const session = await this.call('POST', `/beta/admin/exchange/mailboxes/${encodeURIComponent(s.inPlaceArchiveMailboxId)}/createImportSession`, {});
    const importUrl = (session.body as { importUrl?: string } | undefined)?.importUrl;
    const folders = await this.call('GET', `/beta/admin/exchange/mailboxes/${encodeURIComponent(s.inPlaceArchiveMailboxId)}/folders`);
    const inbox = ((folders.body as { value?: { id: string; displayName: string }[] } | undefined)?.value ?? []).find((f) => f.displayName === 'Inbox');
    if (!importUrl || !inbox) return;
    const u = new URL(importUrl);
    for (let i = 0; i < m.archiveItems; i++) {
      const message = receivedMessage(rng, other(), me, 1000 + i, this.defaultDomain());
      const created = await this.call('POST', `/v1.0/users/${m.id}/mailFolders/inbox/messages`, message);
      const msgId = (created.body as { id?: string } | undefined)?.id;
      if (!msgId) continue;
      const exported = await this.call('POST', `/beta/admin/exchange/mailboxes/${encodeURIComponent(s.primaryMailboxId)}/exportItems`, { itemIds: [msgId] });
      const data = (exported.body as { value?: { data?: string }[] } | undefined)?.value?.[0]?.data;
      if (data) {
        const imported = await this.call('POST', `${u.pathname}${u.search}`, { FolderId: inbox.id, Mode: 'create', Data: data });
        if (imported.status < 400) this.summary.archiveItems += 1;
      }
      await this.call('DELETE', `/v1.0/users/${m.id}/messages/${msgId}`);
    }
  }
}

function ascii(s: string): string {
  return s.normalize('NFD').replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

export async function generateTenant(emulator: Emulator, tenant: TenantState, config: TenantConfig, log: (line: string) => void): Promise<GenerateSummary> {
  const b = new Builder(emulator, tenant, config, log);
  const g = config.generate;
  const rng = seeded(g?.seed ?? 1, tenant.name);
  if (!config.users.length && !config.groups.length && !g) return b.summary;
  if (!b.can('POST', '/v1.0/users', 'users')) return b.summary;
  const started = Date.now();
  const made: Made[] = [];
  const byUpn = new Map<string, Made>();

  // 1. Explicit users, with their licence.
  for (const u of config.users) {
    const m = await b.createUser(u, { mailboxItems: u.mailboxItems ?? g?.mailboxItems ?? 0, archiveItems: u.archiveItems ?? 0, driveItems: u.driveItems ?? g?.driveItems ?? 0 });
    if (!m) continue;
    made.push(m);
    byUpn.set(m.upn.toLowerCase(), m);
    if (u.license && b.can('POST', `/v1.0/users/${m.id}/assignLicense`, 'licences')) await b.license(m, u.license);
  }
  for (const u of config.users) {
    const m = byUpn.get(u.userPrincipalName.toLowerCase());
    const mgr = u.manager ? byUpn.get(u.manager.toLowerCase()) : undefined;
    if (m && mgr && b.can('PUT', `/v1.0/users/${m.id}/manager/$ref`, 'managers')) await b.setManager(m.id, mgr.id);
  }

  // 2. Generated users: a department each, the first of a department is its head and everyone
  //    else's manager; licensed from the first SKU with free units.
  const domain = tenant.domains.find((d) => d !== tenant.initialDomain) ?? tenant.initialDomain;
  const heads = new Map<string, Made>();
  const generated: Made[] = [];
  const taken = new Set<string>([...byUpn.keys()]);
  for (let i = 0; i < (g?.users ?? 0); i++) {
    const given = pick(rng, GIVEN_NAMES);
    const surname = pick(rng, SURNAMES);
    const dept = DEPARTMENTS[i < DEPARTMENTS.length ? i : Math.floor(rng() * DEPARTMENTS.length)]!;
    const isHead = !heads.has(dept.name);
    let local = `${ascii(given)}.${ascii(surname)}`;
    for (let n = 2; taken.has(`${local}@${domain}`); n++) local = `${ascii(given)}.${ascii(surname)}${n}`;
    taken.add(`${local}@${domain}`);
    const upn = `${local}@${domain}`;
    const m = await b.createUser(
      { userPrincipalName: upn, mail: upn, displayName: `${given} ${surname}`, givenName: given, surname, department: dept.name, jobTitle: isHead ? dept.titles[0]! : pick(rng, dept.titles.slice(1)), employeeId: `G${String(i + 1).padStart(6, '0')}` },
      { mailboxItems: g!.mailboxItems, archiveItems: g!.archiveItems, driveItems: g!.driveItems },
    );
    if (!m) continue;
    generated.push(m);
    if (isHead) heads.set(dept.name, m);
    if (b.can('POST', `/v1.0/users/${m.id}/assignLicense`, 'licences')) await b.license(m, undefined);
    if (!isHead && b.can('PUT', `/v1.0/users/${m.id}/manager/$ref`, 'managers')) await b.setManager(m.id, heads.get(dept.name)!.id);
    if ((i + 1) % 10_000 === 0) log(`t2t emulator: ${tenant.name}: ${i + 1} users generated`);
  }
  made.push(...generated);

  // 3. Groups: the config's, then generated department teams and project groups.
  if (b.can('POST', '/v1.0/groups', 'groups')) {
    const memberRef = b.can('POST', '/v1.0/groups/x/members/$ref', 'group members');
    // a generated group never takes the name of a configured one: a wave naming that group would
    // find two (a real tenant may hold such twins; the example's must not by accident)
    const taken = new Set(config.groups.map((grp) => grp.displayName.toLowerCase()));
    for (const grp of config.groups) {
      const ids = grp.members.map((u) => byUpn.get(u.toLowerCase())?.id).filter((x): x is string => !!x);
      await b.createGroup(grp.displayName, grp.description ?? `${grp.displayName} (from the emulator config)`, grp.mailNickname ?? (ascii(grp.displayName) || 'group'), memberRef ? ids : []);
    }
    for (let i = 0; i < (g?.groups ?? 0); i++) {
      const dept = DEPARTMENTS[i % DEPARTMENTS.length]!;
      const byDept = i < DEPARTMENTS.length;
      let name = byDept ? `${dept.name} Team` : `Project ${PROJECTS[(i - DEPARTMENTS.length) % PROJECTS.length]}${i >= DEPARTMENTS.length + PROJECTS.length ? ` ${i}` : ''}`;
      if (taken.has(name.toLowerCase())) name = byDept ? `${dept.name} Department` : `${name} (${i})`;
      taken.add(name.toLowerCase());
      const members = byDept ? generated.filter((m) => m.department === dept.name) : generated.filter(() => rng() < Math.min(1, 25 / Math.max(1, generated.length)));
      await b.createGroup(name, byDept ? `Everyone in ${dept.name}` : `Members of project ${name.slice(8)}`, `${ascii(name)}${i}`, memberRef ? members.map((m) => m.id) : []);
    }
  }

  // 4. Content: mail, archive and OneDrive items.
  const people: Person[] = made.slice(0, 200).map((m) => ({ displayName: m.displayName, address: m.mail }));
  for (const m of made) await b.content(rng, m, people);

  const s = b.summary;
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  log(`t2t emulator: ${tenant.name}: generated ${n(s.users, 'user')} (${s.licensed} licensed), ${n(s.groups, 'group')}, ${n(s.messages, 'message')}, ${n(s.archiveItems, 'archive item')}, ${n(s.driveItems, 'file')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return s;
}
