// `t2t history` (SPEC section 4): the manifest commits of a project, what each declared, joined
// with the apply records of that commit. Commits are read along the first-parent chain of HEAD,
// so on a branch that merges pull requests each entry is the merge that landed on main (the commit
// CI applies). An apply made at a later commit that did not touch the shown manifests applied the
// same declaration, so its record is listed under the newest shown commit at or before it.
import { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import type { ApplyRecord, ApplyRecordChange } from './apply-records.js';
import { readAllApplyRecords } from './apply-records.js';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { gitAt } from './git-client.js';
import { EMPTY_SNAPSHOT, SnapshotReader, type Snapshot, type WaveDeclaration } from './manifest-snapshot.js';
import { findRepo, headCommit } from './revision.js';

export type { WaveDeclaration } from './manifest-snapshot.js';

export interface HistoryOptions {
  /** Only commits touching this wave's file (or its CSV). */
  wave?: string;
  /** Only commits touching a wave file (or CSV) that lists this address, before or after. */
  user?: string;
  /** At most this many entries (newest first). */
  limit?: number;
}

export interface WaveChange {
  name: string;
  /** 'unknown': the commit's parent is not in this shallow clone (see HistoryEntry.shallow). */
  change: 'added' | 'changed' | 'removed' | 'unchanged' | 'unknown';
  /** The declaration at this commit (absent when removed). */
  now?: WaveDeclaration;
  /** The declaration at the parent commit (absent when added). */
  before?: WaveDeclaration;
}

export interface UserPlacement {
  address: string;
  /** The wave listing the user at this commit, and its phase; null: in no wave. */
  wave: string | null;
  phase?: string;
  /** Absent when the parent commit is not in this shallow clone. */
  previousWave?: string | null;
  previousPhase?: string;
}

export interface HistoryApply {
  /** The commit the record is attached to; a later one than the entry when nothing shown changed in between. */
  commit: string;
  startedAt: string;
  finishedAt: string;
  appliedBy: ApplyRecord['appliedBy'];
  result: ApplyRecord['result'];
  dirty: boolean;
  counts: ApplyRecord['counts'];
  planHash?: string;
  /** With --user: the changes of the apply that touched that user. */
  changes?: ApplyRecordChange[];
  /** Users the apply refused and left as they were (with --user: that user only). */
  refused?: NonNullable<ApplyRecord['refused']>;
}

export interface HistoryEntry {
  commit: string;
  author: { name: string; email: string };
  date: string; // author date, ISO 8601
  subject: string;
  body: string;
  revert?: { of?: string; subject?: string };
  /** The commit's parent is not in this clone (a shallow clone, `git clone --depth N`): what it
   *  changed is unknown, so `files` is empty and `waves` holds the declarations at this commit
   *  (change 'unknown'). */
  shallow?: true;
  /** Changed files under the project directory (relative to it). */
  files: string[];
  projectChanged: boolean;
  waves: WaveChange[];
  user?: UserPlacement;
  /** Files that did not parse at this commit. */
  broken: string[];
  applies: HistoryApply[];
}

export interface History {
  project?: string;
  /** The project directory relative to the repository root ('' = the root). */
  projectPath: string;
  filter: { wave?: string; user?: string };
  entries: HistoryEntry[];
}

interface LogCommit {
  sha: string;
  parent?: string;
  author: { name: string; email: string };
  date: string;
  subject: string;
  body: string;
}

export async function history(projectDir: string, options: HistoryOptions = {}): Promise<History> {
  const repo = await findRepo(projectDir);
  if (!repo) {
    throw new UserError(`${projectDir} is not in a git repository: there is no history to show`, 'history.notARepository', 'keep the manifests in git (git init, commit them); t2t history reads the commits and their apply records');
  }
  const user = options.user?.trim().toLowerCase();
  const filter = { ...(options.wave ? { wave: options.wave } : {}), ...(user ? { user } : {}) };
  const result: History = { projectPath: repo.projectPath, filter, entries: [] };
  if ((await headCommit(repo.root)) === null) return result;

  const git = gitAt(repo.root);
  const pathspec = repo.projectPath === '' ? [] : ['--', repo.projectPath];
  const touching = parseLog(await git.raw(['log', '--first-parent', `--format=${LOG_FORMAT}`, 'HEAD', ...pathspec]));
  const chain = (await git.raw(['log', '--first-parent', '--format=%H', 'HEAD'])).split('\n').map((l) => l.trim()).filter(Boolean);
  const records = await readAllApplyRecords(repo.root);
  const reader = new SnapshotReader(git, repo.projectPath);
  const shallow = await shallowCommits(git, repo.root);
  result.project = (await reader.at('HEAD')).projectName;

  const bySha = new Map(touching.map((c) => [c.sha, c]));
  const limit = options.limit ?? Infinity;
  let pending: ApplyRecord[] = []; // records of commits newer than the next shown entry
  for (const sha of chain) {
    if (result.entries.length >= limit) break;
    pending = [...(records.get(sha) ?? []), ...pending];
    const commit = bySha.get(sha);
    if (!commit) continue;
    const entry = shallow.has(sha) ? await describeShallow(commit, reader, options.wave, user) : await describe(commit, reader, options.wave, user);
    if (!entry) continue;
    entry.applies = pending.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1)).map((r) => summarise(r, user));
    pending = [];
    result.entries.push(entry);
  }
  if (options.wave && result.entries.length === 0) {
    const known = [...(await reader.at('HEAD')).waves.keys()];
    if (!known.includes(options.wave)) {
      throw new UserError(
        `no wave '${options.wave}' in ${projectDir}${didYouMean(options.wave, known)}`,
        'history.unknownWave',
        known.length ? `the waves at HEAD: ${known.sort().join(', ')}` : 'the project declares no wave at HEAD',
      );
    }
  }
  return result;
}

const LOG_FORMAT = '%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%s%x1f%b%x1e';

function parseLog(text: string): LogCommit[] {
  return text
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.includes('\x1f'))
    .map((r) => {
      const [sha, parents, name, email, date, subject, body] = r.split('\x1f');
      const parent = parents?.trim().split(' ')[0];
      return { sha: sha!.trim(), ...(parent ? { parent } : {}), author: { name: name ?? '', email: email ?? '' }, date: date ?? '', subject: subject ?? '', body: (body ?? '').trim() };
    });
}

async function describe(commit: LogCommit, reader: SnapshotReader, wave: string | undefined, user: string | undefined): Promise<HistoryEntry | undefined> {
  const now = await reader.at(commit.sha);
  const before = commit.parent ? await reader.at(commit.parent) : EMPTY_SNAPSHOT;
  const files = changedFiles(before, now);
  const changed = new Set(files);
  const waves: WaveChange[] = [];
  for (const name of new Set([...before.waves.keys(), ...now.waves.keys()])) {
    const a = before.waves.get(name);
    const b = now.waves.get(name);
    const touched = [a?.file, b?.file, csvPath(a), csvPath(b)].some((f) => f !== undefined && changed.has(f));
    if (!touched) continue;
    const change: WaveChange['change'] = !a ? 'added' : !b ? 'removed' : JSON.stringify(a) !== JSON.stringify(b) || !sameSet(before.members.get(name), now.members.get(name)) ? 'changed' : 'unchanged';
    waves.push({ name, change, ...(b ? { now: b } : {}), ...(a ? { before: a } : {}) });
  }
  waves.sort((x, y) => (x.name < y.name ? -1 : 1));

  let shown = waves;
  let placement: UserPlacement | undefined;
  if (wave !== undefined) {
    shown = waves.filter((w) => w.name === wave);
    if (shown.length === 0) return undefined;
  }
  if (user !== undefined) {
    const lists = (s: Snapshot, w: string) => s.members.get(w)?.has(user) ?? false;
    const relevant = waves.filter((w) => lists(before, w.name) || lists(now, w.name));
    if (relevant.length === 0) return undefined;
    if (wave === undefined) shown = relevant;
    const nowWave = [...now.waves.keys()].find((w) => lists(now, w)) ?? null;
    const beforeWave = [...before.waves.keys()].find((w) => lists(before, w)) ?? null;
    placement = {
      address: user,
      wave: nowWave,
      ...(nowWave && now.waves.get(nowWave)?.phase ? { phase: now.waves.get(nowWave)!.phase } : {}),
      previousWave: beforeWave,
      ...(beforeWave && before.waves.get(beforeWave)?.phase ? { previousPhase: before.waves.get(beforeWave)!.phase } : {}),
    };
  }
  const projectChanged = [before.projectFile, now.projectFile].some((f) => f !== undefined && changed.has(f));
  return {
    ...commitFields(commit),
    files,
    projectChanged,
    waves: shown,
    ...(placement ? { user: placement } : {}),
    broken: now.broken.filter((f) => changed.has(f)),
    applies: [],
  };
}

/** What every history entry says of its commit. */
function commitFields(commit: LogCommit) {
  return { commit: commit.sha, author: commit.author, date: commit.date, subject: commit.subject, body: commit.body, ...revertOf(commit) };
}

/** The commits whose parents a shallow clone cut off (git lists them in $GIT_DIR/shallow). */
async function shallowCommits(git: SimpleGit, root: string): Promise<Set<string>> {
  if ((await git.raw(['rev-parse', '--is-shallow-repository']).catch(() => '')).trim() !== 'true') return new Set();
  const file = (await git.raw(['rev-parse', '--git-path', 'shallow']).catch(() => '')).trim(); // relative to root
  const text = file ? await readFile(resolve(root, file), 'utf8').catch(() => '') : '';
  return new Set(text.split('\n').map((l) => l.trim()).filter(Boolean));
}

/** A commit whose parent is not in this shallow clone: git shows it as a root commit, but it
 *  did not add every file; what it changed is unknown, so it is shown with its declarations. */
async function describeShallow(commit: LogCommit, reader: SnapshotReader, wave: string | undefined, user: string | undefined): Promise<HistoryEntry | undefined> {
  const now = await reader.at(commit.sha);
  const listed = (w: string) => user !== undefined && (now.members.get(w)?.has(user) ?? false);
  let waves: WaveChange[] = [...now.waves.values()].map((d) => ({ name: d.name, change: 'unknown' as const, now: d })).sort((x, y) => (x.name < y.name ? -1 : 1));
  if (wave !== undefined) waves = waves.filter((w) => w.name === wave);
  if (user !== undefined && wave === undefined) waves = waves.filter((w) => listed(w.name));
  if ((wave !== undefined || user !== undefined) && waves.length === 0) return undefined;
  const nowWave = [...now.waves.keys()].find(listed) ?? null;
  return {
    ...commitFields(commit),
    shallow: true,
    files: [],
    projectChanged: false,
    waves,
    ...(user !== undefined ? { user: { address: user, wave: nowWave, ...(nowWave && now.waves.get(nowWave)?.phase ? { phase: now.waves.get(nowWave)!.phase } : {}) } } : {}),
    broken: now.broken,
    applies: [],
  };
}

function changedFiles(before: Snapshot, now: Snapshot): string[] {
  const out: string[] = [];
  for (const [f, id] of now.files) if (before.files.get(f) !== id) out.push(f);
  for (const f of before.files.keys()) if (!now.files.has(f)) out.push(f);
  return out.sort();
}

function csvPath(w: WaveDeclaration | undefined): string | undefined {
  return w?.members.csv?.replace(/^\.\//, '');
}

function sameSet(a: Set<string> | undefined, b: Set<string> | undefined): boolean {
  if (!a || !b) return a === b;
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** `git revert` writes `Revert "<subject>"` and `This reverts commit <sha>.` */
function revertOf(c: LogCommit): { revert?: { of?: string; subject?: string } } {
  const sha = /This reverts commit ([0-9a-f]{7,64})/.exec(c.body)?.[1];
  const subject = /^Revert "(.*)"$/.exec(c.subject)?.[1];
  if (!sha && !subject) return {};
  return { revert: { ...(sha ? { of: sha } : {}), ...(subject ? { subject } : {}) } };
}

function summarise(r: ApplyRecord, user: string | undefined): HistoryApply {
  return {
    commit: r.commit,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    appliedBy: r.appliedBy,
    result: r.result,
    dirty: r.dirty,
    counts: r.counts,
    ...(r.planHash ? { planHash: r.planHash } : {}),
    ...(user !== undefined ? { changes: r.changes.filter((c) => c.user?.toLowerCase() === user) } : {}),
    ...refusedOf(r, user),
  };
}

function refusedOf(r: ApplyRecord, user: string | undefined): Pick<HistoryApply, 'refused'> {
  const refused = (r.refused ?? []).filter((x) => user === undefined || x.user.toLowerCase() === user);
  return refused.length ? { refused } : {};
}
