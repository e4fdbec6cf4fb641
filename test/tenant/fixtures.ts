// Tenants and projects for engine/tenant tests, pointed at a running emulator (or a fake server:
// anything with a url and a CA file).
import type { Tenant } from '../../engine/manifest/model.js';
import { TEST_APPS, type RunningEmulator } from '../helpers/emulator.js';

export function emulatorTenant(emu: Pick<RunningEmulator, 'url' | 'caFile'>, name: 'contoso' | 'fabrikam', overrides: Partial<Tenant> = {}): Tenant {
  return {
    name,
    role: name === 'contoso' ? 'source' : 'target',
    tenantId: `${name}.onmicrosoft.com`,
    cloud: 'emulator',
    endpoint: emu.url,
    caFile: emu.caFile,
    auth: { clientId: TEST_APPS[name]!.clientId, clientSecret: { fromEnv: `${name.toUpperCase()}_CLIENT_SECRET` } },
    discovery: { schedule: '0 2 * * *', enabled: true },
    position: { file: 'project.yaml', line: 1, col: 1 },
    ...overrides,
  };
}

/** Environment with both test apps' secrets. */
export function secretsEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { CONTOSO_CLIENT_SECRET: TEST_APPS.contoso!.clientSecret, FABRIKAM_CLIENT_SECRET: TEST_APPS.fabrikam!.clientSecret, ...extra };
}
