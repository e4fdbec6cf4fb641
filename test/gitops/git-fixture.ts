// Real git repositories in temp dirs, with a fixed author, committer and clock so commits are
// reproducible. Every git call goes through execFileSync with a clean environment (no GIT_DIR
// leaking from a hook, no global config of the machine running the tests).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface GitFixture {
  /** Real path of the temp root (cleaned by cleanup()). */
  root: string;
  cleanup(): void;
}

export function tempRoot(prefix = 't2t-gitops-'): GitFixture {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

let tick = 0;

export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Ann Admin',
    GIT_AUTHOR_EMAIL: 'ann@example.com',
    GIT_COMMITTER_NAME: 'Ann Admin',
    GIT_COMMITTER_EMAIL: 'ann@example.com',
    ...extra,
  };
}

export function git(cwd: string, args: string[], extra: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd, env: gitEnv(extra), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function initRepo(dir: string): void {
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  git(dir, ['config', 'user.name', 'Ann Admin']);
  git(dir, ['config', 'user.email', 'ann@example.com']);
  git(dir, ['config', 'commit.gpgsign', 'false']);
}

export function write(dir: string, path: string, text: string): void {
  const file = join(dir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Commits everything under `dir` with a fixed, increasing date; returns the sha. */
export function commitAll(dir: string, message: string, author?: { name: string; email: string }): string {
  tick++;
  const date = new Date(Date.UTC(2026, 0, 1, 9, 0, 0) + tick * 3600_000).toISOString();
  git(dir, ['add', '-A']);
  const who: Record<string, string> = author ? { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email } : {};
  git(dir, ['commit', '--quiet', '--allow-empty', '-m', message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, ...who });
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

export function waveYaml(name: string, spec: { phase: string; paused?: boolean; emailRewrite?: string; users?: string[]; csv?: string; cutoverAt?: string }): string {
  const lines = ['apiVersion: t2t.dev/v1', 'kind: Wave', 'metadata:', `  name: ${name}`, 'spec:', '  profile: standard', `  phase: ${spec.phase}`];
  if (spec.paused !== undefined) lines.push(`  paused: ${spec.paused}`);
  if (spec.emailRewrite) lines.push(`  emailRewrite: ${spec.emailRewrite}`);
  lines.push('  members:');
  if (spec.users) lines.push(`    users: [${spec.users.join(', ')}]`);
  if (spec.csv) lines.push(`    csv: ${spec.csv}`);
  if (spec.cutoverAt) lines.push('  schedule:', `    cutoverAt: ${spec.cutoverAt}`);
  return lines.join('\n') + '\n';
}

export const PROJECT_YAML = `apiVersion: t2t.dev/v1
kind: Project
metadata:
  name: demo
spec:
  tenants: {}
`;
