// Apply's refusals (SPEC section 4), each one line naming its cause and its fix: a saved plan of
// an unknown format or made from other manifests or other tenant state, and no way to confirm.
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../plan/model.js';

const AGAIN = "run 't2t plan --out FILE' again and apply the new plan";

/** Read a plan saved by `t2t plan --out FILE`; refuse an unknown format. */
export async function readSavedPlan(file: string, shown = file): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read the saved plan ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'apply.planUnreadable', 'check the path given to --plan');
  }
  let raw: Partial<Plan> & { formatVersion?: unknown };
  try {
    raw = JSON.parse(text) as Partial<Plan>;
  } catch {
    throw new UserError(`the saved plan ${shown} is not JSON`, 'apply.planUnreadable', `save plans with 't2t plan --out FILE' (JSON)`);
  }
  if (raw.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new UserError(`the saved plan ${shown} has formatVersion ${JSON.stringify(raw.formatVersion ?? null)}, which this t2t does not know (it reads ${PLAN_FORMAT_VERSION})`, 'apply.planFormat', AGAIN);
  }
  if (!Array.isArray(raw.changes) || typeof raw.manifestHash !== 'string' || typeof raw.inventoryHash !== 'string') {
    throw new UserError(`the saved plan ${shown} is incomplete (changes, manifestHash or inventoryHash missing)`, 'apply.planFormat', AGAIN);
  }
  return raw as Plan;
}

/** The manifests changed since the plan was saved. */
export function checkManifestHash(plan: Plan, current: string, shown: string): void {
  if (plan.manifestHash !== current) {
    throw new UserError(`the saved plan ${shown} is stale: the manifests changed since it was made`, 'apply.planStaleManifests', AGAIN);
  }
}

/** The tenants changed since the plan was saved (checked after a delta discovery). */
export function checkInventoryHash(plan: Plan, current: string, shown: string): void {
  if (plan.inventoryHash !== current) {
    throw new UserError(`the saved plan ${shown} is stale: the tenants changed since it was made`, 'apply.planStaleTenants', AGAIN);
  }
}

/** Ask on a terminal; without one, --auto-approve (or --plan FILE) must say yes in advance. */
export async function confirm(
  io: { stdin: NodeJS.ReadableStream & { isTTY?: boolean }; stderr: NodeJS.WritableStream },
  question: string,
  opts: { autoApprove: boolean; savedPlan: boolean; dryRun: boolean },
): Promise<boolean> {
  if (opts.autoApprove || opts.savedPlan || opts.dryRun) return true;
  if (!io.stdin.isTTY) {
    throw new UserError('apply needs confirmation, and there is no terminal to ask on', 'apply.noConfirmation', "pass --auto-approve, or apply a reviewed plan with --plan FILE (from 't2t plan --out FILE')");
  }
  io.stderr.write(`${question} (yes/no) `);
  const answer = await readLine(io.stdin);
  return answer.trim().toLowerCase() === 'yes';
}

function readLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    const onData = (chunk: Buffer | string) => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        cleanup();
        resolve(buf.slice(0, nl));
      }
    };
    const onEnd = () => {
      cleanup();
      resolve(buf);
    };
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      (stream as { pause?: () => void }).pause?.();
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    (stream as { resume?: () => void }).resume?.();
  });
}
