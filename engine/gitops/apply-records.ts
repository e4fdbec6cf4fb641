// Apply records (SPEC section 5): every apply appends one JSON line to the git note of the manifest
// commit it applied, under refs/notes/t2t. Notes travel with `git push/fetch` of that ref, so the
// record survives a fresh clone and `t2t history` can join it to the commit that declared it.
//
// Several applies of one commit append to the same note (`git notes append`: one JSON document
// per paragraph). Records pass through engine/state redact() before they are written: a record
// never carries a secret. Concurrent writers on different machines are reconciled when notes are
// exchanged: fetchNotes merges the remote's notes with the `cat_sort_uniq` strategy, which keeps
// every line of both sides (readers sort by time).
import { hostname, userInfo } from 'node:os';
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { redact } from '../state/redact.js';
import { gitAt, gitMessage } from './git-client.js';

export const NOTES_REF = 'refs/notes/t2t';
export const APPLY_RECORD_FORMAT_VERSION = 1;

/** `refused`: the plan had no change to make, only users it refused (past the point of no return). */
export type ApplyResult = 'succeeded' | 'partial' | 'failed' | 'stopped' | 'refused';
export type ChangeStatus = 'done' | 'failed' | 'skipped';

export interface ApplyRecordChange {
  id: string;
  wave: string;
  /** Source address, lower case; absent for wave- or tenant-level changes. */
  user?: string;
  resource: string;
  /** The step that ran, e.g. "createUser", "setForwarding". */
  op?: string;
  action: string; // create | update | delete | run
  status: ChangeStatus;
  /** The cause, as shown to the user (redacted). */
  error?: string;
}

export interface ApplyRecord {
  formatVersion: typeof APPLY_RECORD_FORMAT_VERSION;
  project: string;
  /** The manifest commit applied (the note is attached to it). */
  commit: string;
  /** The working tree had uncommitted changes (apply --allow-dirty). */
  dirty: boolean;
  appliedBy: { name: string; email: string; host: string };
  startedAt: string; // ISO 8601
  finishedAt: string; // ISO 8601
  /** The saved plan's hash, when apply ran `--plan FILE`. */
  planHash?: string;
  result: ApplyResult;
  waves: { name: string; phase: string; paused: boolean }[];
  changes: ApplyRecordChange[];
  counts: { total: number; done: number; failed: number; skipped: number };
  /** Users the plan refused and the apply left as they were (a rollback past the point of no
   *  return); absent when none (records before the ninth session never have it). */
  refused?: { user: string; wave?: string; reason: string }[];
}

/** Who runs the apply: git's user.name/user.email of the repository, and this host. */
export async function appliedBy(repoDir: string): Promise<ApplyRecord['appliedBy']> {
  const git = gitAt(repoDir);
  const name = (await git.raw(['config', '--get', 'user.name']).catch(() => '')).trim();
  const email = (await git.raw(['config', '--get', 'user.email']).catch(() => '')).trim();
  return { name: name || osUser(), email, host: hostname() };
}

/** Counts from the changes, so an executor need not keep them twice. */
export function countChanges(changes: readonly ApplyRecordChange[]): ApplyRecord['counts'] {
  const counts = { total: changes.length, done: 0, failed: 0, skipped: 0 };
  for (const c of changes) counts[c.status]++;
  return counts;
}

/** Appends the record to the note of `record.commit`. The commit must exist in the repository. */
export async function writeApplyRecord(repoDir: string, record: ApplyRecord): Promise<void> {
  if (record.formatVersion !== APPLY_RECORD_FORMAT_VERSION) throw new Error(`apply record formatVersion must be ${APPLY_RECORD_FORMAT_VERSION}`);
  const git = await notesGit(repoDir);
  try {
    await git.raw(['cat-file', '-e', `${record.commit}^{commit}`]);
  } catch {
    throw new UserError(
      `cannot record the apply: commit ${record.commit} is not in the repository at ${repoDir}`,
      'gitops.unknownCommit',
      'apply records attach to the manifest commit that was applied: fetch it, or apply from a checkout of it',
    );
  }
  const line = JSON.stringify(redact(record));
  try {
    await git.raw(['notes', '--ref', NOTES_REF, 'append', '-m', line, record.commit]);
  } catch (e) {
    throw new UserError(`cannot write the apply record to ${NOTES_REF}: ${gitMessage(e)}`, 'gitops.notesWrite', `check that ${repoDir} is a writable git repository`);
  }
}

/** The apply records of one commit, or of every commit, oldest first. Reads refs/notes/t2t and the
 *  remote-tracking notes refs that configureNotesFetch sets up (refs/notes/remotes/<remote>/t2t),
 *  so a plain `git fetch` is enough to see other machines' applies. */
export async function readApplyRecords(repoDir: string, options: { commit?: string } = {}): Promise<ApplyRecord[]> {
  if (options.commit !== undefined) {
    const git = gitAt(repoDir);
    const commit = (await git.raw(['rev-parse', '--verify', '--quiet', `${options.commit}^{commit}`]).catch(() => '')).trim();
    if (!commit) return [];
    const texts: string[] = [];
    for (const ref of await notesRefs(repoDir)) {
      texts.push(await git.raw(['notes', '--ref', ref, 'show', commit]).catch(() => ''));
    }
    return parseRecords(texts);
  }
  return [...(await readAllApplyRecords(repoDir)).values()].flat().sort(byTime);
}

/** Every commit that has apply records, with them (oldest first). */
export async function readAllApplyRecords(repoDir: string): Promise<Map<string, ApplyRecord[]>> {
  const git = gitAt(repoDir);
  const byCommit = new Map<string, string[]>();
  for (const ref of await notesRefs(repoDir)) {
    const list = await git.raw(['notes', '--ref', ref, 'list']).catch(() => '');
    for (const row of list.split('\n')) {
      const [blob, commit] = row.trim().split(/\s+/);
      if (!blob || !commit) continue;
      const text = await git.raw(['cat-file', '-p', blob]).catch(() => '');
      byCommit.set(commit, [...(byCommit.get(commit) ?? []), text]);
    }
  }
  const result = new Map<string, ApplyRecord[]>();
  for (const [commit, texts] of byCommit) {
    const records = parseRecords(texts);
    if (records.length) result.set(commit, records);
  }
  return result;
}

/** Lines of one or more notes -> records: duplicates (the same line in two refs) once, lines that
 *  are not a record of a known format version skipped, oldest first. */
export function parseRecords(texts: readonly string[]): ApplyRecord[] {
  const seen = new Set<string>();
  const records: ApplyRecord[] = [];
  for (const text of texts) {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line.startsWith('{') || seen.has(line)) continue;
      seen.add(line);
      try {
        const r = JSON.parse(line) as ApplyRecord;
        if (r.formatVersion === APPLY_RECORD_FORMAT_VERSION && typeof r.commit === 'string' && typeof r.startedAt === 'string') records.push(r);
      } catch {
        // a line that is not JSON: someone edited the note by hand
      }
    }
  }
  return records.sort(byTime);
}

/** Brings the remote's apply records in: fetches its refs/notes/t2t into the remote-tracking
 *  notes ref and merges that into refs/notes/t2t (keeping every line of both). */
export async function fetchNotes(repoDir: string, remote: string, options: { signal?: AbortSignal } = {}): Promise<{ fetched: boolean }> {
  const git = await notesGit(repoDir, options.signal);
  let advertised: string;
  try {
    advertised = await git.raw(['ls-remote', remote, NOTES_REF]);
  } catch (e) {
    throw new UserError(`cannot reach the remote '${remote}' to fetch apply records: ${gitMessage(e)}`, 'gitops.notesFetch', 'check the remote URL and the credentials of this machine (git fetch should work)');
  }
  if (!advertised.trim()) return { fetched: false }; // nothing applied and pushed yet
  const tracking = trackingRef(remote);
  try {
    await git.raw(['fetch', '--quiet', remote, `+${NOTES_REF}:${tracking}`]);
    await mergeNotes(repoDir, tracking);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot fetch the apply records from '${remote}': ${gitMessage(e)}`, 'gitops.notesFetch', 'check the remote URL and the credentials of this machine (git fetch should work)');
  }
  return { fetched: true };
}

/** Publishes this repository's apply records: merges the remote's first, so a push never drops
 *  a record another machine pushed meanwhile; retried once if the remote moved in between. */
export async function pushNotes(repoDir: string, remote: string, options: { signal?: AbortSignal } = {}): Promise<{ pushed: boolean }> {
  const git = await notesGit(repoDir, options.signal);
  for (let attempt = 0; ; attempt++) {
    await fetchNotes(repoDir, remote, options);
    if (!(await refExists(repoDir, NOTES_REF))) return { pushed: false };
    try {
      await git.raw(['push', '--quiet', remote, `${NOTES_REF}:${NOTES_REF}`]);
      return { pushed: true };
    } catch (e) {
      if (attempt === 0 && /rejected|fetch first|non-fast-forward/i.test((e as Error).message)) continue;
      throw new UserError(`cannot push the apply records to '${remote}': ${gitMessage(e)}`, 'gitops.notesPush', `this machine needs push access to ${NOTES_REF} on the remote (in CI: a token with contents: write)`);
    }
  }
}

/** This repository's refs/notes/t2t holds records that were not pushed to `remote` (or fetched from
 *  it): it differs from the remote-tracking notes ref that fetchNotes keeps. False without records. */
export async function hasUnpublishedNotes(repoDir: string, remote: string): Promise<boolean> {
  const git = gitAt(repoDir);
  const sha = async (ref: string) => (await git.raw(['rev-parse', '--verify', '--quiet', ref]).catch(() => '')).trim();
  const local = await sha(NOTES_REF);
  return local !== '' && local !== (await sha(trackingRef(remote)));
}

/** Makes a plain `git fetch <remote>` bring the remote's apply records too (into
 *  refs/notes/remotes/<remote>/t2t, which readers include). Idempotent. */
export async function configureNotesFetch(repoDir: string, remote: string): Promise<{ added: boolean; refspec: string }> {
  const git = gitAt(repoDir);
  const refspec = `+${NOTES_REF}:${trackingRef(remote)}`;
  const current = (await git.raw(['config', '--get-all', `remote.${remote}.fetch`]).catch(() => '')).split('\n').map((l) => l.trim());
  if (current.includes(refspec)) return { added: false, refspec };
  const url = (await git.raw(['config', '--get', `remote.${remote}.url`]).catch(() => '')).trim();
  if (!url) throw new UserError(`there is no git remote named '${remote}' in ${repoDir}`, 'gitops.noRemote', "list the remotes with 'git remote -v'");
  await git.raw(['config', '--add', `remote.${remote}.fetch`, refspec]);
  return { added: true, refspec };
}

/** refs/notes/remotes/<remote>/t2t; a remote given as a URL or path gets a stable short name. */
export function trackingRef(remote: string): string {
  const name = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(remote) && !remote.includes('..') ? remote : `url-${createHash('sha256').update(remote).digest('hex').slice(0, 12)}`;
  return `refs/notes/remotes/${name}/t2t`;
}

async function mergeNotes(repoDir: string, from: string): Promise<void> {
  const git = await notesGit(repoDir);
  if (!(await refExists(repoDir, NOTES_REF))) {
    await git.raw(['update-ref', NOTES_REF, from]);
    return;
  }
  await git.raw(['notes', '--ref', NOTES_REF, 'merge', '--quiet', '--strategy=cat_sort_uniq', from]);
}

async function notesRefs(repoDir: string): Promise<string[]> {
  const out = await gitAt(repoDir).raw(['for-each-ref', '--format=%(refname)', 'refs/notes/']).catch(() => '');
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((r) => r === NOTES_REF || /^refs\/notes\/remotes\/[^/]+\/t2t$/.test(r));
}

async function refExists(repoDir: string, ref: string): Promise<boolean> {
  return (await gitAt(repoDir).raw(['rev-parse', '--verify', '--quiet', ref]).catch(() => '')).trim() !== '';
}

/** Writing notes makes commits on the notes ref: git needs a committer identity, which a CI
 *  runner often lacks. Fall back to "t2t" rather than fail the apply's bookkeeping. */
async function notesGit(repoDir: string, signal?: AbortSignal) {
  const git = gitAt(repoDir);
  const email = (await git.raw(['config', '--get', 'user.email']).catch(() => '')).trim();
  const name = (await git.raw(['config', '--get', 'user.name']).catch(() => '')).trim();
  const config: string[] = [];
  if (!name) config.push('user.name=t2t');
  if (!email) config.push(`user.email=t2t@${hostname()}`);
  return gitAt(repoDir, { config, ...(signal ? { signal } : {}) });
}

function byTime(a: ApplyRecord, b: ApplyRecord): number {
  return a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.finishedAt < b.finishedAt ? -1 : a.finishedAt > b.finishedAt ? 1 : 0;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
