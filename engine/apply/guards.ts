// Apply's refusals (SPEC section 4), each one line naming its cause and its fix: a saved plan of
// an unknown format or made from other manifests or other tenant state, and no way to confirm.
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../plan/model.js';
import { maxDeletesRefusal } from '../plan/refusal.js';
import { refusalReason } from '../state/write-errors.js';

const AGAIN = "run 't2t plan --out FILE' again and apply the new plan";

/** Read a plan saved by `t2t plan --out FILE`; refuse an unknown format. */
export async function readSavedPlan(file: string, shown = file): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code ? refusalReason(code) : (e as Error).message;
    throw new UserError(`cannot read the saved plan ${shown}: ${reason}`, 'apply.planUnreadable', "check the path given to --plan (a file saved by 't2t plan --out FILE')");
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
  checkSavedChanges(raw.changes as unknown[], shown);
  return raw as Plan;
}

const ACTIONS: ReadonlySet<unknown> = new Set(['create', 'update', 'delete', 'run']);
const REVERSIBILITY: ReadonlySet<unknown> = new Set(['reversible', 'compensable', 'one-way']);
const EDITED_HINT = `${AGAIN}; a saved plan is applied exactly as 't2t plan' wrote it: change the manifests, not the plan`;

function edited(shown: string, index: number, id: unknown, problem: string): UserError {
  const which = typeof id === 'string' && id ? `change ${index + 1} (${id})` : `change ${index + 1}`;
  return new UserError(`the saved plan ${shown} is not as 't2t plan' wrote it: ${which} ${problem}`, 'apply.planEdited', EDITED_HINT);
}

/** What is wrong with one change of a saved plan, or undefined. */
function changeProblem(c: unknown): string | undefined {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return 'is not an object';
  const x = c as Record<string, unknown>;
  for (const key of ['id', 'wave', 'tenant', 'resource', 'summary', 'op'] as const) {
    if (typeof x[key] !== 'string' || x[key] === '') return `has no ${key}`;
  }
  if (typeof x.user !== 'string') return 'has no user';
  if (!ACTIONS.has(x.action)) return `has action ${JSON.stringify(x.action ?? null)}, not create, update, delete or run`;
  if (!REVERSIBILITY.has(x.reversibility)) return `has reversibility ${JSON.stringify(x.reversibility ?? null)}, not reversible, compensable or one-way`;
  if (typeof x.params !== 'object' || x.params === null || Array.isArray(x.params)) return 'has no params';
  if (!Array.isArray(x.dependsOn) || x.dependsOn.some((d) => typeof d !== 'string')) return 'has no dependsOn list';
  return undefined;
}

/**
 * The changes of a saved plan are what the executor runs, so a plan edited by hand (a change
 * removed that others depend on, one without params, a loop of dependencies) is refused before
 * anything is sent: the executor would crash half-way, or run a step before the one it needs.
 */
function checkSavedChanges(changes: unknown[], shown: string): void {
  const ids = new Map<string, number>();
  changes.forEach((c, i) => {
    const problem = changeProblem(c);
    if (problem) throw edited(shown, i, (c as { id?: unknown } | null)?.id, problem);
    const id = (c as { id: string }).id;
    if (ids.has(id)) throw edited(shown, i, id, `has the id of change ${ids.get(id)! + 1}`);
    ids.set(id, i);
  });
  const list = changes as { id: string; dependsOn: string[] }[];
  list.forEach((c, i) => {
    const missing = c.dependsOn.find((d) => !ids.has(d));
    if (missing !== undefined) throw edited(shown, i, c.id, `depends on ${missing}, which the plan does not have`);
  });
  // Kahn: what never becomes ready is on a loop of dependencies
  const waiting = list.map((c) => new Set(c.dependsOn).size);
  const dependents = new Map<string, number[]>();
  list.forEach((c, i) =>
    new Set(c.dependsOn).forEach((d) => {
      // pushed, not copied: a group's create has a dependent per member (100,000 in a large wave)
      const l = dependents.get(d);
      if (l) l.push(i);
      else dependents.set(d, [i]);
    }),
  );
  const ready = list.flatMap((_, i) => (waiting[i] === 0 ? [i] : []));
  let done = 0;
  while (ready.length) {
    const i = ready.pop()!;
    done++;
    for (const j of dependents.get(list[i]!.id) ?? []) if (--waiting[j]! === 0) ready.push(j);
  }
  if (done < list.length) {
    const i = waiting.findIndex((w) => w > 0);
    throw edited(shown, i, list[i]!.id, 'is on, or waits for, a loop of dependencies (dependsOn), so it could never run');
  }
}

/**
 * spec.safety.maxDeletes holds for a saved plan too, whatever its `refusal` says: counted from its
 * changes as the planner counts them (one-way deletions), against the manifests of now.
 */
export function checkSavedDeletes(plan: Plan, maxDeletes: number, shown: string): void {
  const deletes = plan.changes.filter((c) => c.action === 'delete' && c.reversibility === 'one-way').length;
  const refusal = maxDeletesRefusal(deletes, maxDeletes, `the saved plan ${shown}`);
  if (refusal) throw new UserError(refusal.message, refusal.code, refusal.hint);
}

/** A plan saved for another project (another directory given, another plan file picked up):
 *  said as such, not as manifests that changed. */
export function checkPlanProject(plan: Plan, project: string, dir: string, shown: string): void {
  if (plan.project !== project) {
    throw new UserError(`the saved plan ${shown} was made for project ${JSON.stringify(plan.project ?? null)}, not for ${project} (${dir})`, 'apply.planOtherProject', `apply it to its own project directory, or run 't2t plan ${dir} --out FILE' and apply that`);
  }
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

/** Ctrl-C (or SIGTERM) at the confirmation prompt: nothing was sent. */
function interruptedAtPrompt(): UserError {
  return new UserError('apply was interrupted at the confirmation prompt: nothing was changed', 'apply.interrupted', "run 't2t apply' again when you want to apply the plan");
}

/** Ask on a terminal; without one, --auto-approve (or --plan FILE) must say yes in advance.
 *  Ctrl-C while it asks ends the question (apply.interrupted) rather than leaving it waiting for
 *  a line, with the process already told to stop. */
export async function confirm(
  io: { stdin: NodeJS.ReadableStream & { isTTY?: boolean }; stderr: NodeJS.WritableStream },
  question: string,
  opts: { autoApprove: boolean; savedPlan: boolean; dryRun: boolean; signal?: AbortSignal },
): Promise<boolean> {
  if (opts.autoApprove || opts.savedPlan || opts.dryRun) return true;
  if (!io.stdin.isTTY) {
    throw new UserError('apply needs confirmation, and there is no terminal to ask on', 'apply.noConfirmation', "pass --auto-approve, or apply a reviewed plan with --plan FILE (from 't2t plan --out FILE')");
  }
  if (opts.signal?.aborted) throw interruptedAtPrompt();
  io.stderr.write(`${question} (yes/no) `);
  const answer = await readLine(io.stdin, opts.signal);
  if (answer === undefined) {
    io.stderr.write('\n');
    throw interruptedAtPrompt();
  }
  return answer.trim().toLowerCase() === 'yes';
}

/** The next line typed; undefined when the signal aborts first. */
function readLine(stream: NodeJS.ReadableStream, signal?: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(undefined); // while the question was being written
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
    const onAbort = () => {
      cleanup();
      resolve(undefined);
    };
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      signal?.removeEventListener('abort', onAbort);
      (stream as { pause?: () => void }).pause?.();
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    signal?.addEventListener('abort', onAbort, { once: true });
    (stream as { resume?: () => void }).resume?.();
  });
}
