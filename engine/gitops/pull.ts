// Reconcile's pull: fetch the remote the checked-out branch tracks and fast-forward to it. Never
// a merge, rebase or reset: a controller applies only what is on the remote (reviewed), so a
// checkout that is ahead of or diverged from it is refused and left alone for a human.
import { findRepo } from './revision.js';
import { gitAt, gitMessage } from './git-client.js';

export type PullResult =
  | { status: 'up-to-date'; commit: string; remote: string; upstream: string }
  | { status: 'updated'; from: string; to: string; commits: number; remote: string; upstream: string }
  | { status: 'refused'; reason: 'ahead' | 'diverged' | 'merge-failed'; message: string; commit: string; upstream: string }
  | { status: 'fetch-failed'; message: string; remote: string }
  | { status: 'skipped'; message: string };

export async function pullManifests(projectDir: string, options: { signal?: AbortSignal } = {}): Promise<PullResult> {
  const repo = await findRepo(projectDir);
  if (!repo) return { status: 'skipped', message: `${projectDir} is not in a git repository: nothing to pull` };
  const git = gitAt(repo.root, options.signal ? { signal: options.signal } : {});
  const branch = (await git.raw(['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '')).trim();
  if (!branch) return { status: 'skipped', message: 'HEAD is detached: check out the branch to follow (e.g. git switch main) so reconcile can pull it' };
  const remote = (await git.raw(['config', '--get', `branch.${branch}.remote`]).catch(() => '')).trim();
  const upstream = (await git.raw(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']).catch(() => '')).trim();
  if (!remote || !upstream || remote === '.') {
    return { status: 'skipped', message: `branch ${branch} tracks no remote branch: set one with git branch --set-upstream-to=origin/${branch}, or run with --no-pull` };
  }
  try {
    await git.raw(['fetch', '--quiet', '--prune', remote]);
  } catch (e) {
    return { status: 'fetch-failed', message: `git fetch ${remote} failed: ${gitMessage(e)}`, remote };
  }
  const local = (await git.raw(['rev-parse', 'HEAD'])).trim();
  const theirs = (await git.raw(['rev-parse', '@{upstream}'])).trim();
  if (local === theirs) return { status: 'up-to-date', commit: local, remote, upstream };
  // a is an ancestor of b when it is their merge base (simple-git does not surface the exit
  // status of `merge-base --is-ancestor`, which reports through it alone)
  const isAncestor = async (a: string, b: string) => (await git.raw(['merge-base', a, b]).catch(() => '')).trim() === a;
  if (!(await isAncestor(local, theirs))) {
    const ahead = await isAncestor(theirs, local);
    const count = (await git.raw(['rev-list', '--count', `${theirs}..${local}`])).trim();
    return {
      status: 'refused',
      reason: ahead ? 'ahead' : 'diverged',
      message: ahead
        ? `not pulling: ${branch} has ${count} local commit(s) that are not on ${upstream}; reconcile applies only what is on the remote — push them through a pull request, or move this checkout back to ${upstream} by hand`
        : `not pulling: ${branch} (${local.slice(0, 12)}) and ${upstream} (${theirs.slice(0, 12)}) have diverged and cannot be fast-forwarded; reconcile never resets — move this checkout to ${upstream} by hand`,
      commit: local,
      upstream,
    };
  }
  const commits = Number((await git.raw(['rev-list', '--count', `${local}..${theirs}`])).trim());
  try {
    await git.raw(['merge', '--ff-only', '--quiet', theirs]);
  } catch (e) {
    return { status: 'refused', reason: 'merge-failed', message: `fast-forward to ${upstream} failed: ${gitMessage(e)} (local changes in the checkout? reconcile's checkout must stay clean)`, commit: local, upstream };
  }
  return { status: 'updated', from: local, to: theirs, commits, remote, upstream };
}
