// A typed Project built in code, for unit tests of discovery's pure parts.
import type { Project, Tenant, Wave } from '../../engine/manifest/model.js';

const pos = { file: 'project.yaml', line: 1, col: 1 };

export function tenant(name: string, role: 'source' | 'target', extra: Partial<Tenant> = {}): Tenant {
  return {
    name,
    role,
    tenantId: `${name}.onmicrosoft.com`,
    cloud: 'emulator',
    endpoint: 'https://127.0.0.1:1',
    auth: { clientId: '00000000-0000-4000-8000-000000000001', clientSecret: { fromEnv: 'X' } },
    discovery: { schedule: '0 2 * * *', enabled: true },
    position: pos,
    ...extra,
  };
}

export function wave(name: string, users: string[], groups: string[] = []): Wave {
  return {
    name,
    file: `waves/${name}.yaml`,
    profile: 'standard',
    phase: 'discovered',
    paused: false,
    emailRewrite: 'none',
    inviteGuests: false,
    members: { users, groups, csvUsers: [] },
    schedule: {},
    position: pos,
  };
}

export function projectFixture(extra: Partial<Project> = {}): Project {
  return {
    name: 'p',
    dir: '/tmp/p',
    files: ['project.yaml'],
    tenants: [tenant('contoso', 'source'), tenant('fabrikam', 'target')],
    domains: [{ source: 'contoso.com', target: 'fabrikam.com' }],
    matching: [
      { source: 'mail', target: 'mail', mapDomain: true },
      { source: 'employeeId', target: 'employeeId', mapDomain: false },
    ],
    attributes: [
      { target: 'displayName', from: 'displayName', transform: [] },
      { target: 'jobTitle', template: '{jobTitle} ({department}) {officeLocation}', transform: [] },
    ],
    profiles: { standard: { name: 'standard', createAs: 'member', workloads: ['mailbox', 'archive', 'onedrive'] } },
    groups: [],
    certificates: {},
    safety: { maxDeletes: 0, maxFailureRate: 0.2, exclude: [] },
    prune: false,
    waves: [],
    position: pos,
    ...extra,
  };
}
