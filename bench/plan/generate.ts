// A synthetic project of N users (default 100,000) in 20 waves, with an inventory where a third of
// the users are not yet in the target, a third are prepared and a third synced: the plan touches
// every code path (creation, licence allocation, sync, no change) at scale. `settled: true` puts
// every user exactly at its wave's phase instead: the no-change plan (zero changes) of a project
// that apply has caught up with, the common case of a scheduled plan.
// Users carry discovery's core attributes, so the inventory has the size a real cache has.
import type { ContentSize, Inventory, InventoryRecipient, InventoryUser } from '../../engine/inventory/model.js';
import type { Phase, Project, Wave } from '../../engine/manifest/model.js';

const POS = { file: 'bench.yaml', line: 1, col: 1 };

export interface Synthetic {
  readonly project: Project;
  readonly inventory: Inventory;
}

export interface SyntheticOptions {
  readonly waves?: number;
  /** Every user exactly at its wave's declared phase: the plan has no change. */
  readonly settled?: boolean;
}

const PHASES: readonly Phase[] = ['prepared', 'synced'];

function attributes(i: number, jobTitle: string): Record<string, string | null> {
  return {
    companyName: 'Contoso',
    department: `D${i % 50}`,
    employeeId: `E${i}`,
    givenName: 'User',
    jobTitle,
    mailNickname: `user${i}`,
    surname: `${i}`,
  };
}

export function generateSynthetic(users = 100_000, options: SyntheticOptions = {}): Synthetic {
  const waves = options.waves ?? 20;
  const settled = options.settled === true;
  const srcUsers: InventoryUser[] = [];
  const srcRecipients: InventoryRecipient[] = [];
  const tgtUsers: InventoryUser[] = [];
  const tgtRecipients: InventoryRecipient[] = [];
  const content: Record<string, ContentSize> = {};
  const perWave = Math.ceil(users / waves);
  const waveUsers: string[][] = Array.from({ length: waves }, () => []);
  for (let i = 0; i < users; i++) {
    const addr = `user${i}@contoso.com`;
    const id = `s-${i}`;
    srcUsers.push({
      id,
      userPrincipalName: addr,
      mail: addr,
      proxyAddresses: [`SMTP:${addr}`],
      displayName: `User ${i}`,
      userType: 'Member',
      accountEnabled: true,
      usageLocation: 'US',
      externalUserState: null,
      assignedSkuIds: [],
      attributes: attributes(i, 'Engineer'),
    });
    srcRecipients.push({
      identity: `mbx-${i}`,
      type: 'UserMailbox',
      userId: id,
      name: `User ${i}`,
      alias: `user${i}`,
      primarySmtpAddress: addr,
      emailAddresses: [`SMTP:${addr}`],
      externalEmailAddress: null,
      legacyExchangeDN: `/o=ExchangeLabs/cn=Recipients/cn=${id}`,
      hiddenFromAddressListsEnabled: false,
      forwardingSmtpAddress: null,
      deliverToMailboxAndForward: false,
      exchangeGuid: `g-${i}`,
      archiveGuid: null,
      customAttribute15: null,
    });
    content[id] = { mailboxItems: 1000, mailboxBytes: 50_000_000 + (i % 100) * 1_000_000, archiveItems: 0, archiveBytes: 0, driveItems: 0, driveBytes: 0 };
    const w = Math.floor(i / perWave);
    waveUsers[w]!.push(addr);
    // 0: not in the target, 1: prepared, 2: synced; settled: the wave's phase
    const state = settled ? PHASES[w % 2] === 'synced' ? 2 : 1 : i % 3;
    if (state === 0) continue;
    const taddr = `user${i}@fabrikam.com`;
    const tid = `t-${i}`;
    tgtUsers.push({
      id: tid,
      userPrincipalName: taddr,
      mail: taddr,
      proxyAddresses: [`SMTP:${taddr}`],
      displayName: `User ${i}`,
      userType: 'Member',
      accountEnabled: true,
      usageLocation: 'US',
      externalUserState: null,
      assignedSkuIds: state === 2 ? ['sku-e1'] : [],
      attributes: { ...attributes(i, settled ? `Engineer (D${i % 50})` : 'Engineer'), companyName: 'Fabrikam' },
      marker: {
        sourceTenant: 'contoso',
        sourceUserId: id,
        wave: `wave-${w}`,
        phase: state === 2 ? 'synced' : 'prepared',
        createdByT2t: true,
        ...(state === 2 ? { sync: { mailbox: { initialDoneAt: '2026-05-01T00:00:00Z', items: 1000, bytes: 50_000_000 } } } : {}),
      },
    });
    tgtRecipients.push({
      identity: `r-${i}`,
      type: state === 2 ? 'UserMailbox' : 'MailUser',
      userId: tid,
      name: `User ${i}`,
      alias: `user${i}`,
      primarySmtpAddress: taddr,
      emailAddresses: [`SMTP:${taddr}`],
      externalEmailAddress: state === 2 ? null : `SMTP:${addr}`,
      legacyExchangeDN: `/o=ExchangeLabs/cn=Recipients/cn=${tid}`,
      hiddenFromAddressListsEnabled: true,
      forwardingSmtpAddress: state === 2 ? `smtp:${addr}` : null,
      deliverToMailboxAndForward: false,
      exchangeGuid: null,
      archiveGuid: null,
      customAttribute15: null,
    });
    tgtRecipients.push({
      identity: `c-${i}`,
      type: 'MailContact',
      userId: null,
      name: `User ${i}`,
      alias: null,
      primarySmtpAddress: addr,
      emailAddresses: [`SMTP:${addr}`],
      externalEmailAddress: `SMTP:${addr}`,
      legacyExchangeDN: `/o=ExchangeLabs/cn=Recipients/cn=c-${i}`,
      hiddenFromAddressListsEnabled: false,
      forwardingSmtpAddress: null,
      deliverToMailboxAndForward: false,
      exchangeGuid: null,
      archiveGuid: null,
      customAttribute15: `t2t:${id}`,
    });
  }
  return { project: syntheticProject(waveUsers), inventory: syntheticInventory(users, srcUsers, srcRecipients, content, tgtUsers, tgtRecipients) };
}

/** The project alone (a process that loads the inventory from a cache needs no generated one). */
export function generateSyntheticProject(users = 100_000, options: SyntheticOptions = {}): Project {
  const waves = options.waves ?? 20;
  const perWave = Math.ceil(users / waves);
  const waveUsers: string[][] = Array.from({ length: waves }, () => []);
  for (let i = 0; i < users; i++) waveUsers[Math.floor(i / perWave)]!.push(`user${i}@contoso.com`);
  return syntheticProject(waveUsers);
}

function syntheticProject(waveUsers: readonly string[][]): Project {
  const waveList: Wave[] = waveUsers.map((list, w) => ({
    name: `wave-${w}`,
    file: `waves/wave-${w}.yaml`,
    profile: 'standard',
    phase: PHASES[w % 2]!,
    paused: false,
    emailRewrite: 'none',
    inviteGuests: false,
    members: { users: list, groups: [], csvUsers: [] },
    schedule: {},
    position: POS,
  }));
  const tenantBase = { cloud: 'global' as const, discovery: { schedule: '0 2 * * *', enabled: true }, position: POS };
  return {
    name: 'bench',
    dir: '/bench',
    files: [],
    tenants: [
      { ...tenantBase, name: 'contoso', role: 'source', tenantId: 'contoso.onmicrosoft.com', auth: { clientId: 'c', clientSecret: { fromEnv: 'X' } } },
      { ...tenantBase, name: 'fabrikam', role: 'target', tenantId: 'fabrikam.onmicrosoft.com', auth: { clientId: 'f', clientSecret: { fromEnv: 'Y' } } },
    ],
    domains: [{ source: 'contoso.com', target: 'fabrikam.com' }],
    matching: [
      { source: 'mail', target: 'mail', mapDomain: true },
      { source: 'employeeId', target: 'employeeId', mapDomain: false },
    ],
    attributes: [
      { target: 'userPrincipalName', from: 'userPrincipalName', transform: ['mapDomain', 'lower'] },
      { target: 'mail', from: 'mail', transform: ['mapDomain'] },
      { target: 'displayName', from: 'displayName', transform: [] },
      { target: 'jobTitle', template: '{jobTitle} ({department})', transform: [] },
    ],
    profiles: { standard: { name: 'standard', createAs: 'member', license: { skus: ['E1', 'E3'] }, workloads: ['mailbox'] } },
    groups: [],
    certificates: {},
    safety: { maxDeletes: 0, maxFailureRate: 0.2, exclude: [] },
    prune: false,
    waves: waveList,
    position: POS,
  };
}

function syntheticInventory(
  users: number,
  srcUsers: InventoryUser[],
  srcRecipients: InventoryRecipient[],
  content: Record<string, ContentSize>,
  tgtUsers: InventoryUser[],
  tgtRecipients: InventoryRecipient[],
): Inventory {
  const base = { discoveredAt: '2026-06-01T00:00:00Z', groups: [], domains: [] };
  return {
    hash: 'sha256:bench',
    tenants: {
      contoso: { ...base, tenant: 'contoso', tenantId: 'contoso.onmicrosoft.com', users: srcUsers, recipients: srcRecipients, skus: [], content: new Map(Object.entries(content)) },
      fabrikam: {
        ...base,
        tenant: 'fabrikam',
        tenantId: 'fabrikam.onmicrosoft.com',
        users: tgtUsers,
        recipients: tgtRecipients,
        skus: [
          { skuId: 'sku-e1', skuPartNumber: 'E1', enabled: Math.floor(users / 2), consumed: Math.floor(users / 3) },
          { skuId: 'sku-e3', skuPartNumber: 'E3', enabled: users, consumed: 0 },
        ],
        content: new Map(),
      },
    },
  };
}
