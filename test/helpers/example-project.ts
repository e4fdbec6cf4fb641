// The example project (examples/contoso-fabrikam) against a test emulator: the emulator is started
// from the example's own emulator.yaml, and a committed temporary copy of the project is pointed at
// it, with its certificates generated, exactly as `t2t demo` prepares its workspace.
import { mkdtempSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startEmulator, type RunningEmulator } from './emulator.js';
import { DEMO_GIT_IDENTITY, prepareWorkspace, type WaveEdit } from '../../engine/demo/prepare-workspace.js';

export const EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'contoso-fabrikam');

/** Start an emulator seeded from the example's emulator.yaml; `overrides` replace top-level keys
 *  (limits, faults). */
export async function startExampleEmulator(overrides: Record<string, unknown> = {}): Promise<RunningEmulator> {
  const config = parse(readFileSync(join(EXAMPLE_DIR, 'emulator.yaml'), 'utf8')) as Record<string, unknown>;
  return startEmulator({ ...config, ...overrides });
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, ...DEMO_GIT_IDENTITY }, encoding: 'utf8' });
}

export interface ExampleCopy {
  dir: string;
  /** The secrets the copy reads from the environment (the emulator's dev secrets, PFX passwords). */
  env: Record<string, string>;
}

/** A committed copy of the example project pointing at `emu`, waves optionally edited first. */
export async function copyExample(emu: RunningEmulator, waves?: Record<string, WaveEdit>): Promise<ExampleCopy> {
  const dir = mkdtempSync(join(tmpdir(), 't2t-example-'));
  const prepared = await prepareWorkspace({
    exampleDir: EXAMPLE_DIR,
    dir,
    emulator: { url: emu.url, caFile: emu.caFile },
    env: process.env,
    ...(waves ? { waves } : {}),
  });
  return { dir, env: prepared.env };
}
