// A PFX holds a private key (encrypted with its password): it belongs beside the manifests, never
// in their repository. `t2t certs` warns of a PFX file that git tracks (it is in the history: the
// certificate must be replaced) or that git would add with the next `git add -A` (not ignored):
// a project copied into a repository of its own has no .gitignore for it, and `t2t certs
// --self-signed` writes its files into the project directory.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { CertDiagnostic } from './validate.js';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<boolean> {
  return (await gitExit(cwd, args)) === 0;
}

/** git's exit code: check-ignore exits 1 for "not ignored" but 128 when it cannot answer (a path
 *  outside the repository), which is no finding. */
async function gitExit(cwd: string, args: string[]): Promise<number> {
  try {
    await run('git', args, { cwd, windowsHide: true });
    return 0;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'number' ? code : -1;
  }
}

/** For each certificate whose PFX file exists in a git work tree: a warning when git tracks it or
 *  would commit it. No git, or no repository: nothing to say. */
export async function pfxExposure(projectDir: string, files: readonly { name: string; file: string }[]): Promise<Map<string, CertDiagnostic>> {
  const found = new Map<string, CertDiagnostic>();
  if (!(await git(projectDir, ['rev-parse', '--is-inside-work-tree']))) return found;
  for (const { name, file } of files) {
    const path = resolve(projectDir, file);
    if (!existsSync(path)) continue;
    if (await git(projectDir, ['ls-files', '--error-unmatch', '--', path])) {
      found.set(name, {
        code: 'cert-in-git',
        severity: 'warning',
        certificate: name,
        message: `${file} is committed to git: its private key is in the repository's history, protected only by its password`,
        hint: `replace the certificate (a new key), remove the file from git (git rm --cached ${file}) and git-ignore it (*.pfx in .gitignore)`,
      });
    } else if ((await gitExit(projectDir, ['check-ignore', '-q', '--', path])) === 1) {
      // 1: in the work tree and not ignored. A PFX kept outside the repository (pfxFile:
      // ../secrets/x.pfx), as it should be, makes git fail (128): no warning
      found.set(name, {
        code: 'cert-not-ignored',
        severity: 'warning',
        certificate: name,
        message: `${file} is not git-ignored: the next 'git add -A' would commit its private key`,
        hint: "add '*.pfx' to the repository's .gitignore",
      });
    }
  }
  return found;
}
