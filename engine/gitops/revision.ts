// Which manifest revision a plan or an apply runs from (SPEC sections 4 and 5): the commit checked
// out, and whether the files under the project directory differ from it. The project may be the
// repository root or any subdirectory of it; outside a repository there is no commit, and we say
// so instead of failing (apply records then cannot be kept).
import { existsSync, realpathSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import { STATE_DIR_NAME, stateDirPath } from '../state/paths.js';
import { gitAt, gitMessage } from './git-client.js';

export interface ManifestRevision {
  /** The commit checked out (HEAD), or null outside a repository or before the first commit. */
  commit: string | null;
  /** Files under the project directory differ from `commit` (modified, staged, deleted, or
   *  untracked manifest files; see dirtyFiles). */
  dirty: boolean;
  /** The branch checked out; absent on a detached HEAD. */
  branch?: string;
  /** The remote the branch tracks (or `origin`), by name. */
  remote?: string;
  /** That remote's URL, with any credentials removed. */
  remoteUrl?: string;
  /** Why `commit` is null, for the user. */
  note?: string;
}

export interface RepoLocation {
  /** Absolute, real path of the repository's top level. */
  root: string;
  /** The project directory relative to `root`, '/'-separated; '' when it is the root. */
  projectPath: string;
}

export interface DirtyState {
  dirty: boolean;
  /** Paths relative to the project directory, '/'-separated, sorted. */
  files: string[];
  /** False outside a git repository (nothing can be dirty there). */
  inRepo: boolean;
}

/** The repository holding `projectDir`, or undefined when it is not in one. */
export async function findRepo(projectDir: string): Promise<RepoLocation | undefined> {
  const dir = realDir(projectDir);
  if (!existsSync(dir)) return undefined;
  let root: string;
  try {
    root = (await gitAt(dir).revparse(['--show-toplevel'])).trim();
  } catch {
    return undefined;
  }
  if (!root) return undefined;
  root = realDir(root);
  const projectPath = relative(root, dir).split(sep).join('/');
  return { root, projectPath };
}

/** `inputs`: the project's manifest files (manifestInputs), relative to the project directory: an
 *  untracked file counts only when it is one of them. */
export async function manifestRevision(projectDir: string, env: NodeJS.ProcessEnv = process.env, inputs?: readonly string[]): Promise<ManifestRevision> {
  const repo = await findRepo(projectDir);
  if (!repo) {
    return { commit: null, dirty: false, note: `${projectDir} is not in a git repository: the revision is unknown and apply records cannot be kept` };
  }
  const git = gitAt(repo.root);
  const commit = await headCommit(repo.root);
  const { dirty } = await dirtyFiles(repo, projectDir, env, inputs);
  const revision: ManifestRevision = { commit, dirty };
  if (commit === null) revision.note = 'the repository has no commit yet: commit the manifests first';
  const branch = (await git.raw(['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '')).trim();
  if (branch) revision.branch = branch;
  const remote = await remoteOf(repo.root, branch);
  if (remote) {
    revision.remote = remote;
    const url = (await git.raw(['config', '--get', `remote.${remote}.url`]).catch(() => '')).trim();
    if (url) revision.remoteUrl = withoutCredentials(url);
  }
  return revision;
}

/** For apply's refusal: the files under the project directory that differ from HEAD. The state
 *  directory (.t2t/, or T2T_STATE_DIR when inside the project) never counts. */
export async function isWorkingTreeDirty(projectDir: string, env: NodeJS.ProcessEnv = process.env, inputs?: readonly string[]): Promise<DirtyState> {
  const repo = await findRepo(projectDir);
  if (!repo) return { dirty: false, files: [], inRepo: false };
  return { ...(await dirtyFiles(repo, projectDir, env, inputs)), inRepo: true };
}

/** Apply's guard (SPEC section 4): refuses a dirty working tree unless allowed, naming the files. */
export async function requireCleanWorkingTree(projectDir: string, options: { allowDirty?: boolean; env?: NodeJS.ProcessEnv; inputs?: readonly string[] } = {}): Promise<DirtyState> {
  const state = await isWorkingTreeDirty(projectDir, options.env, options.inputs);
  if (state.dirty && !options.allowDirty) {
    const shown = state.files.slice(0, 10).join(', ') + (state.files.length > 10 ? ` and ${state.files.length - 10} more` : '');
    throw new UserError(
      `the manifests in ${projectDir} have uncommitted changes: ${shown}`,
      'apply.dirtyWorkingTree',
      'commit them (an apply is recorded against a commit), or pass --allow-dirty to apply them anyway',
    );
  }
  return state;
}

export async function headCommit(repoRoot: string): Promise<string | null> {
  const sha = (await gitAt(repoRoot).raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).catch(() => '')).trim();
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

/**
 * The files under the project directory that differ from HEAD: modified, staged and deleted files
 * always; untracked ones only when they are manifest files (`inputs`, when given). A plan saved
 * into the project (`plan --out plan.json`, the markdown comment CI writes beside it) is no change
 * of the manifests, and must not mark its own plan dirty nor make apply refuse it; a new wave file
 * not yet committed is one.
 */
async function dirtyFiles(repo: RepoLocation, projectDir: string, env: NodeJS.ProcessEnv, inputs?: readonly string[]): Promise<{ dirty: boolean; files: string[] }> {
  const manifests = inputs ? new Set(inputs) : undefined;
  const git = gitAt(repo.root);
  const pathspec = repo.projectPath === '' ? '.' : repo.projectPath;
  let text: string;
  try {
    text = await git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=dirty', '--', pathspec]);
  } catch (e) {
    throw new UserError(`cannot read the git status of ${projectDir}: ${gitMessage(e)}`, 'git.status', 'check that the directory is a readable git working tree');
  }
  const stateRel = relative(realDir(projectDir), stateDirPath(realDir(projectDir), env)).split(sep).join('/');
  const ignored = (p: string) => p.split('/').includes(STATE_DIR_NAME) || (stateRel !== '' && !stateRel.startsWith('..') && (p === stateRel || p.startsWith(stateRel + '/')));
  const files = new Set<string>();
  const fields = text.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i]!;
    if (entry.length < 4) continue;
    const xy = entry.slice(0, 2);
    const path = entry.slice(3);
    if (xy.includes('R') || xy.includes('C')) i++; // the next field is the rename's source path
    const inProject = repo.projectPath === '' ? path : path.startsWith(repo.projectPath + '/') ? path.slice(repo.projectPath.length + 1) : undefined;
    if (inProject === undefined || ignored(inProject)) continue;
    if (xy === '??' && manifests && !manifests.has(inProject)) continue;
    files.add(inProject);
  }
  const sorted = [...files].sort();
  return { dirty: sorted.length > 0, files: sorted };
}

async function remoteOf(root: string, branch: string): Promise<string | undefined> {
  const git = gitAt(root);
  if (branch) {
    const tracked = (await git.raw(['config', '--get', `branch.${branch}.remote`]).catch(() => '')).trim();
    if (tracked && tracked !== '.') return tracked;
  }
  const remotes = (await git.raw(['remote']).catch(() => '')).split('\n').map((r) => r.trim()).filter(Boolean);
  return remotes.includes('origin') ? 'origin' : remotes[0];
}

/** https://user:token@host/x -> https://host/x: a token in a remote URL must not reach a plan. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

function realDir(dir: string): string {
  try {
    return realpathSync(resolve(dir));
  } catch {
    return resolve(dir);
  }
}
