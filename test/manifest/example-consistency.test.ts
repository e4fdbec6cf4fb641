// The example project and its emulator config must agree, or `npm run demo` fails far from the
// cause: same tenants and clientIds, every wave member seeded, addresses lower-case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadProject } from '../../engine/manifest/load-project.js';
import { EXAMPLE } from './helpers.js';

interface EmulatorTenant {
  name: string;
  tenantId: string;
  domains: string[];
  apps: { clientId: string; clientSecret: string }[];
  users?: { userPrincipalName: string; mail?: string }[];
  groups?: { displayName: string; members: string[] }[];
}

test('emulator.yaml seeds the tenants, apps and users the example project names', async () => {
  const project = (await loadProject(EXAMPLE)).project!;
  const config = parse(readFileSync(join(EXAMPLE, 'emulator.yaml'), 'utf8')) as { tenants: EmulatorTenant[] };
  for (const t of project.tenants) {
    const e = config.tenants.find((x) => x.name === t.name);
    assert.ok(e, `tenant ${t.name} is not in emulator.yaml`);
    assert.is(e!.tenantId, t.tenantId);
    assert.ok(e!.apps.some((a) => a.clientId === t.auth.clientId), `no app ${t.auth.clientId} in ${t.name}`);
  }
  const source = config.tenants.find((x) => x.name === 'contoso')!;
  const seeded = new Set(source.users!.map((u) => u.userPrincipalName));
  for (const w of project.waves) {
    for (const u of [...w.members.users, ...w.members.csvUsers]) assert.ok(seeded.has(u), `${u} of ${w.name} is not seeded`);
    for (const g of w.members.groups) assert.ok(source.groups!.some((x) => x.displayName === g), `group ${g} of ${w.name} is not seeded`);
  }
  for (const d of project.domains) {
    assert.ok(source.domains.includes(d.source));
    assert.ok(config.tenants.find((x) => x.name === 'fabrikam')!.domains.includes(d.target));
  }
  const text = readFileSync(join(EXAMPLE, 'emulator.yaml'), 'utf8');
  for (const m of text.matchAll(/[\w.+-]+@[\w.-]+/g)) assert.is(m[0], m[0].toLowerCase(), `${m[0]} is not lower-case`);
});

test.run();
