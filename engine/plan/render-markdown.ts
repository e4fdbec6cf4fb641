// The plan as a pull-request comment: the summary table first, then one <details> block per wave,
// long plans truncated with counts, one-way steps marked so reviewers see them. Tenant text is
// shown literally (markdown-escape.ts): escaped outside code, on one line inside the code fences.
// The whole comment stays under a length limit (GitHub refuses a longer one): what a reviewer must
// see first (the summary, the table, refused users, warnings) gets its room first, and the waves'
// details and the orphans make do with the rest, each cut with a count of what was left out.
import type { PlanSink } from './build-plan.js';
import { displaySafe } from './display-safe.js';
import { codeSpan, htmlText, markdownText } from './markdown-escape.js';
import type { Plan, PlanChange, PlanOutline, WavePlan } from './model.js';
import { changesByWave, formatDuration, summaryLine } from './render-text.js';

export interface MarkdownOptions {
  /** Changes listed per wave before truncating (default 50). */
  readonly maxChangesPerWave?: number;
  /** The comment's length limit, in characters (default MAX_COMMENT_CHARS; at least about 2,000,
   *  for the summary and the notes of what was cut). Counted as UTF-16 code units, which is never
   *  less than what GitHub counts. */
  readonly maxChars?: number;
}

/** GitHub refuses a comment body of more than 65,536 characters; the default leaves room for the
 *  lines a CI job adds around the plan (examples/ci/github-actions.yml adds a marker). */
export const MAX_COMMENT_CHARS = 60_000;

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

  /** The wave's block, listing at most `limit` changes (fewer to keep the comment short). */
  details(w: WavePlan, limit = this.max): string[] {
    const out = [`<details><summary>${htmlText(w.name)}: ${this.total} change${this.total === 1 ? '' : 's'}${w.paused ? ' (paused)' : ''}</summary>`, ''];
    if (this.total) {
      const listed = [...this.shared.map((l) => ({ user: '', line: l })), ...this.lines].slice(0, Math.min(limit, this.max));
      if (listed.length) {
        out.push('```diff');
        let user: string | undefined;
        for (const { user: u, line } of listed) {
          if (u !== user) out.push(`# ${u ? displaySafe(u) : '(shared)'}`);
          user = u;
          out.push(line);
        }
        out.push('```', '');
      }
      const more = this.total - listed.length;
      const all = `(run ${codeSpan(`t2t plan --wave ${w.name}`)} for all)`;
      if (more > 0) out.push(listed.length ? `… and ${more} more change${more === 1 ? '' : 's'} ${all}` : `${more} change${more === 1 ? '' : 's'}, not listed here ${all}`);
      else out.pop(); // no line after the code block
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
  const done = new Map<string, { wave: WavePlan; md: WaveMarkdown }>();
  let current = new WaveMarkdown(max);
  return {
    changes(list) {
      current.add(list);
    },
    wave(w) {
      done.set(w.name, { wave: w, md: current });
      current = new WaveMarkdown(max);
    },
    end(plan) {
      const waves = plan.waves.map((w) => done.get(w.name) ?? { wave: w, md: new WaveMarkdown(max) });
      return fitComment(plan, waves, max, opts.maxChars ?? MAX_COMMENT_CHARS);
    },
  };
}

/** Room for the lines that say what a cut left out (at most one per part, each well under 200
 *  characters), kept aside so that adding them never breaks the limit. */
const NOTES_ROOM = 1000;

/** Characters of lines joined with newlines (one counted for each line's newline). */
const sizeOf = (lines: readonly string[]) => lines.reduce((n, l) => n + l.length + 1, 0);

/** The first of `items` that fit in `room` characters. */
function fitting(items: readonly string[], room: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (const item of items) {
    used += item.length + 1;
    if (used > room) break;
    out.push(item);
  }
  return out;
}

/** A list at the end of the comment (refused users, orphans, warnings): its heading, its items and
 *  how many more there are than it lists. */
interface TailList {
  readonly heading: string;
  readonly items: string[];
  readonly total: number;
}

/** The first `max` of each list, as lines (a rollback can leave 30,000 orphans: only those shown
 *  are formatted). */
function tailLists(plan: PlanOutline, max: number): { refused?: TailList; orphans?: TailList; warnings?: TailList } {
  const list = <I>(heading: string, all: readonly I[], line: (item: I) => string): TailList | undefined =>
    all.length ? { heading: `**${heading} (${all.length})**`, items: all.slice(0, max).map(line), total: all.length } : undefined;
  const refused = list('Refused', plan.refused, (r) => `- ${codeSpan(r.user)}: ${markdownText(r.reason)}`);
  const orphans = list('Orphans', plan.orphans, (o) => `- ${markdownText(o.tenant)}: ${markdownText(o.object)}: ${markdownText(o.reason)}`);
  const warnings = list('Warnings', plan.warnings, (w) => `- ${markdownText(w)}`);
  return { ...(refused ? { refused } : {}), ...(orphans ? { orphans } : {}), ...(warnings ? { warnings } : {}) };
}

/** A tail list's lines with as many items as fit in `room` (all it holds when they do). */
function tailLines(l: TailList | undefined, room: number): string[] {
  if (!l) return [];
  const items = fitting(l.items, room - sizeOf([l.heading, '', '']));
  const more = l.total - items.length;
  return [l.heading, '', ...items, ...(more > 0 ? [`- … and ${more} more`] : []), ''];
}

/**
 * The comment, within `limit` characters: whole when it fits. Otherwise room goes first to the
 * title, the summary and the table, then to the refused users and the warnings (up to a quarter
 * each of what is left), then to the waves' details, which list as many changes per wave as fit
 * (the same number for every wave, down to none: the counts are always shown), and last to the
 * orphans. The parts are printed in their usual order, and the comment ends with a newline (each
 * part ends with an empty line), so the CLI prints it as it is.
 */
function fitComment(plan: PlanOutline, waves: readonly { wave: WavePlan; md: WaveMarkdown }[], max: number, limit: number): string {
  // a comment that fits is printed whole (the room kept for notes would otherwise cut it)
  if (limit !== Infinity) {
    const whole = fitComment(plan, waves, max, Infinity);
    if (whole.length <= limit) return whole;
  }
  let room = limit - NOTES_ROOM;
  const head: string[] = [`### t2t plan: ${markdownText(plan.project)}`, '', `**${markdownText(summaryLine(plan))}**`, ''];
  if (plan.refusal) head.push(`> **Refused:** ${markdownText(plan.refusal.message)}`, '');
  const oneWay = waves.reduce((n, w) => n + w.md.oneWayCount, 0);
  const oneWayLines = oneWay ? [`${ONE_WAY_MARK}: ${oneWay} change${oneWay === 1 ? '' : 's'} cannot be undone.`, ''] : [];
  const tableHead = ['| wave | phase | users | create | update | delete | run | one-way |', '|---|---|---:|---:|---:|---:|---:|---:|'];
  room -= sizeOf(head) + sizeOf(oneWayLines) + sizeOf(tableHead) + 1;
  const rows = fitting(waves.map((w) => w.md.row(w.wave)), room);
  room -= sizeOf(rows);
  const rowsLeft = waves.length - rows.length;
  const table = [...tableHead, ...rows, ...(rowsLeft > 0 ? ['', `… and ${rowsLeft} more wave${rowsLeft === 1 ? '' : 's'} (run ${codeSpan('t2t plan')} for all)`] : []), ''];

  // refused users and warnings: up to a quarter each of what the table leaves
  const lists = tailLists(plan, max);
  const share = room / 4;
  const refused = tailLines(lists.refused, Math.min(room, share));
  room -= sizeOf(refused);
  const warnings = tailLines(lists.warnings, Math.min(room, share));
  room -= sizeOf(warnings);

  // the most changes per wave (the same for all) whose blocks fit
  const detailsAt = (limit: number) => waves.map((w) => w.md.details(w.wave, limit));
  let lo = room === Infinity ? max : 0;
  let hi = max;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sizeOf(detailsAt(mid).flat()) <= room) lo = mid;
    else hi = mid - 1;
  }
  const blocks = fitting(detailsAt(lo).map((b) => b.join('\n')), room);
  room -= sizeOf(blocks);
  const blocksLeft = waves.length - blocks.length;
  const details = blocksLeft > 0 ? [...blocks, `The details of ${blocksLeft} more wave${blocksLeft === 1 ? '' : 's'} are left out to keep this comment short: run ${codeSpan('t2t plan')} for all.`, ''] : blocks;

  const orphans = tailLines(lists.orphans, room);
  return [...head, ...table, ...oneWayLines, ...details, ...refused, ...orphans, ...warnings].join('\n');
}
