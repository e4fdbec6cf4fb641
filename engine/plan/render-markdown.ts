// The plan as a pull-request comment: the summary table first, then one <details> block per wave,
// long plans truncated with counts, one-way steps marked so reviewers see them.
import type { Plan } from './model.js';
import { formatDuration, groupChanges, summaryLine } from './render-text.js';

export interface MarkdownOptions {
  /** Changes listed per wave before truncating (default 50). */
  readonly maxChangesPerWave?: number;
}

export const ONE_WAY_MARK = '⚠️ one-way';
const SIGN = { create: '+', update: '~', delete: '-', run: '>' } as const;

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderPlanMarkdown(plan: Plan, opts: MarkdownOptions = {}): string {
  const max = opts.maxChangesPerWave ?? 50;
  const out: string[] = [];
  out.push(`### t2t plan: ${plan.project}`, '');
  out.push(`**${summaryLine(plan)}**`, '');
  const oneWay = plan.changes.filter((c) => c.reversibility === 'one-way').length;
  if (plan.refusal) out.push(`> **Refused:** ${esc(plan.refusal.message)}`, '');
  out.push('| wave | phase | users | create | update | delete | run | one-way |', '|---|---|---:|---:|---:|---:|---:|---:|');
  const grouped = groupChanges(plan.changes);
  for (const w of plan.waves) {
    const list = [...(grouped.get(w.name)?.values() ?? [])].flat();
    const n = (a: string) => list.filter((c) => c.action === a).length;
    const phase = w.paused ? `${w.phase} (paused)` : w.effectivePhase !== w.phase ? `${w.phase} (${w.effectivePhase} until cutoverAt)` : w.phase;
    out.push(`| ${esc(w.name)} | ${phase} | ${w.users} | ${n('create')} | ${n('update')} | ${n('delete')} | ${n('run')} | ${list.filter((c) => c.reversibility === 'one-way').length} |`);
  }
  out.push('');
  if (oneWay) out.push(`${ONE_WAY_MARK}: ${oneWay} change${oneWay === 1 ? '' : 's'} cannot be undone.`, '');
  for (const w of plan.waves) {
    const byUser = grouped.get(w.name);
    const list = [...(byUser?.values() ?? [])].flat();
    out.push(`<details><summary>${esc(w.name)}: ${list.length} change${list.length === 1 ? '' : 's'}${w.paused ? ' (paused)' : ''}</summary>`, '');
    if (list.length) {
      out.push('```diff');
      let shown = 0;
      for (const [u, changes] of byUser!) {
        if (shown >= max) break;
        out.push(`# ${u || '(shared)'}`);
        for (const c of changes) {
          if (shown >= max) break;
          out.push(`${SIGN[c.action]} ${c.summary}${c.reversibility === 'one-way' ? ` (${ONE_WAY_MARK})` : ''}`);
          shown++;
        }
      }
      out.push('```');
      if (list.length > shown) out.push('', `… and ${list.length - shown} more change${list.length - shown === 1 ? '' : 's'} (run \`t2t plan --wave ${w.name}\` for all)`);
    } else out.push(w.paused ? 'Paused: nothing planned.' : 'No changes.');
    const syncing = list.some((c) => c.resource === 'contentSync');
    if (!w.paused && syncing && w.estimate && w.estimate.bytes > 0) out.push('', `Estimate: content sync about ${formatDuration(w.estimate.seconds)}, finishes by ${w.estimate.finishesBy}.`);
    out.push('', '</details>', '');
  }
  if (plan.refused.length) {
    out.push(`**Refused (${plan.refused.length})**`, '');
    for (const r of plan.refused.slice(0, max)) out.push(`- \`${r.user}\`: ${esc(r.reason)}`);
    if (plan.refused.length > max) out.push(`- … and ${plan.refused.length - max} more`);
    out.push('');
  }
  if (plan.orphans.length) {
    out.push(`**Orphans (${plan.orphans.length})**`, '');
    for (const o of plan.orphans.slice(0, max)) out.push(`- ${o.tenant}: ${esc(o.object)}: ${esc(o.reason)}`);
    if (plan.orphans.length > max) out.push(`- … and ${plan.orphans.length - max} more`);
    out.push('');
  }
  if (plan.warnings.length) {
    out.push(`**Warnings (${plan.warnings.length})**`, '');
    for (const w of plan.warnings.slice(0, max)) out.push(`- ${esc(w)}`);
    if (plan.warnings.length > max) out.push(`- … and ${plan.warnings.length - max} more`);
    out.push('');
  }
  return out.join('\n');
}
