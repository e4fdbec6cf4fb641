// The text form of `t2t history`: one block per commit, newest first, readable in a terminal and
// in a CI log. JSON (`--output json`) is the History object as is.
import type { History, HistoryApply, HistoryEntry, WaveChange, WaveDeclaration } from './history.js';

export function renderHistoryText(h: History): string {
  const scope = [h.filter.wave ? `wave ${h.filter.wave}` : '', h.filter.user ? `user ${h.filter.user}` : ''].filter(Boolean).join(', ');
  const where = h.projectPath ? ` (${h.projectPath})` : '';
  if (h.entries.length === 0) {
    return `no manifest commits${scope ? ` for ${scope}` : ''} in ${h.project ?? 'this project'}${where}`;
  }
  const head = `history of ${h.project ?? 'the project'}${where}${scope ? `, ${scope}` : ''}: ${h.entries.length} commit${h.entries.length === 1 ? '' : 's'}, newest first`;
  return [head, '', ...h.entries.map(renderEntry)].join('\n');
}

function renderEntry(e: HistoryEntry): string {
  const lines: string[] = [];
  lines.push(`commit ${e.commit.slice(0, 12)}  ${e.date}  ${e.author.name} <${e.author.email}>`);
  lines.push(`    ${e.subject}`);
  if (e.revert) lines.push(`    revert of ${e.revert.of ? e.revert.of.slice(0, 12) : 'an earlier commit'}${e.revert.subject ? ` ("${e.revert.subject}")` : ''}`);
  const declared: string[] = [];
  if (e.projectChanged) declared.push('project settings changed');
  for (const w of e.waves) declared.push(describeWave(w));
  for (const f of e.broken) declared.push(`${f} does not parse at this commit`);
  if (declared.length === 0) declared.push(e.shallow ? 'no wave' : e.files.length ? `changed ${e.files.join(', ')}` : 'no manifest change');
  lines.push(e.shallow ? "  declared (what this commit changed is unknown: its parent is not in this shallow clone; 'git fetch --unshallow' fetches it):" : '  declared:', ...declared.map((d) => `    ${d}`));
  if (e.user) {
    const before = e.user.previousWave !== undefined && e.user.previousWave !== e.user.wave ? `, before: ${placement(e.user.previousWave, e.user.previousPhase)}` : '';
    lines.push(`  user ${e.user.address}: ${placement(e.user.wave, e.user.phase)}${before}`);
  }
  if (e.applies.length === 0) {
    lines.push('  applied: not yet');
  } else {
    lines.push('  applied:');
    for (const a of e.applies) lines.push(...renderApply(a, e.commit));
  }
  return lines.join('\n') + '\n';
}

function placement(wave: string | null, phase: string | undefined): string {
  return wave === null ? 'in no wave' : `in ${wave}${phase ? ` (phase ${phase})` : ''}`;
}

function describeWave(w: WaveChange): string {
  if (w.change === 'removed') return `${w.name}: removed (was ${w.before?.phase ?? 'without a phase'})`;
  const now = w.now!;
  if (w.change === 'added') return `${w.name}: added, ${settings(now)}`;
  if (w.change === 'unknown') return `${w.name}: ${settings(now)}`;
  if (w.change === 'unchanged') return `${w.name}: edited, declaration unchanged (${settings(now)})`;
  const before = w.before!;
  const diffs: string[] = [];
  const field = (label: string, a: unknown, b: unknown) => {
    if (a !== b) diffs.push(`${label} ${a ?? 'unset'} -> ${b ?? 'unset'}`);
  };
  field('phase', before.phase, now.phase);
  field('paused', before.paused, now.paused);
  field('emailRewrite', before.emailRewrite, now.emailRewrite);
  field('members', before.members.total, now.members.total);
  field('cutoverAt', before.cutoverAt, now.cutoverAt);
  field('deltaSync', before.deltaSync, now.deltaSync);
  if (before.file !== now.file) diffs.push(`moved ${before.file} -> ${now.file}`);
  return `${w.name}: ${diffs.length ? diffs.join(', ') + '; now ' : ''}${settings(now)}`;
}

function settings(d: WaveDeclaration): string {
  const parts = [`phase ${d.phase ?? 'unset'}`, d.paused ? 'paused' : 'not paused', `emailRewrite ${d.emailRewrite}`, `${d.members.total} member${d.members.total === 1 ? '' : 's'}`];
  if (d.members.groups) parts.push(`+ ${d.members.groups} group${d.members.groups === 1 ? '' : 's'}`);
  if (d.cutoverAt) parts.push(`cutoverAt ${d.cutoverAt}`);
  return parts.join(', ');
}

function renderApply(a: HistoryApply, entryCommit: string): string[] {
  const by = `${a.appliedBy.name}${a.appliedBy.email ? ` <${a.appliedBy.email}>` : ''} on ${a.appliedBy.host}`;
  const c = a.counts;
  const counts = `${c.total} change${c.total === 1 ? '' : 's'}: ${c.done} done, ${c.failed} failed, ${c.skipped} skipped`;
  const notes = [a.dirty ? 'with uncommitted changes' : '', a.commit !== entryCommit ? `at ${a.commit.slice(0, 12)}` : ''].filter(Boolean);
  const refused = a.refused?.length ? `, ${a.refused.length} user${a.refused.length === 1 ? '' : 's'} refused` : '';
  const lines = [`    ${a.finishedAt} by ${by}: ${a.result} (${counts}${refused})${notes.length ? ` [${notes.join(', ')}]` : ''}`];
  if (a.changes) {
    if (a.changes.length === 0) lines.push('      no change for this user');
    for (const ch of a.changes) lines.push(`      ${ch.resource} ${ch.action}${ch.op ? ` (${ch.op})` : ''}: ${ch.status}${ch.error ? ` — ${ch.error}` : ''}`);
  }
  for (const r of a.refused ?? []) lines.push(`      refused ${r.user}${r.wave ? ` (${r.wave})` : ''}: ${r.reason}`);
  return lines;
}
