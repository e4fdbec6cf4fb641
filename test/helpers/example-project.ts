// The example project (examples/contoso-fabrikam) against a test emulator: the emulator is started
// from the example's own emulator.yaml, and a temporary copy of the project is pointed at it
// (endpoint and caFile rewritten) and committed to a fresh git repository, as a user's repo would be.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startEmulator, type RunningEmulator } from './emulator.js';

export const EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'contoso-fabrikam');

/** The secrets the example reads from the environment (the emulator config's dev secrets). */
export const EXAMPLE_ENV = { CONTOSO_CLIENT_SECRET: 'dev-secret', FABRIKAM_CLIENT_SECRET: 'dev-secret' };

/** Start an emulator seeded from the example's emulator.yaml; `overrides` replace top-level keys
 *  (limits, faults). */
export async function startExampleEmulator(overrides: Record<string, unknown> = {}): Promise<RunningEmulator> {
  const config = parse(readFileSync(join(EXAMPLE_DIR, 'emulator.yaml'), 'utf8')) as Record<string, unknown>;
  return startEmulator({ ...config, ...overrides });
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
};

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' });
}

/** A committed copy of the example project pointing at `emu`; returns its directory. */
export function copyExample(emu: RunningEmulator): string {
  const dir = mkdtempSync(join(tmpdir(), 't2t-example-'));
  cpSync(EXAMPLE_DIR, dir, { recursive: true });
  const path = join(dir, 'project.yaml');
  const text = readFileSync(path, 'utf8').replace(
    /^(\s+)endpoint: https:\/\/127\.0\.0\.1:7365.*$/gm,
    (_m, indent: string) => `${indent}endpoint: ${emu.url}\n${indent}caFile: ${emu.caFile}`,
  );
  writeFileSync(path, text);
  writeFileSync(join(dir, '.gitignore'), '.t2t/\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Example project');
  return dir;
}

/** Rewrite one wave file's `phase:` (and optionally `paused:`), then commit with `message`. */
export function setWavePhase(dir: string, wave: string, phase: string, message = `Move ${wave} to ${phase}`): void {
  const path = join(dir, 'waves', `${wave}.yaml`);
  writeFileSync(path, readFileSync(path, 'utf8').replace(/^(\s+phase:\s*)\S+/m, `$1${phase}`));
  git(dir, 'commit', '-q', '-am', message);
}
