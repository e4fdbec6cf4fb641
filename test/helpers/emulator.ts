// Start the real emulator program (dist/emulator/main.js) on a free loopback port for a test, and
// stop it afterwards. Each emulator gets its own temporary data directory (CA included) unless the
// test passes one (to restart on the same data).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export interface RunningEmulator {
  url: string;
  caFile: string;
  dataDir: string;
  configFile: string;
  /** The child process (tests of signals and exit codes use it). */
  child: ChildProcess;
  /** Everything the emulator wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

export const MAIN_JS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'emulator', 'main.js');

export const ALL_ROLES = [
  'User.ReadWrite.All',
  'Group.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'Directory.ReadWrite.All',
  'User.Invite.All',
  'Organization.Read.All',
  'Domain.Read.All',
  'LicenseAssignment.ReadWrite.All',
  'Mail.ReadWrite',
  'Mail.Send',
  'MailboxSettings.ReadWrite',
  'MailboxItem.ImportExport.All',
  'Files.ReadWrite.All',
  'Sites.ReadWrite.All',
  'Exchange.ManageAsApp',
];

export const TEST_APPS: Record<string, { clientId: string; clientSecret: string }> = {
  contoso: { clientId: '3f1c2d4e-0000-4000-8000-000000000001', clientSecret: 'dev-secret' },
  fabrikam: { clientId: '3f1c2d4e-0000-4000-8000-000000000002', clientSecret: 'dev-secret' },
};

type Obj = Record<string, unknown>;

/** Two small tenants, contoso (contoso.com) and fabrikam (fabrikam.com), one app each with every
 *  role and secret `dev-secret`, licences, `limits: none`, no faults, no generation. Top-level keys
 *  of `overrides` replace the defaults (e.g. {limits: {...}, faults: {...}}). */
export function testConfig(overrides: Obj = {}): Obj {
  const tenant = (name: string) => ({
    name,
    tenantId: `${name}.onmicrosoft.com`,
    domains: [`${name}.com`],
    apps: [{ ...TEST_APPS[name], roles: [...ALL_ROLES] }],
    licenses: [
      { sku: 'EXCHANGESTANDARD', units: 50 },
      { sku: 'SPE_E3', units: 25 },
    ],
  });
  return { tenants: [tenant('contoso'), tenant('fabrikam')], limits: 'none', ...overrides };
}

const running = new Set<ChildProcess>();

// Key material (CA, server certificate, token key) of the first emulator this process started:
// later emulators get a copy in their fresh data directory instead of generating RSA keys again.
const KEY_FILES = ['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem', 'token-signing-key.pem'];
let keyCache: Map<string, Buffer> | undefined;

function seedKeys(dataDir: string): void {
  if (!keyCache || existsSync(join(dataDir, 'ca.pem'))) return;
  mkdirSync(dataDir, { recursive: true });
  for (const [name, content] of keyCache) writeFileSync(join(dataDir, name), content, { mode: 0o600 });
}

function rememberKeys(dataDir: string): void {
  if (keyCache) return;
  try {
    keyCache = new Map(KEY_FILES.map((f) => [f, readFileSync(join(dataDir, f))]));
  } catch {
    keyCache = undefined;
  }
}
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export async function startEmulator(config: object, opts: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunningEmulator> {
  const work = mkdtempSync(join(tmpdir(), 't2t-emu-'));
  const dataDir = opts.dataDir ?? join(work, 'data');
  const configFile = join(work, 'emulator.yaml');
  writeFileSync(configFile, stringify(config));
  seedKeys(dataDir);
  const child = spawn(process.execPath, [MAIN_JS, '--config', configFile, '--port', '0', '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, T2T_HOME: join(work, 'home'), ...opts.env },
  });
  running.add(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const lines = await new Promise<string[]>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      const l = out.split('\n');
      if (l.length > 2) {
        child.stdout!.off('data', onData);
        resolve(l);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the emulator exited with code ${code} before listening:\n${err}`)));
  });
  const url = /listening on (https:\/\/\S+)/.exec(lines[0]!)?.[1];
  const caFile = /CA: (.+)$/.exec(lines[1]!)?.[1];
  if (!url || !caFile) throw new Error(`unexpected emulator output: ${lines.join('\n')}`);
  child.stdout!.resume();
  rememberKeys(dataDir);
  let stopped = false;
  return {
    url,
    caFile,
    dataDir,
    configFile,
    child,
    stderr: () => err,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      running.delete(child);
      // The caller's data directory is the caller's; ours goes away.
      rmSync(opts.dataDir ? configFile : work, { recursive: true, force: true });
      if (opts.dataDir) rmSync(work, { recursive: true, force: true });
    },
  };
}
