// Load a project for a command that needs valid manifests: on errors, print the diagnostics and
// throw one UserError naming the directory and pointing at `t2t validate`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { closest } from '../util/suggest.js';
import type { Project } from '../manifest/model.js';
import { UserError } from '../errors.js';
import { loadProject } from '../manifest/load-project.js';
import { diagnosticBase, isError, renderDiagnostics } from '../manifest/diagnostics.js';

/** The project directory exists and is a directory; else one line saying which it is not
 *  (`t2t plan projects/x/project.yaml` names a file: the hint names its directory). */
export function requireProjectDir(dirArg: string, dir: string): void {
  if (!existsSync(dir)) {
    const near = nearProjectDir(dirArg, dir);
    if (near) throw new UserError(`project directory '${dirArg}' does not exist (did you mean '${near}'?)`, 'cli.noDirectory', `run it again with ${near}`);
    throw new UserError(`project directory '${dirArg}' does not exist`, 'cli.noDirectory', 'pass the directory that holds project.yaml, e.g. examples/contoso-fabrikam');
  }
  if (!statSync(dir).isDirectory()) {
    throw new UserError(`'${dirArg}' is a file, not a project directory`, 'cli.noDirectory', `pass the directory that holds project.yaml: ${dirname(dirArg) || '.'}`);
  }
}

/** A project directory beside the missing one (holding a project.yaml) whose name is a likely
 *  typo of its name, as the user would write it; undefined when there is none. */
function nearProjectDir(dirArg: string, dir: string): string | undefined {
  const parent = dirname(dir);
  let names: string[];
  try {
    names = readdirSync(parent, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(parent, e.name, 'project.yaml')))
      .map((e) => e.name);
  } catch {
    return undefined;
  }
  const name = closest(basename(dir), names);
  if (!name) return undefined;
  const shownParent = dirname(dirArg.replace(/[\\/]+$/, ''));
  return shownParent === '.' ? name : `${shownParent}/${name}`;
}

/** The project of `dirArg` (relative to `cwd`), or, when its manifests are not valid, undefined
 *  and their errors printed, paths as they open from `cwd`. Commands that name the failure with a
 *  code of their own (discover, tenants) use this; the others loadValidProject. */
export async function loadProjectOrPrint(dirArg: string, cwd: string, printDiagnostics: (text: string) => void): Promise<{ project?: Project; errors: number }> {
  const dir = resolve(cwd, dirArg);
  requireProjectDir(dirArg, dir);
  const loaded = await loadProject(dir);
  if (loaded.project) return { project: loaded.project, errors: 0 };
  const errors = loaded.diagnostics.filter(isError);
  if (errors.length) printDiagnostics(renderDiagnostics(errors, diagnosticBase(cwd, dir)));
  return { errors: errors.length };
}

export async function loadValidProject(
  dirArg: string | undefined,
  cwd: string,
  verb: string,
  printDiagnostics: (text: string) => void,
): Promise<Project> {
  const shown = dirArg ?? '.';
  const { project, errors } = await loadProjectOrPrint(shown, cwd, printDiagnostics);
  if (project) return project;
  throw new UserError(
    `cannot ${verb}: the manifests in ${shown} are not valid (${errors} error${errors === 1 ? '' : 's'})`,
    'project.invalid',
    `fix them first; 't2t validate ${shown}' lists them`,
  );
}
