// The plan for a terminal, terraform-plan style: grouped by wave then user, one line per change
// (`+` create, `~` update, `- ` delete, `>` run, then the change's summary), one-way changes marked, then refused, orphans,
// warnings and the summary line. Colour only when asked (the CLI decides from TTY/NO_COLOR).
import type { Action } from '../resources/types.js';
import type { Plan, PlanChange, PlanOutline, WavePlan } from './model.js';

const SIGN: Record<Action, string> = { create: '+', update: '~', delete: '-', run: '>' };
const COLOUR: Record<Action, string> = { create: '32', update: '33', delete: '31', run: '36' };

export interface TextOptions {
  readonly color?: boolean;
}

export function summaryLine(plan: PlanOutline): string {
  const s = plan.summary;
  if (s.create + s.update + s.delete + s.run === 0) return 'No changes. The tenants match the manifests.';
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.run} to run.`;
}

/** Changes grouped wave -> user, in plan order. */
export function groupChanges(changes: readonly PlanChange[]): Map<string, Map<string, PlanChange[]>> {
  const out = new Map<string, Map<string, PlanChange[]>>();
  for (const c of changes) {
    let w = out.get(c.wave);
    if (!w) out.set(c.wave, (w = new Map()));
    const list = w.get(c.user);
    if (list) list.push(c);
    else w.set(c.user, [c]);
  }
  return out;
}

function painter(opts: TextOptions): { paint(code: string, s: string): string; bold(s: string): string } {
  const paint = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { paint, bold: (s) => paint('1', s) };
}

/** One wave's section: its header, its changes by user (none, or paused), its estimate. */
export function renderWaveText(w: WavePlan, changes: readonly PlanChange[], opts: TextOptions = {}): string {
  return waveSection(w, groupChanges(changes).get(w.name), opts);
}

function waveSection(w: WavePlan, byUser: Map<string, PlanChange[]> | undefined, opts: TextOptions): string {
  const { paint, bold } = painter(opts);
  const lines: string[] = [];
  const flags = [w.paused ? 'paused' : null, w.effectivePhase !== w.phase ? `planning ${w.effectivePhase} until cutoverAt` : null].filter(Boolean);
  lines.push(bold(`wave ${w.name}`) + ` (phase ${w.phase}, ${w.users} user${w.users === 1 ? '' : 's'}${flags.length ? ', ' + flags.join(', ') : ''})`);
  if (w.paused) {
    lines.push('  paused: nothing planned');
  } else if (!byUser) {
    lines.push('  no changes');
  } else {
    for (const [u, list] of byUser) {
      lines.push(`  ${u || '(shared)'}`);
      for (const c of list) {
        const mark = c.reversibility === 'one-way' ? paint('1;31', ' (one-way)') : '';
        lines.push('    ' + paint(COLOUR[c.action], SIGN[c.action]) + ` ${c.summary}${mark}`);
      }
    }
  }
  // the estimate only where this plan runs a content sync: elsewhere 'finishes by' means nothing
  const syncing = byUser !== undefined && [...byUser.values()].some((l) => l.some((c) => c.resource === 'contentSync'));
  if (syncing && w.estimate && w.estimate.bytes > 0) lines.push(`  estimate: content sync about ${formatDuration(w.estimate.seconds)}, finishes by ${w.estimate.finishesBy}`);
  lines.push('');
  return lines.join('\n') + '\n';
}

/** What follows the waves: refused users, orphans, warnings, a refusal and the summary line. */
export function renderPlanEndText(plan: PlanOutline, opts: TextOptions = {}): string {
  const { paint, bold } = painter(opts);
  const lines: string[] = [];
  if (plan.refused.length) {
    lines.push(bold('Refused:'));
    for (const r of plan.refused) lines.push(`  ${r.user}${r.wave ? ` (${r.wave})` : ''}: ${r.reason}`);
    lines.push('');
  }
  if (plan.orphans.length) {
    lines.push(bold('Orphans (kept, not managed):'));
    for (const o of plan.orphans) lines.push(`  ${o.tenant}: ${o.object}: ${o.reason}`);
    lines.push('');
  }
  if (plan.warnings.length) {
    lines.push(bold('Warnings:'));
    for (const w of plan.warnings) lines.push(`  ${paint('33', '!')} ${w}`);
    lines.push('');
  }
  if (plan.refusal) lines.push(paint('31', `Refused: ${plan.refusal.message}`), `hint: ${plan.refusal.hint}`);
  lines.push(bold(summaryLine(plan)));
  return lines.join('\n') + '\n';
}

/** The whole plan: every wave's section, then the end. A streamed plan (streamPlan) prints the
 *  same text with renderWaveText per wave and renderPlanEndText. */
export function renderPlanText(plan: Plan, opts: TextOptions = {}): string {
  const grouped = groupChanges(plan.changes);
  let text = '';
  for (const w of plan.waves) text += waveSection(w, grouped.get(w.name), opts);
  return text + renderPlanEndText(plan, opts);
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
