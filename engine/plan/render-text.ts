// The plan for a terminal, terraform-plan style: grouped by wave then user, one line per change
// (`+` create, `~` update, `- ` delete, `>` run, then the change's summary), one-way changes marked, then refused, orphans,
// warnings and the summary line. Colour only when asked (the CLI decides from TTY/NO_COLOR).
// Tenant text goes through displaySafe where a line is assembled: one change is always one line.
import type { Action } from '../resources/types.js';
import type { PlanSink } from './build-plan.js';
import { displaySafe } from './display-safe.js';
import type { Plan, PlanChange, PlanOutline, WavePlan } from './model.js';

const SIGN: Record<Action, string> = { create: '+', update: '~', delete: '-', run: '>' };
const COLOUR: Record<Action, string> = { create: '32', update: '33', delete: '31', run: '36' };

export interface TextOptions {
  readonly color?: boolean;
}

export function summaryLine(plan: PlanOutline): string {
  const s = plan.summary;
  if (s.create + s.update + s.delete + s.run > 0) return `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.run} to run.`;
  const why = unmatched(plan);
  return why.length ? `No changes planned, but the tenants do not match the manifests yet: ${why.join('; ')}.` : 'No changes. The tenants match the manifests.';
}

/** Waves the summary line names, past which it counts the rest: one line, whatever the number of
 *  waves (a freeze that pauses all 500 waves of a project). */
const WAVES_NAMED = 5;

/** What keeps a plan without changes from meaning the tenants match: paused waves whose users are
 *  not all at the wave's phase, users refused, waves with blocked users. */
function unmatched(plan: PlanOutline): string[] {
  const why: string[] = [];
  let more = 0;
  for (const w of plan.waves) {
    // a wave at 'discovered' asks nothing of the tenants
    const behind = w.phase === 'discovered' ? 0 : w.users - (w.observed[w.phase] ?? 0);
    let reason: string | undefined;
    if (w.paused && behind > 0) reason = `wave ${w.name} is paused with ${behind} of ${w.users} user${w.users === 1 ? '' : 's'} not at phase ${w.phase}`;
    else if (!w.paused && w.conditions.some((c) => c.type === 'Blocked' && c.status === 'True')) reason = `wave ${w.name} has blocked users (see the warnings)`;
    if (reason === undefined) continue;
    if (why.length < WAVES_NAMED) why.push(reason);
    else more++;
  }
  if (more) why.push(`${more} more wave${more === 1 ? '' : 's'} paused behind their phase or with blocked users`);
  if (plan.refused.length) why.push(`${plan.refused.length} user${plan.refused.length === 1 ? '' : 's'} refused`);
  return why;
}

function painter(opts: TextOptions): { paint(code: string, s: string): string; bold(s: string): string } {
  const paint = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { paint, bold: (s) => paint('1', s) };
}

/**
 * One wave's section, built from its changes as they come: a header, the changes by user (the
 * shared ones, group creates, first), the estimate when the wave runs a content sync. Only text is
 * kept, not the changes, so a streamed plan lets each change go as soon as it is added; and each
 * run of one user's changes is kept as one flat string, not a string per line (a wave of 5,000
 * users in flight has 100,000 lines, which the young-generation GC would copy until the wave ends).
 */
export class WaveText {
  private readonly style: ReturnType<typeof painter>;
  /** user -> blocks of change lines ('\n' between lines, none at the end) */
  private byUser = new Map<string, string[]>();
  private syncing = false;

  constructor(opts: TextOptions = {}) {
    this.style = painter(opts);
  }

  /** Changes of this wave, in plan order. */
  add(changes: readonly PlanChange[]): void {
    const lines: string[] = [];
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i]!;
      const mark = c.reversibility === 'one-way' ? this.style.paint('1;31', ' (one-way)') : '';
      lines.push('    ' + this.style.paint(COLOUR[c.action], SIGN[c.action]) + ` ${displaySafe(c.summary)}${mark}`);
      if (c.resource === 'contentSync') this.syncing = true;
      const next = changes[i + 1];
      if (next && next.user === c.user) continue;
      // the end of a run of one user's changes
      const block = lines.join('\n');
      lines.length = 0;
      const blocks = this.byUser.get(c.user);
      if (blocks) blocks.push(block);
      else this.byUser.set(c.user, [block]);
    }
  }

  /** The section of wave w with the changes added so far; the builder is then empty again. */
  finish(w: WavePlan): string {
    let text = '';
    this.finishInto(w, (piece) => (text += piece));
    return text;
  }

  /** finish(w) written in pieces of about PIECE_CHARS: a wave of 5,000 users in flight is 1.5 MiB
   *  of text, which as one string would be built in V8's large-object space and copied once more
   *  to be written. */
  finishInto(w: WavePlan, write: (piece: string) => void): void {
    const { bold } = this.style;
    const flags = [w.paused ? 'paused' : null, w.effectivePhase !== w.phase ? `planning ${w.effectivePhase} until cutoverAt` : null].filter(Boolean);
    let piece = bold(`wave ${displaySafe(w.name)}`) + ` (phase ${w.phase}, ${w.users} user${w.users === 1 ? '' : 's'}${flags.length ? ', ' + flags.join(', ') : ''})\n`;
    if (w.paused) {
      piece += '  paused: nothing planned\n';
    } else if (this.byUser.size === 0) {
      piece += '  no changes\n';
    } else {
      const shared = this.byUser.get('');
      if (shared) piece += `  (shared)\n${shared.join('\n')}\n`;
      for (const [u, blocks] of this.byUser) {
        if (u === '') continue;
        piece += `  ${displaySafe(u)}\n${blocks.join('\n')}\n`;
        if (piece.length >= PIECE_CHARS) {
          write(piece);
          piece = '';
        }
      }
    }
    // the estimate only where this plan runs a content sync: elsewhere 'finishes by' means nothing
    if (this.syncing && w.estimate && w.estimate.bytes > 0) piece += `  estimate: content sync about ${formatDuration(w.estimate.seconds)}, finishes by ${w.estimate.finishesBy}\n`;
    write(piece + '\n');
    this.byUser = new Map();
    this.syncing = false;
  }
}

/** Under V8's 128 KiB limit for an ordinary heap object (a one-byte string of 64 Ki characters). */
const PIECE_CHARS = 64 * 1024;

/** What follows the waves: refused users, orphans, warnings, a refusal and the summary line. */
export function renderPlanEndText(plan: PlanOutline, opts: TextOptions = {}): string {
  const { paint, bold } = painter(opts);
  const lines: string[] = [];
  if (plan.refused.length) {
    lines.push(bold('Refused:'));
    for (const r of plan.refused) lines.push(displaySafe(`  ${r.user}${r.wave ? ` (${r.wave})` : ''}: ${r.reason}`));
    lines.push('');
  }
  if (plan.orphans.length) {
    lines.push(bold('Orphans (kept, not managed):'));
    for (const o of plan.orphans) lines.push(displaySafe(`  ${o.tenant}: ${o.object}: ${o.reason}`));
    lines.push('');
  }
  if (plan.warnings.length) {
    lines.push(bold('Warnings:'));
    for (const w of plan.warnings) lines.push(`  ${paint('33', '!')} ${displaySafe(w)}`);
    lines.push('');
  }
  if (plan.refusal) lines.push(paint('31', `Refused: ${displaySafe(plan.refusal.message)}`), `hint: ${displaySafe(plan.refusal.hint)}`);
  lines.push(bold(summaryLine(plan)));
  return lines.join('\n') + '\n';
}

/** The whole plan: every wave's section, then the end. A streamed plan (streamPlan) prints the
 *  same text through textSink. */
export function renderPlanText(plan: Plan, opts: TextOptions = {}): string {
  const byWave = changesByWave(plan.changes);
  let text = '';
  const section = new WaveText(opts);
  for (const w of plan.waves) {
    section.add(byWave.get(w.name) ?? []);
    text += section.finish(w);
  }
  return text + renderPlanEndText(plan, opts);
}

/** A sink for streamPlan that writes renderPlanText's wave sections, each once its wave is done. */
export function textSink(write: (text: string) => void, opts: TextOptions = {}): PlanSink {
  const section = new WaveText(opts);
  return {
    changes(list) {
      section.add(list);
    },
    wave(w) {
      section.finishInto(w, write);
    },
  };
}

/** A whole plan's changes by wave, each wave's in plan order: what a sink would have been handed. */
export function changesByWave(changes: readonly PlanChange[]): Map<string, PlanChange[]> {
  const byWave = new Map<string, PlanChange[]>();
  for (const c of changes) {
    const list = byWave.get(c.wave);
    if (list) list.push(c);
    else byWave.set(c.wave, [c]);
  }
  return byWave;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
