// Fixture trees built inline in a temp dir (after changesets' testdir), and the shared paths.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packageRoot } from '../../engine/util/package-root.js';

export const FIXTURES = join(packageRoot(), 'test', 'fixtures');
export const EXAMPLE = join(packageRoot(), 'examples', 'contoso-fabrikam');

const created: string[] = [];

export function testdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 't2t-manifest-'));
  created.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** A copy of a directory (e.g. the example without generated certs), removed by cleanup(). */
export function copyDir(src: string, omit: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 't2t-manifest-'));
  created.push(dir);
  cpSync(src, dir, { recursive: true });
  for (const o of omit) rmSync(join(dir, o), { recursive: true, force: true });
  return dir;
}

export function cleanup(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export const PROJECT = `apiVersion: t2t.dev/v1
kind: Project
metadata:
  name: inline
spec:
  tenants:
    src:
      role: source
      tenantId: src.onmicrosoft.com
      auth:
        clientId: 00000000-0000-4000-8000-000000000001
        clientSecret: { fromEnv: SRC_SECRET }
    dst:
      role: target
      tenantId: dst.onmicrosoft.com
      auth:
        clientId: 00000000-0000-4000-8000-000000000002
        clientSecret: { fromEnv: DST_SECRET }
  domains:
    - { source: src.com, target: dst.com }
  profiles:
    standard: {}
`;

export function wave(name: string, members: string, extra = ''): string {
  return `apiVersion: t2t.dev/v1
kind: Wave
metadata:
  name: ${name}
spec:
  profile: standard
  phase: prepared
${extra}  members:
${members}`;
}
