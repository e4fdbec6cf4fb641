// The file `t2t plan --out FILE` saves the plan to: checked before anything is discovered or
// planned, written while the plan is made, and put in place atomically at the end (a temp file
// renamed), so a half-written plan is never applied. Every failure is a plan.outFile UserError
// naming the path.
import { accessSync, closeSync, constants, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { openThreadWriter } from '../util/thread-writer.js';

function cannotSave(shown: string, e: unknown): UserError {
  // the system's reason without a file name ("ENOENT: no such file or directory")
  const reason = (e as Error).message.replace(/, (open|access|rename) '.*'$/, '');
  return new UserError(`cannot save the plan to ${shown}: ${reason}`, 'plan.outFile', 'give --out a path in an existing, writable directory');
}

/** The plan file's path is not a directory, and its directory exists and can be written to. */
export function checkPlanPath(path: string, shown: string): void {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError(`cannot save the plan to ${shown}: it is a directory`, 'plan.outFile', 'give --out the path of a file, for example plan.json');
  }
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (e) {
    throw cannotSave(shown, e);
  }
}

/**
 * A plan file written while the plan is made, atomically: into a temp file renamed into place at
 * the end, so a half-written plan is never applied. Written by a worker thread (ThreadWriter): the
 * planner does not yield, so an asynchronous stream would hold the whole text (280 MiB for 100,000
 * users in flight) until planning ends, and writing it on this thread would add to the planner's
 * time what the other core can do.
 */
export interface PlanFile {
  write(text: string): void;
  /** Waits for the text to be written, then puts the file in place. */
  commit(): Promise<void>;
  /** Stops writing and removes the temp file. */
  abort(): Promise<void>;
}

export function openPlanFile(path: string, shown: string): PlanFile {
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
