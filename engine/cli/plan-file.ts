// The file `t2t plan --out FILE` saves the plan to: checked before anything is discovered or
// planned, written while the plan is made, and put in place atomically at the end (a temp file
// renamed), so a half-written plan is never applied. Every failure is a plan.outFile UserError
// naming the path. A symbolic link is followed (the file it points to gets the plan, the link
// stays); anything else that is not a regular file (a named pipe, a device such as /dev/stdout) is
// refused: the rename would replace it with a file.
import { accessSync, closeSync, constants, lstatSync, openSync, readlinkSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { openThreadWriter } from '../util/thread-writer.js';

function cannotSave(shown: string, e: unknown): UserError {
  // the system's reason without a file name ("ENOENT: no such file or directory")
  const reason = (e as Error).message.replace(/, (open|access|rename) '.*'$/, '');
  return new UserError(`cannot save the plan to ${shown}: ${reason}`, 'plan.outFile', 'give --out a path in an existing, writable directory');
}

/** The file a path names once its symbolic links are followed (also a link to a file not yet
 *  created); the path itself when it is not a link. */
function followLinks(path: string, shown: string): string {
  for (let hops = 0; hops < 40; hops++) {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st?.isSymbolicLink()) return path;
    path = resolve(dirname(path), readlinkSync(path));
  }
  throw new UserError(`cannot save the plan to ${shown}: too many levels of symbolic links`, 'plan.outFile', 'give --out the path of a regular file');
}

/** Where the plan file of `path` is written (its links followed): not a directory nor any other
 *  file that is not a regular one, in a directory that exists and can be written to. */
export function checkPlanPath(path: string, shown: string): string {
  const real = followLinks(path, shown);
  const st = statSync(real, { throwIfNoEntry: false });
  if (st?.isDirectory()) {
    throw new UserError(`cannot save the plan to ${shown}: it is a directory`, 'plan.outFile', 'give --out the path of a file, for example plan.json');
  }
  if (st && !st.isFile()) {
    const what = st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : 'a device';
    throw new UserError(
      `cannot save the plan to ${shown}: it is ${what}, not a regular file (saving it would replace it with a file)`,
      'plan.outFile',
      'give --out the path of a regular file; to pass the plan to another program, print it with --output json instead',
    );
  }
  if (st && st.size > 0 && !isSavedPlan(real)) {
    throw new UserError(
      `cannot save the plan to ${shown}: the file exists and is not a plan t2t saved (saving would replace it)`,
      'plan.outFile',
      `give --out a new file, or a plan file saved before; if ${shown} is meant to go, delete it first`,
    );
  }
  try {
    accessSync(dirname(real), constants.W_OK);
  } catch (e) {
    throw cannotSave(shown, e);
  }
  return real;
}

/** Whether a file begins as every saved plan does (`{"formatVersion": ...`): only such a file is
 *  replaced, so that `--out project.yaml` (or a CSV, a key file) never destroys the user's work. */
function isSavedPlan(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(64);
    const n = readSync(fd, head, 0, head.length, 0);
    return /^\s*\{\s*"formatVersion"\s*:/.test(head.subarray(0, n).toString('utf8'));
  } catch {
    return false; // unreadable: not known to be a plan
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A plan file written while the plan is made, atomically: into a temp file renamed into place at
 * the end, so a half-written plan is never applied. Written by a worker thread (ThreadWriter): the
 * planner yields only between steps of 2,000 users, so an asynchronous stream would write each
 * step's text on this thread, adding to the planner's time what the other core can do.
 */
export interface PlanFile {
  write(text: string): void;
  /** Waits for the text to be written, then puts the file in place. */
  commit(): Promise<void>;
  /** Stops writing and removes the temp file. */
  abort(): Promise<void>;
}

export function openPlanFile(path: string, shown: string): PlanFile {
  // checked again: the path may have changed while the tenants were discovered
  path = checkPlanPath(path, shown);
  const temp = `${path}.tmp-${process.pid}`;
  let fd: number;
  try {
    fd = openSync(temp, 'w');
  } catch (e) {
    throw cannotSave(shown, e);
  }
  const writer = openThreadWriter(fd);
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    write: writer.write,
    async commit() {
      try {
        await writer.close();
        close();
        renameSync(temp, path);
      } catch (e) {
        close();
        rmSync(temp, { force: true });
        throw cannotSave(shown, e);
      }
    },
    async abort() {
      try {
        await writer.destroy();
        close();
      } finally {
        rmSync(temp, { force: true });
      }
    },
  };
}
