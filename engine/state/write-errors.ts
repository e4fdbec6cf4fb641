// The local file system refusing a write (a full disk, a read-only mount, a state directory that
// is a file or a dangling symbolic link), or a read (a cache file of another user), is the user's
// to fix, not a bug of t2t: such a failure becomes a UserError naming the path, the system's
// reason and what to do. The state directory
// holds only caches and logs (SPEC section 5), so the hint can say that moving it loses nothing.
import { existsSync, lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.js';

/** errno codes that say "the file system would not take it", never "t2t did something wrong". */
const REFUSALS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file of that name exists and is not a directory',
  EISDIR: 'it is a directory',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'an input/output error of the device',
};

/** The system's reason for a refusal, in words. */
export function refusalReason(code: string): string {
  return REFUSALS[code] ?? code;
}

/** The errno code of a file-system refusal, or undefined for any other failure. */
export function fileSystemRefusal(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code in REFUSALS ? code : undefined;
}

/**
 * A UserError for a write under the state directory that the file system refused; any other
 * failure is returned as it is. `path`: what was being written (the error's own path wins).
 */
export function stateWriteError(e: unknown, path: string, stateDir: string): unknown {
  const code = fileSystemRefusal(e) ?? danglingCode(e);
  if (!code) return e;
  const target = (e as NodeJS.ErrnoException).path ?? path;
  const link = symbolicLinkIn(stateDir);
  const reason = link?.dangling
    ? `it is a symbolic link to ${link.target}, which does not exist`
    : code === 'ENOENT'
      ? 'its directory cannot be created'
      : REFUSALS[code]!;
  return new UserError(`cannot write the t2t state ${target}: ${reason} (${code})`, 'state.unwritable', stateHint(code, stateDir, link), undefined, { cause: e });
}

/**
 * A UserError for a read of a file under the state directory that the file system refused (the
 * file belongs to another user, a directory stands where it should be...); any other failure is
 * returned as it is. Never "cannot write": nothing was being written. `stateDir`, when known, is
 * named in the hint (else the file's directory).
 */
export function stateReadError(e: unknown, file: string, stateDir: string | undefined): unknown {
  const code = fileSystemRefusal(e);
  if (!code) return e;
  return new UserError(`cannot read the t2t state ${file}: ${REFUSALS[code]!} (${code})`, 'state.unreadable', readHint(code, file, stateDir ?? dirname(file)), undefined, { cause: e });
}

const elsewhere = 'or set T2T_STATE_DIR to another directory (it holds only caches and logs: the next run rediscovers)';

function readHint(code: string, file: string, dir: string): string {
  if (code === 'EACCES' || code === 'EPERM') {
    const user = currentUser();
    return `the user running t2t (${user}) may not read it: it was probably written by another user (t2t run with sudo, or from another account). Give the state directory back to ${user} (as root: chown -R ${user} ${dir}) or run t2t as the user who wrote it, ${elsewhere}`;
  }
  if (code === 'EMFILE' || code === 'ENFILE') return 'raise the limit of open files (ulimit -n) and run again';
  if (code === 'EIO') return `check the device that holds ${dir}, ${elsewhere}`;
  return `remove what stands at ${file} (${dir} holds only caches and logs: the next run rediscovers), ${elsewhere}`;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'this user';
  }
}

export function stateHint(code: string, stateDir: string, link = symbolicLinkIn(stateDir)): string {
  if (link?.dangling) return `create ${link.target}, or remove the link ${stateDir}, ${elsewhere}`;
  if (code === 'ENOSPC' || code === 'EDQUOT') return `free space on that file system, ${elsewhere}`;
  if (code === 'ENOTDIR' || code === 'EEXIST') return `move away the file that stands where ${stateDir} should be a directory, ${elsewhere}`;
  if (code === 'ELOOP') return `fix the symbolic link ${stateDir}, ${elsewhere}`;
  if (code === 'EMFILE' || code === 'ENFILE') return 'raise the limit of open files (ulimit -n) and run again';
  return `make ${stateDir} writable for this user, ${elsewhere}`;
}

/** A recursive mkdir says ENOENT for many refusals (a read-only mount, a dangling link): that too is the file system's. */
function danglingCode(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  return err?.code === 'ENOENT' && err.syscall === 'mkdir' ? 'ENOENT' : undefined;
}

/**
 * Make a directory and its parents. A recursive mkdir reports ENOENT for a read-only mount or a
 * dangling link; made one level at a time, the level that fails says why (EROFS, EEXIST...).
 */
export function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const missing: string[] = [];
    for (let p = resolve(dir); !existsSync(p) && dirname(p) !== p; p = dirname(p)) missing.unshift(p);
    for (const m of missing) mkdirSync(m);
    throw e;
  }
}

/** The state directory when it is a symbolic link: where it points and whether that exists. */
function symbolicLinkIn(stateDir: string): { target: string; dangling: boolean } | undefined {
  try {
    if (!lstatSync(stateDir).isSymbolicLink()) return undefined;
    const target = resolve(dirname(stateDir), readlinkSync(stateDir));
    let dangling = false;
    try {
      lstatSync(target);
    } catch {
      dangling = true;
    }
    return { target, dangling };
  } catch {
    return undefined;
  }
}
