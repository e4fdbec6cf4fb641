// Where the local state lives (SPEC section 5): DIR/.t2t, or T2T_STATE_DIR. It holds caches and
// logs only, so it is git-ignored from the inside: a `.gitignore` of `*` keeps it out of commits
// even in a repository whose own .gitignore forgot it.
import { writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeDirectory, stateWriteError } from './write-errors.js';

export const STATE_DIR_NAME = '.t2t';

/** The state directory path, without creating it. A relative T2T_STATE_DIR is taken relative to
 *  the project directory, so the same setting works whatever the current directory. */
export function stateDirPath(projectDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.T2T_STATE_DIR?.trim();
  return fromEnv ? resolve(projectDir, fromEnv) : resolve(projectDir, STATE_DIR_NAME);
}

/** The state directory, created on first use with its `.gitignore`. A directory that cannot be
 *  made or written (a file in its place, a dangling link, a read-only or full disk) is a UserError
 *  naming it (state.unwritable). */
export function stateDir(projectDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = stateDirPath(projectDir, env);
  const ignore = join(dir, '.gitignore');
  try {
    makeDirectory(dir);
    if (!existsSync(ignore)) writeFileSync(ignore, '# t2t local state: caches and logs only, never committed\n*\n');
  } catch (e) {
    throw stateWriteError(e, dir, dir);
  }
  return dir;
}

/** Sub-paths, in one place so every module agrees on the layout. */
export const statePaths = {
  inventory: (dir: string) => join(dir, 'inventory'),
  logs: (dir: string) => join(dir, 'logs'),
  processLog: (dir: string) => join(dir, 't2t.log'),
  lock: (dir: string) => join(dir, 'lock.json'),
  /** Held while a discovery writes the inventory cache (engine/state/lock.ts). */
  discoveryLock: (dir: string) => join(dir, 'discovery.lock.json'),
};
