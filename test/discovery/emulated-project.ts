// A small project directory pointing at a running emulator, for discovery's integration tests.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_APPS, type RunningEmulator } from '../helpers/emulator.js';

export const SECRET_ENV = { CONTOSO_SECRET: 'dev-secret', FABRIKAM_SECRET: 'dev-secret' };

export interface ProjectOptions {
  /** Wave members: addresses and source group names. */
  users?: string[];
  groups?: string[];
  /** discovery.deltaTimestamp of contoso. */
  deltaTimestamp?: string;
}

/** One tenant of a Project manifest's spec.tenants, signing in to the emulator's app for it with
 *  the secret in the environment variable `secretEnv`; `extra` is more YAML at the same depth. */
export function emulatedTenantYaml(emu: RunningEmulator, name: string, role: string, secretEnv: string, extra = ''): string {
  return `    ${name}:
      role: ${role}
      tenantId: ${name}.onmicrosoft.com
      cloud: emulator
      endpoint: ${emu.url}
      caFile: ${emu.caFile}
      auth:
        clientId: ${TEST_APPS[name]!.clientId}
        clientSecret: { fromEnv: ${secretEnv} }
${extra}`;
}

export function writeProject(emu: RunningEmulator, o: ProjectOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 't2t-discover-'));
  const tenant = (name: string, role: string, env: string, extra = '') => emulatedTenantYaml(emu, name, role, env, extra);
  const ts = o.deltaTimestamp ? `      discovery:\n        deltaTimestamp: ${o.deltaTimestamp}\n` : '';
  writeFileSync(
    join(dir, 'project.yaml'),
    `apiVersion: t2t.dev/v1
kind: Project
metadata:
  name: discovery-test
spec:
  tenants:
${tenant('contoso', 'source', 'CONTOSO_SECRET', ts)}${tenant('fabrikam', 'target', 'FABRIKAM_SECRET')}  domains:
    - { source: contoso.com, target: fabrikam.com }
  matching:
    - { source: mail, target: mail, mapDomain: true }
    - { source: employeeId, target: employeeId }
  attributes:
    - { target: displayName, from: displayName }
    - { target: jobTitle, template: "{jobTitle} ({officeLocation})" }
  profiles:
    standard:
      createAs: member
      workloads: [mailbox, archive, onedrive]
`,
  );
  mkdirSync(join(dir, 'waves'));
  const list = (xs: string[]) => `[${xs.join(', ')}]`;
  writeFileSync(
    join(dir, 'waves', 'wave-01.yaml'),
    `apiVersion: t2t.dev/v1
kind: Wave
metadata:
  name: wave-01
spec:
  profile: standard
  phase: discovered
  members:
    users: ${list(o.users ?? [])}
    groups: ${list(o.groups ?? [])}
`,
  );
  return dir;
}
