// The example project (examples/contoso-fabrikam) copied to a temp directory, pointed at a test
// emulator serving the example's emulator.yaml, with generated rewrite certificates and a git
// repository, so apply's revision, records and guards all run for real.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import { makePfx } from '../helpers/pfx.js';
import { runCli, type CliResult } from '../helpers/cli.js';

export const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'contoso-fabrikam');

export const SECRETS = {
  CONTOSO_CLIENT_SECRET: 'dev-secret',
  FABRIKAM_CLIENT_SECRET: 'dev-secret',
  REWRITE_TLS_PASSWORD: 'tls-pfx-pass-9c1e',
  REWRITE_DKIM_PASSWORD: 'dkim-pfx-pass-4b7a',
};

/** The example's emulator config, smaller (no generated users) and with `limits: none` unless given. */
export function exampleEmulatorConfig(over: Record<string, unknown> = {}): Record<string, unknown> {
  const config = parse(readFileSync(join(EXAMPLE, 'emulator.yaml'), 'utf8')) as { tenants: Record<string, unknown>[] };
  for (const t of config.tenants) delete t['generate'];
  return { ...config, limits: 'none', ...over };
}

export function startExampleEmulator(over: Record<string, unknown> = {}, opts: { dataDir?: string } = {}): Promise<RunningEmulator> {
  return startEmulator(exampleEmulatorConfig(over), opts);
}

let certs: { tls: Buffer; dkim: Buffer } | undefined;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't2t test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't2t test', GIT_COMMITTER_EMAIL: 't@example.com' } });
}

export interface ExampleProject {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Set a wave's phase (and optionally other spec keys) and commit. */
  setWave(wave: string, fields: Record<string, string | boolean>): void;
  commit(message: string): string;
  git(...args: string[]): string;
  apply(...args: string[]): Promise<CliResult>;
  cli(...args: string[]): Promise<CliResult>;
  cleanup(): void;
}

export interface ExampleOptions {
  /** Profile workloads (default: none, so the content copy is not needed). */
  workloads?: string[];
  /** Phases by wave name, set before the first commit. */
  phases?: Record<string, string>;
}

export function exampleProject(emu: RunningEmulator, o: ExampleOptions = {}): ExampleProject {
  const root = mkdtempSync(join(tmpdir(), 't2t-apply-'));
  const dir = join(root, 'project');
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.endsWith('emulator.yaml') && !src.includes(`${EXAMPLE}/.t2t`) && !src.includes(`${EXAMPLE}/certs`) });
  let project = readFileSync(join(dir, 'project.yaml'), 'utf8');
  project = project.replace(/endpoint: https:\/\/127\.0\.0\.1:7365.*$/gm, `endpoint: ${emu.url}\n      caFile: ${emu.caFile}`);
  const workloads = `[${(o.workloads ?? []).join(', ')}]`;
  project = project.replace(/workloads: \[[^\]]*\]/g, `workloads: ${workloads}`);
  writeFileSync(join(dir, 'project.yaml'), project);
  certs ??= {
    tls: makePfx({ cn: 'fabrikam.com', sans: ['fabrikam.com', 'mail.fabrikam.com'], password: SECRETS.REWRITE_TLS_PASSWORD }),
    dkim: makePfx({ cn: 't2t dkim', password: SECRETS.REWRITE_DKIM_PASSWORD }),
  };
  mkdirSync(join(dir, 'certs'), { recursive: true });
  writeFileSync(join(dir, 'certs', 'rewrite-tls.pfx'), certs.tls);
  writeFileSync(join(dir, 'certs', 'rewrite-dkim.pfx'), certs.dkim);
  const setWave = (wave: string, fields: Record<string, string | boolean>) => {
    const file = join(dir, 'waves', `${wave}.yaml`);
    let text = readFileSync(file, 'utf8');
    for (const [k, v] of Object.entries(fields)) {
      const re = new RegExp(`^(  ${k}:) *[^#\\n]*`, 'm');
      text = re.test(text) ? text.replace(re, `$1 ${String(v)} `) : text.replace(/^spec:\n/m, `spec:\n  ${k}: ${String(v)}\n`);
    }
    writeFileSync(file, text);
  };
  for (const [w, p] of Object.entries(o.phases ?? {})) setWave(w, { phase: p });
  const env: NodeJS.ProcessEnv = { ...SECRETS, T2T_HOME: join(root, 'home') };
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'example project');
  const commit = (message: string) => {
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '--allow-empty', '-m', message);
    return git(dir, 'rev-parse', 'HEAD').trim();
  };
  return {
    dir,
    env,
    setWave: (w, f) => {
      setWave(w, f);
    },
    commit,
    git: (...args) => git(dir, ...args),
    apply: (...args) => runCli(['apply', dir, '--auto-approve', ...args], { env }),
    cli: (...args) => runCli([...args.slice(0, 1), dir, ...args.slice(1)], { env }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
