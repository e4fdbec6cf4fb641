// The plan as a pull-request comment: the summary table first, then one <details> block per wave,
// long plans truncated with counts, one-way steps marked so reviewers see them. Tenant text is
// shown literally (markdown-escape.ts): escaped outside code, on one line inside the code fences.
import type { PlanSink } from './build-plan.js';
import { displaySafe } from './display-safe.js';
import { codeSpan, htmlText, markdownText } from './markdown-escape.js';
import type { Plan, PlanChange, PlanOutline, WavePlan } from './model.js';
import { changesByWave, formatDuration, summaryLine } from './render-text.js';

export interface MarkdownOptions {
  /** Changes listed per wave before truncating (default 50). */
  readonly maxChangesPerWave?: number;
}

export const ONE_WAY_MARK = '⚠️ one-way';
const SIGN = { create: '+', update: '~', delete: '-', run: '>' } as const;

/** The comment on a whole plan: its changes fed to markdownSink wave by wave, in plan order. */
export function renderPlanMarkdown(plan: Plan, opts: MarkdownOptions = {}): string {
  const byWave = changesByWave(plan.changes);
  const sink = markdownSink(opts);
  for (const w of plan.waves) {
    sink.changes(byWave.get(w.name) ?? []);
    sink.wave(w);
  }
  return sink.end(plan);
}

function lineOf(c: PlanChange): string {
  return `${SIGN[c.action]} ${displaySafe(c.summary)}${c.reversibility === 'one-way' ? ` (${ONE_WAY_MARK})` : ''}`;
}

/** A wave's part of the comment, from its changes as they come: what the table counts and the
 *  first changes the details list. */
class WaveMarkdown {
  private readonly counts = { create: 0, update: 0, delete: 0, run: 0 };
  private oneWay = 0;
  private total = 0;
  private syncing = false;
  /** Lines of the shared changes (group creates), listed first. */
  private readonly shared: string[] = [];
  /** The first `max` lines of the users' changes, each with its user. */
  private readonly lines: { user: string; line: string }[] = [];

  constructor(private readonly max: number) {}

  add(changes: readonly PlanChange[]): void {
    for (const c of changes) {
      this.counts[c.action]++;
      this.total++;
      if (c.reversibility === 'one-way') this.oneWay++;
      if (c.resource === 'contentSync') this.syncing = true;
      // a line only for the changes listed (the first `max`, and the few shared ones)
      if (c.user === '') this.shared.push(lineOf(c));
      else if (this.lines.length < this.max) this.lines.push({ user: c.user, line: lineOf(c) });
    }
  }

  row(w: WavePlan): string {
    const phase = w.paused ? `${w.phase} (paused)` : w.effectivePhase !== w.phase ? `${w.phase} (${w.effectivePhase} until cutoverAt)` : w.phase;
    const n = this.counts;
    return `| ${markdownText(w.name)} | ${phase} | ${w.users} | ${n.create} | ${n.update} | ${n.delete} | ${n.run} | ${this.oneWay} |`;
  }

  details(w: WavePlan): string[] {
    const out = [`<details><summary>${htmlText(w.name)}: ${this.total} change${this.total === 1 ? '' : 's'}${w.paused ? ' (paused)' : ''}</summary>`, ''];
    if (this.total) {
      out.push('```diff');
      let shown = 0;
      let user: string | undefined;
      for (const { user: u, line } of [...this.shared.map((l) => ({ user: '', line: l })), ...this.lines]) {
        if (shown >= this.max) break;
        if (u !== user) out.push(`# ${u ? displaySafe(u) : '(shared)'}`);
        user = u;
        out.push(line);
        shown++;
      }
      out.push('```');
      const more = this.total - shown;
      if (more > 0) out.push('', `… and ${more} more change${more === 1 ? '' : 's'} (run ${codeSpan(`t2t plan --wave ${w.name}`)} for all)`);
    } else out.push(w.paused ? 'Paused: nothing planned.' : 'No changes.');
    if (!w.paused && this.syncing && w.estimate && w.estimate.bytes > 0) out.push('', `Estimate: content sync about ${formatDuration(w.estimate.seconds)}, finishes by ${w.estimate.finishesBy}.`);
    out.push('', '</details>', '');
    return out;
  }

  get oneWayCount(): number {
    return this.oneWay;
  }
}

/**
 * A sink for streamPlan that makes renderPlanMarkdown's comment as the plan is made: it keeps per
 * wave the counts and the first changes it lists, not the changes, so the comment on a pull
 * request that puts 100,000 users in flight holds none of their 383,000 changes. end() takes
 * streamPlan's outline and returns the comment (the summary comes first, so nothing is written
 * before).
 */
export function markdownSink(opts: MarkdownOptions = {}): PlanSink & { end(outline: PlanOutline): string } {
  const max = opts.maxChangesPerWave ?? 50;
  const done = new Map<string, { row: string; details: string[]; oneWay: number }>();
  let current = new WaveMarkdown(max);
  return {
    changes(list) {
      current.add(list);
    },
    wave(w) {
      done.set(w.name, { row: current.row(w), details: current.details(w), oneWay: current.oneWayCount });
      current = new WaveMarkdown(max);
    },
    end(plan) {
      const none = new WaveMarkdown(max);
      const waves = plan.waves.map((w) => done.get(w.name) ?? { row: none.row(w), details: none.details(w), oneWay: 0 });
      const oneWay = waves.reduce((n, w) => n + w.oneWay, 0);
      const out: string[] = [`### t2t plan: ${markdownText(plan.project)}`, '', `**${markdownText(summaryLine(plan))}**`, ''];
      if (plan.refusal) out.push(`> **Refused:** ${markdownText(plan.refusal.message)}`, '');
      out.push('| wave | phase | users | create | update | delete | run | one-way |', '|---|---|---:|---:|---:|---:|---:|---:|');
      for (const w of waves) out.push(w.row);
      out.push('');
      if (oneWay) out.push(`${ONE_WAY_MARK}: ${oneWay} change${oneWay === 1 ? '' : 's'} cannot be undone.`, '');
      for (const w of waves) out.push(...w.details);
      pushTail(out, plan, max);
      return out.join('\n');
    },
  };
}

/** Refused users, orphans and warnings, each list cut at `max` with a count of the rest. */
function pushTail(out: string[], plan: PlanOutline, max: number): void {
  if (plan.refused.length) {
    out.push(`**Refused (${plan.refused.length})**`, '');
    for (const r of plan.refused.slice(0, max)) out.push(`- ${codeSpan(r.user)}: ${markdownText(r.reason)}`);
    if (plan.refused.length > max) out.push(`- … and ${plan.refused.length - max} more`);
    out.push('');
  }
  if (plan.orphans.length) {
    out.push(`**Orphans (${plan.orphans.length})**`, '');
    for (const o of plan.orphans.slice(0, max)) out.push(`- ${markdownText(o.tenant)}: ${markdownText(o.object)}: ${markdownText(o.reason)}`);
    if (plan.orphans.length > max) out.push(`- … and ${plan.orphans.length - max} more`);
    out.push('');
  }
  if (plan.warnings.length) {
    out.push(`**Warnings (${plan.warnings.length})**`, '');
    for (const w of plan.warnings.slice(0, max)) out.push(`- ${markdownText(w)}`);
    if (plan.warnings.length > max) out.push(`- … and ${plan.warnings.length - max} more`);
    out.push('');
  }
}
