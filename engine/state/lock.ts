// The project lock: one apply or reconcile at a time per state directory (SPEC section 4); and the
// discovery lock: one discovery at a time writes the inventory cache (two writers of one
// collection's journal and shards would corrupt it, and a cache found corrupt is discarded).
// The lock file is written complete to a private temp file and then hard-linked into place:
// link() fails with EEXIST exactly like an O_EXCL create, and no reader ever sees a half-written
// lock. A lock whose holder process is gone (same host, pid not running) is stale and taken over
// with a warning; a lock held from another host is never taken over (we cannot see its process).
import { link, mkdir, readFile, rename, unlink, writeFile, open } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { UserError } from '../errors.js';
import { statePaths } from './paths.js';
import { stateWriteError } from './write-errors.js';

export interface LockHolder {
  command: string; // e.g. "apply"
  pid: number;
  host: string;
  user: string;
  startedAt: string; // ISO 8601
  /** Unique per acquisition, so release never removes a lock someone else took over. */
  token: string;
}

export interface LockOptions {
  command: string;
  pid?: number;
  host?: string;
  user?: string;
  /** Which lock: the project's (apply, reconcile; the default) or the discovery cache's. */
  scope?: 'project' | 'discovery';
}

export interface Lock {
  readonly holder: LockHolder;
  /** Set when a stale lock was taken over: say it to the user. */
  readonly warning?: string;
  release(): Promise<void>;
}

export async function acquireLock(stateDir: string, options: LockOptions): Promise<Lock> {
  const scope = options.scope ?? 'project';
  const path = scope === 'discovery' ? statePaths.discoveryLock(stateDir) : statePaths.lock(stateDir);
  const holder: LockHolder = {
    command: options.command,
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    user: options.user ?? currentUser(),
    startedAt: new Date().toISOString(),
    token: randomUUID(),
  };
  const temp = `${path}.${holder.token}.tmp`;
  let warning: string | undefined;
  try {
    try {
      await mkdir(stateDir, { recursive: true });
      // inside the try: a full disk creates the file and then fails the write, and it is removed below
      await writeFile(temp, JSON.stringify(holder, null, 2) + '\n', { flag: 'wx' });
    } catch (e) {
      throw stateWriteError(e, path, stateDir);
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await tryCreate(temp, path)) {
        return { holder, ...(warning ? { warning } : {}), release: () => releaseLock(path, holder.token) };
      }
      const current = await readHolder(path);
      if (current === undefined) continue; // released meanwhile: try again
      if (!isStale(current)) throw heldError(current, path, scope);
      if (await takeOver(path, current)) {
        warning = `took over a stale lock of 't2t ${current.command}' (pid ${current.pid} on ${current.host}, started ${current.startedAt}): that process is no longer running`;
      }
    }
    const current = await readHolder(path);
    throw current ? heldError(current, path, scope) : new UserError(`could not acquire the lock ${path}`, 'state.lockBusy', 'another t2t process is starting at the same time: try again');
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function tryCreate(temp: string, path: string): Promise<boolean> {
  try {
    await link(temp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e;
  }
  // File systems without hard links: an O_EXCL create, then the content.
  try {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(await readFile(temp));
    } finally {
      await handle.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** The holder of the lock at `path`, or undefined when there is no lock. */
export async function readHolder(path: string): Promise<LockHolder | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    if (typeof h.pid === 'number' && typeof h.command === 'string') return h;
  } catch {
    // fall through
  }
  throw new UserError(`the lock file ${path} is unreadable`, 'state.lockCorrupt', `if no other t2t process works on this project (an apply or reconcile, or for discovery.lock.json a discovery), delete ${path}`);
}

function isStale(h: LockHolder): boolean {
  if (h.host !== hostname()) return false;
  try {
    process.kill(h.pid, 0); // signal 0: existence check only
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: alive, owned by someone else
  }
}

/** Moves the stale lock aside and checks that what moved is the stale lock we saw, not a fresh
 *  one another process created in between (then it is put back). */
async function takeOver(path: string, stale: LockHolder): Promise<boolean> {
  const aside = `${path}.stale-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  const moved = await readHolder(aside).catch(() => undefined);
  if (moved && (moved.token !== stale.token || moved.pid !== stale.pid || moved.startedAt !== stale.startedAt)) {
    await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return false;
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

async function releaseLock(path: string, token: string): Promise<void> {
  const current = await readHolder(path).catch(() => undefined);
  if (current?.token === token) await unlink(path).catch(() => undefined);
}

function heldError(h: LockHolder, path: string, scope: 'project' | 'discovery'): UserError {
  const who = `'t2t ${h.command}' (pid ${h.pid} on ${h.host}, user ${h.user}, started ${h.startedAt})`;
  if (scope === 'discovery') {
    return new UserError(
      `the discovery cache in ${dirname(path)} is being written by ${who}`,
      'discover.locked',
      `wait for it to finish, then run again (it leaves the cache up to date); if that process no longer runs (for example on another machine that crashed), delete ${path}`,
    );
  }
  return new UserError(
    `the project is locked by 't2t ${h.command}' (pid ${h.pid} on ${h.host}, user ${h.user}, started ${h.startedAt})`,
    'state.locked',
    `wait for it to finish; if that process no longer runs (for example on another machine that crashed), delete ${path}`,
  );
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}
