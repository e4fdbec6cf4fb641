// `t2t status`: the planner's status (declared and observed phase, conditions) over the cached
// inventory (discovered again when missing or stale), joined with the job logs' last result per
// user (the `error` of SPEC section 4), plus the source and target user types for the CSV export.
import type { Project } from '../manifest/model.js';
import type { Inventory } from '../inventory/model.js';
import { buildStatusSteps, statusUserTypes, type StatusReport } from '../plan/index.js';
import { UserError } from '../errors.js';
import { runSteps } from '../util/run-steps.js';
import { displaySafe } from '../plan/display-safe.js';
import { discover, isStale, loadInventory } from '../discovery/discover.js';
import { stateDir } from '../state/paths.js';
import { readJobLog } from '../state/job-log.js';
import { manifestRevision } from '../gitops/revision.js';
import { manifestHash } from '../manifest/manifest-hash.js';
import { manifestInputs } from '../manifest/load-project.js';
import { DEFAULT_CACHE_MAX_AGE_MS } from '../workflow/plan-project.js';

export interface StatusOptions {
  env: NodeJS.ProcessEnv;
  wave?: string;
  signal?: AbortSignal;
  /** 'never': the cache only (no network). */
  refresh?: 'auto' | 'always' | 'never';
  now?: Date;
}

export interface StatusRow {
  wave: string;
  source: string;
  sourceType: string | null;
  target: string | null;
  targetType: string | null;
  declared: string;
  phase: string;
  paused: boolean;
  error: string | null;
}

export async function projectStatus(project: Project, o: StatusOptions): Promise<{ report: StatusReport; rows: () => StatusRow[] }> {
  const state = stateDir(project.dir, o.env);
  let gap: string | undefined;
  let inventory: Inventory | undefined = o.refresh === 'always' ? undefined : await loadInventory(project, state, (reason) => (gap ??= reason), o.signal);
  if (o.refresh !== 'never' && (!inventory || isStale(inventory, DEFAULT_CACHE_MAX_AGE_MS))) {
    inventory = (await discover(project, { command: 'status', env: o.env, stateDir: state, ...(o.signal ? { signal: o.signal } : {}) })).inventory;
  }
  if (!inventory) {
    throw new UserError(`no usable discovery cache for this project in ${state}${gap ? ` (${gap})` : ''}`, 'status.noInventory', o.refresh === 'never' ? "run 't2t discover' first, or status without --offline" : "run 't2t discover' first");
  }
  const inputs = manifestInputs(project);
  const revision = await manifestRevision(project.dir, o.env, inputs);
  // in steps, so that Ctrl-C stops the status of a large project at once
  const steps = buildStatusSteps({
    project,
    inventory,
    revision: { commit: revision.commit, dirty: revision.dirty },
    now: o.now ?? new Date(),
    ...(o.wave ? { waveFilter: o.wave } : {}),
    manifestHash: manifestHash(project.dir, inputs),
  });
  const report = await runSteps(steps, o.signal, () => new UserError('the status was interrupted', 'status.interrupted', "run 't2t status' again"));
  if (o.wave) report.waves = report.waves.filter((w) => w.name === o.wave);

  // the last apply result of each user, from the job logs
  const logs = await readJobLog(state, o.wave ? { wave: o.wave } : {});
  const last = new Map<string, { status: string; error?: string }>();
  for (const e of logs) if (e.event === 'user.result') last.set(`${e.wave}\u0000${e.user}`, { status: String(e['status']), ...(typeof e['error'] === 'string' ? { error: e['error'] } : {}) });
  for (const w of report.waves) {
    for (const u of w.users) {
      const r = last.get(`${w.name}\u0000${u.source}`);
      const pending = u.conditions.some((c) => c.type === 'Ready' && c.status === 'False');
      if (r?.status === 'failed' && pending) {
        u.error = r.error ?? 'the last apply failed for this user';
        u.phase = 'failed';
      }
    }
  }
  return { report, rows: () => statusRows(report) };
}

/** The CSV's rows. The user types are those of the users the plan's pass matched: an address
 *  looked up across tenants found the wrong one (a B2B guest's mail is its source address, so the
 *  source user read as Guest, and its target, named by the address conversion will give it, as
 *  none). */
function statusRows(report: StatusReport): StatusRow[] {
  const rows: StatusRow[] = [];
  for (const w of report.waves) {
    for (const u of w.users) {
      const t = statusUserTypes(u);
      rows.push({ wave: w.name, source: u.source, sourceType: t.source, target: u.target, targetType: t.target, declared: u.declared, phase: u.phase, paused: w.paused, error: u.error });
    }
  }
  return rows;
}

/** A text cell that begins like a formula: a spreadsheet opening the export would evaluate it. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell. Text (addresses, the apply error: tenant and manifest data, so anything) that a
 *  spreadsheet would read as a formula (=HYPERLINK(...), +1, -1, @SUM) gets a leading ' inside
 *  quotes, which shows it as text (CSV injection, OWASP). Only strings: every column is text today,
 *  and a number, such as a negative count, would keep its sign. */
function csvCell(v: unknown): string {
  if (typeof v === 'string' && FORMULA_START.test(v)) return `"'${v.replace(/"/g, '""')}"`;
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderStatusCsv(rows: readonly StatusRow[]): string {
  const head = ['wave', 'source', 'sourceType', 'target', 'targetType', 'declared', 'phase', 'paused', 'error'];
  return [head.join(','), ...rows.map((r) => [r.wave, r.source, r.sourceType, r.target, r.targetType, r.declared, r.phase, r.paused, r.error].map(csvCell).join(','))].join('\n') + '\n';
}

export function renderStatusText(report: StatusReport): string {
  const lines: string[] = [];
  for (const w of report.waves) {
    const ready = w.conditions.find((c) => c.type === 'Ready');
    const blocked = w.conditions.find((c) => c.type === 'Blocked' && c.status === 'True');
    lines.push(`wave ${w.name}: declared ${w.phase}${w.paused ? ' (paused)' : ''}, ${w.users.length} user${w.users.length === 1 ? '' : 's'}${ready ? ` — ${ready.status === 'True' ? 'Ready' : `not ready (${ready.reason}): ${ready.message}`}` : ''}`);
    if (blocked) lines.push(`  Blocked / ${blocked.reason}: ${blocked.message}`);
    const width = Math.max(6, ...w.users.map((u) => u.source.length));
    // the longest phase, cutover-partial, still leaves two spaces before the target
    for (const u of w.users) {
      const b = u.conditions.find((c) => c.type === 'Blocked' && c.status === 'True');
      // tenant text: one user is one line, with no escape sequence reaching the terminal
      lines.push(displaySafe(`  ${u.source.padEnd(width)}  ${u.phase.padEnd(15)}  ${u.target ?? '-'}${u.error ? `  error: ${u.error}` : ''}${b ? `  Blocked / ${b.reason}: ${b.message}` : ''}`));
    }
    lines.push('');
  }
  if (!report.waves.length) lines.push('No waves.');
  return lines.join('\n').trimEnd() + '\n';
}
