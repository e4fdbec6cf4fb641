// A throwaway copy of an example project, as a user's own GitOps repository would hold it: copied
// into a directory, pointed at an emulator (each `endpoint:` rewritten, a `caFile:` added), its
// certificates generated (nothing with a private key is ever committed to the example), and
// committed to a fresh git repository. Used by `t2t demo`; tests may use it too.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { UserError } from '../errors.js';
import { writeSelfSignedCertificates } from '../certs/generate-project.js';
import { loadProject } from '../manifest/load-project.js';
import type { Project } from '../manifest/model.js';

const run = promisify(execFile);

/** The identity of the demo's commits: a fresh machine may have no git user configured. */
export const DEMO_GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 't2t demo',
  GIT_AUTHOR_EMAIL: 'demo@t2t.invalid',
  GIT_COMMITTER_NAME: 't2t demo',
  GIT_COMMITTER_EMAIL: 'demo@t2t.invalid',
};

/** Runs git in `dir` with the demo identity and no user or system config that could prompt, sign
 *  or page. Returns stdout. */
export async function git(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('GIT_')) clean[k] = v;
  try {
    const { stdout } = await run('git', ['-c', 'commit.gpgsign=false', '-c', 'core.pager=cat', '-c', 'init.defaultBranch=main', ...args], {
      cwd: dir,
      env: { ...clean, ...DEMO_GIT_IDENTITY, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new UserError('git is not installed (or not on PATH)', 'demo.noGit', 'install git: the demo keeps the example project in a git repository, as t2t expects');
    const first = (err.stderr ?? err.message).split('\n').find((l) => l.trim()) ?? 'git failed';
    throw new UserError(`git ${args[0]} failed in ${dir}: ${first.trim()}`, 'demo.gitFailed', 'check that git works in a temporary directory (git init, git commit)');
  }
}

/** Point every `endpoint:` of project.yaml at `url` and trust `caFile` (absolute path) there. */
export function pointAtEmulator(projectYaml: string, url: string, caFile: string): string {
  return projectYaml
    .replace(/^[ \t]+caFile:.*\n/gm, '')
    .replace(/^([ \t]+)endpoint:[ \t]*\S+.*$/gm, (_m, indent: string) => `${indent}endpoint: ${url}   # the demo's emulator\n${indent}caFile: ${caFile}`);
}

/**
 * The environment variables that hold the tenants' client secrets (`clientSecret: {fromEnv}`),
 * filled from the emulator config's dev secrets: the app with the same clientId in the tenant
 * with the same tenantId (or name). Never printed.
 */
export function emulatorSecrets(project: Project, emulatorConfig: string): Record<string, string> {
  const config = parse(emulatorConfig) as { tenants?: { name?: string; tenantId?: string; apps?: { clientId?: string; clientSecret?: string }[] }[] } | null;
  const env: Record<string, string> = {};
  for (const t of project.tenants) {
    const ref = t.auth.clientSecret;
    if (!ref || !('fromEnv' in ref)) continue;
    const et = config?.tenants?.find((e) => e.tenantId?.toLowerCase() === t.tenantId.toLowerCase()) ?? config?.tenants?.find((e) => e.name === t.name);
    const app = et?.apps?.find((a) => a.clientId?.toLowerCase() === t.auth.clientId.toLowerCase());
    if (typeof app?.clientSecret === 'string') env[ref.fromEnv] = app.clientSecret;
  }
  return env;
}

/**
 * Generates every certificate of `certificates` in the demo's copy of the project, over any PFX
 * file copied with it (engine/certs). The password is read from the certificate's
 * `passwordFromEnv` when `env` sets it, else a random one is made; the returned variables are what
 * later commands need in their environment. Never printed.
 */
export function generateCertificates(project: Project, env: NodeJS.ProcessEnv): { env: Record<string, string>; files: string[] } {
  const out: Record<string, string> = {};
  const files = writeSelfSignedCertificates(project, Object.values(project.certificates), (ref) => {
    if (!ref.passwordFromEnv) return '';
    const password = env[ref.passwordFromEnv] || out[ref.passwordFromEnv] || randomBytes(18).toString('base64url');
    out[ref.passwordFromEnv] = password;
    return password;
  }, { overwrite: true });
  return { env: out, files };
}

/**
 * For `t2t demo --keep`: the variables a command run later in the kept project needs, by name
 * only (never their values): the client secrets (the emulator apps' in emulator.yaml) and the PFX
 * passwords, which are random for this run unless the caller's environment chose them.
 */
export function keptProjectVariables(project: Project, callerEnv: NodeJS.ProcessEnv): string {
  const secrets = project.tenants.flatMap((t) => (t.auth.clientSecret && 'fromEnv' in t.auth.clientSecret ? [t.auth.clientSecret.fromEnv] : []));
  const passwords = [...new Set(Object.values(project.certificates).flatMap((c) => (c.passwordFromEnv ? [c.passwordFromEnv] : [])))];
  const random = passwords.filter((v) => !callerEnv[v]);
  const parts: string[] = [];
  if (secrets.length) parts.push(`${secrets.join(', ')} (the apps' clientSecret in emulator.yaml)`);
  if (random.length) parts.push(`${random.join(', ')} (made at random for this run: set ${random.length > 1 ? 'them' : 'it'} before 't2t demo --keep' to choose)`);
  const chosen = passwords.filter((v) => callerEnv[v]);
  if (chosen.length) parts.push(`${chosen.join(', ')} (as you set ${chosen.length > 1 ? 'them' : 'it'})`);
  return parts.length ? `  to run t2t there, with its emulator running: export ${parts.join('; ')}` : '';
}

export interface PreparedWorkspace {
  /** The project directory (a git repository with one commit). */
  readonly dir: string;
  /** Variables the commands need: client secrets and certificate passwords. Never print them. */
  readonly env: Record<string, string>;
  /** The loaded project (as committed). */
  readonly project: Project;
}

export interface PrepareOptions {
  /** The example project to copy (holds project.yaml and, for the secrets, emulator.yaml). */
  exampleDir: string;
  /** Where to put the copy: created, must not exist or be empty. */
  dir: string;
  emulator: { url: string; caFile: string };
  /** The caller's environment (certificate passwords already set there are used). */
  env: NodeJS.ProcessEnv;
  /** Rewrites of wave files before the first commit, e.g. to start every wave at `discovered`. */
  waves?: Record<string, WaveEdit>;
  /** Message of the first commit. */
  message?: string;
}

export async function prepareWorkspace(o: PrepareOptions): Promise<PreparedWorkspace> {
  mkdirSync(o.dir, { recursive: true });
  cpSync(o.exampleDir, o.dir, { recursive: true, filter: (src) => !/[\\/]\.t2t([\\/]|$)/.test(src) });
  const projectFile = join(o.dir, 'project.yaml');
  writeFileSync(projectFile, pointAtEmulator(readFileSync(projectFile, 'utf8'), o.emulator.url, o.emulator.caFile));
  for (const [wave, edit] of Object.entries(o.waves ?? {})) editWave(o.dir, wave, edit);
  writeFileSync(join(o.dir, '.gitignore'), '.t2t/\ncerts/\n');
  const loaded = await loadProject(o.dir);
  if (!loaded.project) {
    const first = loaded.diagnostics.find((d) => d.severity === 'error');
    throw new UserError(`the example project in ${o.exampleDir} is not valid: ${first?.message ?? 'unknown error'}`, 'demo.exampleInvalid', `run 't2t validate ${o.exampleDir}'`);
  }
  const certs = generateCertificates(loaded.project, o.env);
  let secrets: Record<string, string> = {};
  try {
    secrets = emulatorSecrets(loaded.project, readFileSync(join(o.exampleDir, 'emulator.yaml'), 'utf8'));
  } catch {
    // no emulator config next to the project: the caller's environment must hold the secrets
  }
  await git(o.dir, ['init', '-q']);
  await git(o.dir, ['add', '-A']);
  await git(o.dir, ['commit', '-q', '-m', o.message ?? 'Example project']);
  return { dir: o.dir, env: { ...secrets, ...certs.env }, project: loaded.project };
}

export interface WaveEdit {
  phase?: string;
  paused?: boolean;
}

/** Set `phase:` and/or `paused:` in waves/<wave>.yaml (adding `paused:` under `phase:` when the
 *  file has none), keeping every other line and comment. Returns the old values. */
export function editWave(dir: string, wave: string, edit: WaveEdit): { phase?: string; paused?: boolean } {
  const path = join(dir, 'waves', `${wave}.yaml`);
  let text = readFileSync(path, 'utf8');
  const before = { phase: /^[ \t]+phase:[ \t]*(\S+)/m.exec(text)?.[1], paused: /^[ \t]+paused:[ \t]*true\b/m.test(text) };
  if (!before.phase) throw new UserError(`waves/${wave}.yaml has no 'phase:' line`, 'demo.waveFormat', 'the demo edits the wave files of the example project');
  if (edit.phase !== undefined) text = text.replace(/^([ \t]+phase:[ \t]*)\S+/m, `$1${edit.phase}`);
  if (edit.paused !== undefined) {
    if (/^[ \t]+paused:/m.test(text)) text = text.replace(/^([ \t]+paused:[ \t]*)\S+/m, `$1${edit.paused}`);
    else text = text.replace(/^([ \t]+)(phase:.*)$/m, `$1$2\n$1paused: ${edit.paused}`);
  }
  writeFileSync(path, text);
  return before;
}
