// The read side end to end, shared by `plan`, `apply` and `reconcile`: discover (delta) when the
// cache is stale, then the pure planner over the manifests and the inventory.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Project } from '../manifest/model.js';
import type { Inventory } from '../inventory/model.js';
import type { Plan, PlanInput, Throughput } from '../plan/index.js';
import { buildPlan } from '../plan/index.js';
import { manifestHash } from '../manifest/manifest-hash.js';
import { manifestInputs } from '../manifest/load-project.js';
import { readMeasuredThroughput } from '../apply/throughput.js';
import { discover, isStale, loadInventory, type DiscoveryProgress, type DiscoveryReport } from '../discovery/discover.js';
import { stateDir } from '../state/paths.js';
import { manifestRevision, type ManifestRevision } from '../gitops/revision.js';
import { certificateExpiries } from '../certs/check-project.js';

/** How long a cached inventory counts as fresh for `plan` (apply always refreshes). */
export const DEFAULT_CACHE_MAX_AGE_MS = 5 * 60 * 1000;

export interface PlanProjectOptions {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  wave?: string;
  /** auto: delta discovery when the cache is missing or older than maxAgeMs; always; never (cache only). */
  refresh?: 'auto' | 'always' | 'never';
  maxAgeMs?: number;
  now?: Date;
  onProgress?: (p: DiscoveryProgress) => void;
  /** Waves whose scheduled delta sync is due: their synced users get a content delta sync. */
  deltaSyncWaves?: readonly string[];
}

/** Everything the planner needs, read and (when stale) discovered: the plan is then one pure call,
 *  buildPlan(input), or streamPlan(input, sink) to print it as it is made. */
export interface PlanPreparation {
  project: Project;
  inventory: Inventory;
  input: PlanInput;
  revision: ManifestRevision;
  /** Set when this call ran a discovery. */
  discovery?: DiscoveryReport;
}

export type PlannedProject = Omit<PlanPreparation, 'input'> & { plan: Plan };

export async function planProject(project: Project, options: PlanProjectOptions): Promise<PlannedProject> {
  const { input, ...prepared } = await preparePlan(project, options);
  return { ...prepared, plan: buildPlan(input) };
}

export async function preparePlan(project: Project, options: PlanProjectOptions): Promise<PlanPreparation> {
  const state = stateDir(project.dir, options.env);
  const refresh = options.refresh ?? 'auto';
  let gap: string | undefined;
  let inventory = refresh === 'always' ? undefined : await loadInventory(project, state, (reason) => (gap ??= reason), options.signal);
  let discovery: DiscoveryReport | undefined;
  const stale = !inventory || isStale(inventory, options.maxAgeMs ?? DEFAULT_CACHE_MAX_AGE_MS);
  if (refresh === 'always' || (refresh === 'auto' && stale)) {
    const result = await discover(project, {
      command: 'plan',
      env: options.env,
      stateDir: state,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    inventory = result.inventory;
    discovery = result.report;
  }
  if (!inventory) {
    // refresh 'never' with an empty cache: plan against nothing would be misleading.
    const { UserError } = await import('../errors.js');
    throw new UserError(`no usable discovery cache for this project in ${state}${gap ? ` (${gap})` : ''}`, 'plan.noInventory', "run 't2t discover' first, or plan without --offline");
  }
  const inputs = manifestInputs(project);
  const [revision, certificates, files, throughput] = await Promise.all([
    manifestRevision(project.dir, options.env, inputs),
    certificateExpiries(project, options.env),
    templateFiles(project),
    measuredThroughput(state),
  ]);
  const input: PlanInput = {
    project,
    inventory,
    revision: { commit: revision.commit, dirty: revision.dirty },
    now: options.now ?? new Date(),
    ...(options.wave ? { waveFilter: options.wave } : {}),
    ...(options.deltaSyncWaves ? { deltaSyncWaves: options.deltaSyncWaves } : {}),
    certificates,
    files,
    ...(throughput ? { throughput } : {}),
    manifestHash: manifestHash(project.dir, inputs),
  };
  return { project, inventory, input, revision, ...(discovery ? { discovery } : {}) };
}

/** Notification bodies and invitation messages, by project-relative path (the planner is pure). */
async function templateFiles(project: Project): Promise<Record<string, string>> {
  const paths = new Set<string>();
  for (const p of Object.values(project.profiles)) {
    if (p.notification?.bodyFile) paths.add(p.notification.bodyFile);
    if (p.guestInvite?.messageFile) paths.add(p.guestInvite.messageFile);
  }
  const files: Record<string, string> = {};
  for (const path of paths) {
    try {
      files[path] = await readFile(join(project.dir, path), 'utf8');
    } catch {
      // validation reports missing templates; the planner treats an absent body as empty
    }
  }
  return files;
}

/** Throughput measured by earlier content syncs (apply records it: engine/apply/throughput.ts). */
async function measuredThroughput(state: string): Promise<Throughput | undefined> {
  const m = await readMeasuredThroughput(state);
  return m ? { bytesPerSecondPerMailbox: m.bytesPerSecondPerMailbox, ...(m.concurrency !== undefined ? { concurrency: m.concurrency } : {}) } : undefined;
}
