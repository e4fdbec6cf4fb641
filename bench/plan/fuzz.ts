// Random but reproducible projects and inventories that reach every branch of the planner: users
// at every stage with perturbed tenants (hidden or visible, forwarding elsewhere, contacts with a
// wrong address or no LegacyExchangeDN, X500s, watermarks, conflicting and duplicate targets,
// guests, exhausted licences), waves at every phase (forward and rollback, paused, scheduled
// cutovers), groups, rewrite, exclusions, prune. compare.ts plans them with two builds of the
// engine and requires byte-identical plans: the oracle for performance-only changes.
import type { Inventory, InventoryGroup, InventoryRecipient, InventoryUser, MigrationMarker, SyncWatermark, TenantInventory } from '../../engine/inventory/model.js';
import type { Phase, Profile, Project, Tenant, Wave } from '../../engine/manifest/model.js';
import type { PlanInput } from '../../engine/plan/build-plan.js';
import { mulberry32 } from '../../emulator/core/prng.js';

const POS = { file: 'fuzz.yaml', line: 1, col: 1 };
const PHASES: readonly Phase[] = ['discovered', 'prepared', 'synced', 'cutover'];

/** The emulator's seeded PRNG: the same seed makes the same projects. */
const rng = (seed: number): (() => number) => mulberry32(seed);

export interface FuzzCase {
  readonly project: Project;
  readonly inventory: Inventory;
  readonly now: string;
  readonly waveFilter?: string;
  readonly files: Record<string, string>;
  readonly commit: string | null;
  /** Waves whose scheduled delta sync is due. */
  readonly deltaSyncWaves?: readonly string[];
}

export function generateFuzz(seed: number, users = 60): FuzzCase {
  const r = rng(seed);
  const p = (x: number) => r() < x;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  // noise 0: every user is exactly at its stage (observed phases prepared, synced, cutover);
  // noise 1: most users are a little off (every kind of update and repair)
  const noise = pick([0, 0.1, 1]);
  const n = (x: number) => r() < x * noise;
  const npick = <T>(clean: T, xs: readonly T[]): T => (r() < noise ? pick(xs) : clean);
  const twoSources = p(0.3);
  const srcUsers: InventoryUser[] = [];
  const srcRecipients: InventoryRecipient[] = [];
  const src2Users: InventoryUser[] = [];
  const tgtUsers: InventoryUser[] = [];
  const tgtRecipients: InventoryRecipient[] = [];
  const content: Record<string, { mailboxItems: number; mailboxBytes: number; archiveItems: number; archiveBytes: number; driveItems: number; driveBytes: number }> = {};
  const addresses: string[] = [];
  const salesMembers: string[] = [];
  const dayOneSource: string[] = [];
  const dayOneTarget: string[] = [];
  const salesTarget: string[] = [];
  const waveNames = Array.from({ length: 6 }, (_, i) => `wave-${i}`);
  const ts = (d: number) => new Date(Date.UTC(2026, 4, 1) + d * 3600_000).toISOString();

  for (let i = 0; i < users; i++) {
    const stage = pick(['none', 'none', 'prepared', 'synced', 'partial', 'cutover', 'adopted', 'guest'] as const);
    const cutAtSource = stage === 'cutover';
    const domain = p(0.1) ? 'contoso.org' : 'contoso.com';
    const addr = `user${i}@${domain}`;
    const id = `s-${i}`;
    const second = twoSources && p(0.15);
    const su: InventoryUser = {
      id,
      userPrincipalName: n(0.05) ? ` User${i}@${domain.toUpperCase()} ` : addr,
      mail: n(0.1) ? null : n(0.05) ? addr.toUpperCase() : addr,
      proxyAddresses: [`SMTP:${addr}`, ...(p(0.2) ? [`smtp:alias${i}@${domain}`] : []), ...(p(0.1) ? [`X500:/o=old/cn=${id}`] : [])],
      displayName: n(0.05) ? null : `User ${i}`,
      userType: 'Member',
      accountEnabled: true,
      usageLocation: p(0.1) ? null : pick(['US', 'DE']),
      externalUserState: null,
      assignedSkuIds: [],
      attributes: { employeeId: n(0.2) ? null : `E${i % (users - 3)}`, department: n(0.2) ? null : `D${i % 7}`, jobTitle: n(0.1) ? null : 'Engineer' },
    };
    (second ? src2Users : srcUsers).push(su);
    addresses.push(addr);
    if (p(0.4)) salesMembers.push(id);
    if (p(0.2)) dayOneSource.push(id);
    const mbx: InventoryRecipient | null = p(0.9)
      ? {
          identity: `mbx-${i}`,
          type: 'UserMailbox',
          userId: id,
          name: `User ${i}`,
          alias: `user${i}`,
          primarySmtpAddress: addr,
          emailAddresses: [`SMTP:${addr}`],
          externalEmailAddress: null,
          legacyExchangeDN: n(0.1) ? null : `/o=ExchangeLabs/cn=Recipients/cn=${id}`,
          hiddenFromAddressListsEnabled: n(0.5) ? p(0.5) : cutAtSource,
          forwardingSmtpAddress: npick(cutAtSource ? `smtp:user${i}@fabrikam.com` : null, [null, `smtp:user${i}@fabrikam.com`, `SMTP:USER${i}@fabrikam.com `, 'smtp:other@x.com']),
          deliverToMailboxAndForward: cutAtSource,
          exchangeGuid: `g-${i}`,
          archiveGuid: null,
          customAttribute15: null,
        }
      : null;
    if (mbx && !second) srcRecipients.push(mbx);
    if ((n(0.5) ? p(0.3) : cutAtSource) && !second) {
      srcRecipients.push({
        identity: `sc-${i}`,
        type: 'MailContact',
        userId: null,
        name: `User ${i}`,
        alias: null,
        primarySmtpAddress: `user${i}@fabrikam.com`,
        emailAddresses: [],
        externalEmailAddress: npick(`SMTP:user${i}@fabrikam.com`, [`SMTP:user${i}@fabrikam.com`, 'SMTP:wrong@fabrikam.com']),
        legacyExchangeDN: null,
        hiddenFromAddressListsEnabled: false,
        forwardingSmtpAddress: null,
        deliverToMailboxAndForward: false,
        exchangeGuid: null,
        archiveGuid: null,
        customAttribute15: `t2t:${id}`,
      });
    }
    if (p(0.8)) {
      content[id] = {
        mailboxItems: Math.floor(r() * 5000),
        mailboxBytes: Math.floor(r() * 5e9),
        archiveItems: p(0.3) ? Math.floor(r() * 100) : 0,
        archiveBytes: p(0.3) ? Math.floor(r() * 1e9) : 0,
        driveItems: Math.floor(r() * 50),
        driveBytes: Math.floor(r() * 1e8),
      };
    }

    // the target side: none, or a user t2t (or someone) made, at some stage, perturbed
    if (stage === 'none') continue;
    const guest = stage === 'guest';
    const taddr = `user${i}@fabrikam.com`;
    const tid = `t-${i}`;
    const synced = stage === 'synced' || stage === 'partial' || stage === 'cutover' || (stage === 'guest' && p(0.5));
    const cut = stage === 'cutover';
    const partial = stage === 'partial';
    const watermark = (): SyncWatermark => ({
      ...(!n(0.15) ? { initialDoneAt: ts(-100) } : {}),
      ...(n(0.5) ? { lastDeltaAt: ts(p(0.5) ? -50 : 10) } : cut || partial ? { lastDeltaAt: ts(10) } : {}),
      items: 100,
      bytes: 2_000_000,
    });
    const withMarker = stage !== 'adopted' || p(0.3);
    const markerSource = n(0.03) ? `s-${(i + 1) % users}` : id;
    const markerPhase: Phase = cut ? 'cutover' : synced ? 'synced' : 'prepared';
    const mk: MigrationMarker | undefined = withMarker
      ? {
          sourceTenant: second ? 'litware' : n(0.02) ? 'elsewhere' : 'contoso',
          sourceUserId: markerSource,
          wave: pick(waveNames),
          ...(!n(0.05) ? { phase: npick(markerPhase, cut ? ['cutover'] : synced ? ['synced', 'synced', 'prepared'] : ['prepared', 'prepared', 'discovered']) } : {}),
          ...(p(0.3) ? { lastAppliedCommit: 'abc' } : {}),
          createdByT2t: p(0.7),
          ...(synced && !n(0.1) ? { sync: { mailbox: watermark(), ...(!n(0.5) ? { archive: watermark() } : {}), ...(!n(0.5) ? { onedrive: watermark() } : {}) } } : {}),
          ...(partial || cut || n(0.05) ? { cutoverStartedAt: ts(0) } : {}),
          ...((cut && !n(0.3)) || n(0.02) ? { notificationSentAt: ts(1) } : {}),
          ...(guest && p(0.5) ? { invitationSentAt: ts(-200) } : {}),
        }
      : undefined;
    const x500s = cut || (partial && p(0.5)) || n(0.1) ? [...(!n(0.3) ? [`X500:/o=ExchangeLabs/cn=Recipients/cn=contact-${i}`] : []), ...(!n(0.3) ? [`x500:/o=ExchangeLabs/cn=Recipients/cn=${id}`] : [])] : [];
    const tu: InventoryUser = {
      id: tid,
      userPrincipalName: guest ? `user${i}_fabrikam.com#EXT#@fabrikam.onmicrosoft.com` : n(0.05) ? taddr.toUpperCase() : taddr,
      mail: guest ? `user${i}@${domain}` : n(0.1) ? null : taddr,
      proxyAddresses: [`SMTP:${taddr}`, ...x500s],
      displayName: n(0.1) ? `Usr ${i}` : `User ${i}`,
      userType: guest && (!synced || p(0.5)) ? 'Guest' : 'Member',
      accountEnabled: true,
      usageLocation: 'US',
      externalUserState: guest ? 'Accepted' : null,
      assignedSkuIds: synced || n(0.1) ? [npick('sku-e1', ['sku-e1', 'sku-e3', 'sku-other'])] : [],
      attributes: { employeeId: !n(0.1) ? `E${i % (users - 3)}` : null, department: `D${i % 7}`, jobTitle: !n(0.2) ? `Engineer (D${i % 7})` : 'Engineer' },
      ...(mk ? { marker: mk } : {}),
    };
    tgtUsers.push(tu);
    if (n(0.05)) tgtUsers.push({ ...tu, id: `t-dup-${i}`, userPrincipalName: `dup${i}@fabrikam.com`, marker: undefined } as InventoryUser);
    if (p(0.5)) salesTarget.push(tid);
    if (p(0.3)) dayOneTarget.push(tid);
    if (!guest || p(0.5)) {
      tgtRecipients.push({
        identity: `r-${i}`,
        type: synced ? 'UserMailbox' : 'MailUser',
        userId: tid,
        name: `User ${i}`,
        alias: `user${i}`,
        primarySmtpAddress: taddr,
        emailAddresses: [`SMTP:${taddr}`, ...(p(0.2) ? x500s : [])],
        externalEmailAddress: synced ? null : npick(`SMTP:${addr}`, [`SMTP:${addr}`, `smtp:${addr.toUpperCase()}`, 'SMTP:other@contoso.com']),
        legacyExchangeDN: `/o=ExchangeLabs/cn=Recipients/cn=${tid}`,
        hiddenFromAddressListsEnabled: n(0.5) ? p(0.5) : !(cut || partial || guest),
        forwardingSmtpAddress: npick(synced && !cut && !partial ? `smtp:${addr}` : null, [null, `smtp:${addr}`, 'smtp:else@x.com']),
        deliverToMailboxAndForward: false,
        exchangeGuid: null,
        archiveGuid: null,
        customAttribute15: null,
      });
    }
    if (!guest && !n(0.15)) {
      tgtRecipients.push({
        identity: `c-${i}`,
        type: 'MailContact',
        userId: null,
        name: `User ${i}`,
        alias: null,
        primarySmtpAddress: addr,
        emailAddresses: [`SMTP:${addr}`],
        externalEmailAddress: npick(`SMTP:${addr}`, [`SMTP:${addr}`, `SMTP:${addr}`, 'SMTP:old@contoso.com']),
        legacyExchangeDN: (cut && !n(0.3)) || n(0.05) ? null : `/o=ExchangeLabs/cn=Recipients/cn=contact-${i}`,
        hiddenFromAddressListsEnabled: n(0.5) ? p(0.5) : cut || partial,
        forwardingSmtpAddress: null,
        deliverToMailboxAndForward: false,
        exchangeGuid: null,
        archiveGuid: null,
        customAttribute15: `t2t:${id}`,
      });
    }
  }
  // a few target users marked for source users no wave declares (orphans)
  for (let j = 0; j < 3; j++) {
    tgtUsers.push({
      id: `t-orphan-${j}`,
      userPrincipalName: `orphan${j}@fabrikam.com`,
      mail: null,
      proxyAddresses: [],
      displayName: null,
      userType: 'Member',
      accountEnabled: true,
      usageLocation: null,
      externalUserState: null,
      assignedSkuIds: [],
      attributes: {},
      marker: { sourceTenant: 'contoso', sourceUserId: `gone-${j}`, wave: pick(waveNames), phase: 'prepared' },
    });
  }

  const all = [...srcUsers, ...src2Users];
  const shuffled = [...addresses].sort(() => r() - 0.5);
  const waves: Wave[] = waveNames.map((name, w) => {
    const list = shuffled.filter((_, k) => k % waveNames.length === w || p(0.03)).map((a) => (p(0.05) ? ` ${a.toUpperCase()} ` : a));
    if (p(0.3)) list.push(`nobody${w}@contoso.com`);
    const csv = p(0.3) ? list.splice(0, Math.floor(list.length / 3)) : [];
    const phase = pick(PHASES);
    return {
      name,
      file: `waves/${name}.yaml`,
      profile: p(0.05) ? 'missing' : pick(['standard', 'standard', 'guests', 'lite']),
      phase,
      paused: p(0.15),
      emailRewrite: noise === 0 && p(0.7) ? 'none' : pick(['none', 'dayOne', 'dayTwo'] as const),
      inviteGuests: p(0.5),
      members: { users: list, groups: w === 0 && p(0.5) ? ['All Sales', 'No Such Group'] : [], csvUsers: csv },
      schedule: phase === 'cutover' && p(0.4) ? { cutoverAt: pick(['2026-07-01T00:00:00Z', '2026-05-01T00:00:00Z', '2026-06-01T12:30:00Z']) } : {},
      position: POS,
    };
  });
  const tenantBase = { cloud: 'global' as const, discovery: { schedule: '0 2 * * *', enabled: true }, position: POS };
  const tenants: Tenant[] = [
    { ...tenantBase, name: 'contoso', role: 'source', tenantId: 'contoso.onmicrosoft.com', auth: { clientId: 'c' } },
    ...(twoSources ? [{ ...tenantBase, name: 'litware', role: 'source' as const, tenantId: 'litware.onmicrosoft.com', auth: { clientId: 'l' } }] : []),
    { ...tenantBase, name: 'fabrikam', role: 'target', tenantId: 'fabrikam.onmicrosoft.com', auth: { clientId: 'f' } },
  ];
  const standard: Profile = {
    name: 'standard',
    createAs: 'member',
    license: { skus: noise === 0 || p(0.5) ? ['E1', 'E3'] : ['E3'] },
    workloads: p(0.5) ? ['mailbox', 'archive', 'onedrive'] : ['mailbox'],
    notification: { from: 'it@fabrikam.com', subject: 'Moved', bodyFile: 'notify.html' },
  };
  const project: Project = {
    name: `fuzz-${seed}`,
    dir: '/fuzz',
    files: [],
    tenants,
    domains: [
      { source: 'contoso.com', target: 'fabrikam.com' },
      ...(p(0.5) ? [{ source: 'contoso.org', target: 'fabrikam.com' }] : []),
    ],
    matching: [
      { source: 'mail', target: 'mail', mapDomain: true },
      ...(p(0.5) ? [{ source: 'employeeId', target: 'employeeId', mapDomain: false }] : []),
      ...(p(0.3) ? [{ source: 'proxyAddresses', target: 'proxyAddresses', mapDomain: true }] : []),
    ],
    attributes: [
      { target: 'userPrincipalName', from: 'userPrincipalName', transform: ['mapDomain', 'lower'] },
      { target: 'mail', from: 'mail', transform: ['mapDomain'] },
      { target: 'displayName', from: 'displayName', transform: n(0.3) ? ['trim', 'upper'] : [] },
      { target: 'jobTitle', template: '{jobTitle} ({department})', transform: [] },
      ...(n(0.5) ? [{ target: 'companyName', value: 'Fabrikam', transform: [] }] : []),
      ...(n(0.3) ? [{ target: 'department', from: 'department', transform: ['lower' as const] }] : []),
    ],
    profiles: {
      standard,
      lite: { name: 'lite', createAs: 'member', workloads: [] },
      guests: { name: 'guests', createAs: 'guest', license: { skus: ['E1'] }, workloads: ['mailbox'], guestInvite: { language: 'de', messageFile: 'invite.txt', redirectUrl: 'https://x' } },
    },
    groups: (noise === 0 ? p(0.3) : p(0.7))
      ? [
          { source: 'All Sales', target: 'Sales', create: p(0.5) },
          { source: 'All Sales', target: 'Missing Target', create: false },
        ]
      : [],
    ...(p(0.3) ? { emailRewrite: { dayOneGroup: 'Rewrite One', dayTwoGroup: 'Rewrite Two', dkimSelector: 't2t' } } : {}),
    certificates: {},
    safety: { maxDeletes: pick([0, 0, 5, 1000]), maxFailureRate: 0.2, exclude: p(0.5) ? [addresses[0]!, ' ' + (addresses[1] ?? '').toUpperCase()] : [] },
    prune: p(0.4),
    waves,
    position: POS,
  };
  const grp = (id: string, name: string, members: string[]): InventoryGroup => ({ id, displayName: name, mail: null, memberIds: members });
  const base = { discoveredAt: '2026-06-01T00:00:00Z', domains: [] };
  const lic = Math.floor(users / 4);
  const inv: Record<string, TenantInventory> = {
    contoso: {
      ...base,
      tenant: 'contoso',
      tenantId: 'contoso.onmicrosoft.com',
      users: srcUsers,
      recipients: srcRecipients,
      skus: [],
      content: new Map(Object.entries(content)),
      groups: [grp('g-sales', 'All Sales', salesMembers), grp('g-d1', 'T2T-Rewrite-DayOne', dayOneSource), grp('g-r1', 'Rewrite One', dayOneSource.slice(1))],
    },
    fabrikam: {
      ...base,
      tenant: 'fabrikam',
      tenantId: 'fabrikam.onmicrosoft.com',
      users: tgtUsers,
      recipients: tgtRecipients,
      skus: [
        { skuId: 'sku-e1', skuPartNumber: 'E1', enabled: lic, consumed: Math.floor(lic / 2) },
        { skuId: 'sku-e3', skuPartNumber: 'E3', enabled: lic, consumed: lic - 2 },
      ],
      content: new Map(),
      groups: p(0.6) ? [grp('tg-sales', 'Sales', salesTarget), grp('tg-d1', 'T2T-Rewrite-DayOne', dayOneTarget), grp('tg-r2', 'rewrite two', dayOneTarget.slice(2))] : [],
    },
  };
  if (twoSources) inv['litware'] = { ...base, tenant: 'litware', tenantId: 'litware.onmicrosoft.com', users: src2Users, recipients: [], skus: [], content: new Map(), groups: [] };
  if (p(0.05)) delete inv['fabrikam'];
  void all;
  return {
    project,
    inventory: { hash: `sha256:fuzz-${seed}`, tenants: inv },
    now: pick(['2026-06-01T12:00:00Z', '2026-08-01T00:00:00Z']),
    ...(p(0.15) ? { waveFilter: pick([...waveNames, 'nope']) } : {}),
    files: p(0.7) ? { 'notify.html': '<p>moved</p>', 'invite.txt': 'welcome' } : {},
    commit: p(0.5) ? '3e1f00000000000000000000000000000000beef' : null,
    ...(p(0.4) ? { deltaSyncWaves: waveNames.filter(() => p(0.5)) } : {}),
  };
}

/** The fuzz case of a seed as the planner's input. */
export function fuzzPlanInput(seed: number, users = 60): PlanInput {
  const f = generateFuzz(seed, users);
  return {
    project: f.project,
    inventory: f.inventory,
    revision: { commit: f.commit, dirty: false },
    now: f.now,
    files: f.files,
    ...(f.waveFilter !== undefined ? { waveFilter: f.waveFilter } : {}),
    ...(f.deltaSyncWaves ? { deltaSyncWaves: f.deltaSyncWaves } : {}),
  };
}

/** The same input with every tenant's users, groups and recipients in another order (a seeded
 *  shuffle): what the planner makes of it must not change, since the order a cache holds records in
 *  is not the tenants' data (compare.ts, test/plan/inventory-order.test.ts). */
export function reorderedInventory(input: PlanInput, seed: number): PlanInput {
  const random = rng(seed);
  const shuffled = <T>(list: readonly T[]): T[] => {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  const tenants: Record<string, TenantInventory> = {};
  for (const [name, t] of Object.entries(input.inventory.tenants)) {
    tenants[name] = { ...t, users: shuffled(t.users), groups: shuffled(t.groups), recipients: shuffled(t.recipients) };
  }
  return { ...input, inventory: { ...input.inventory, tenants } };
}
