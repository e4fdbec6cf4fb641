// Load a project for a command that needs valid manifests: on errors, print the diagnostics and
// throw one UserError naming the directory and pointing at `t2t validate`.
import { resolve } from 'node:path';
import type { Project } from '../manifest/model.js';
import { UserError } from '../errors.js';
import { loadProject } from '../manifest/load-project.js';
import { isError, renderDiagnostics } from '../manifest/diagnostics.js';

export async function loadValidProject(
  dirArg: string | undefined,
  cwd: string,
  verb: string,
  printDiagnostics: (text: string) => void,
): Promise<Project> {
  const shown = dirArg ?? '.';
  const loaded = await loadProject(resolve(cwd, shown));
  if (loaded.project) return loaded.project;
  const errors = loaded.diagnostics.filter(isError);
  if (errors.length) printDiagnostics(renderDiagnostics(errors));
  throw new UserError(
    `cannot ${verb}: the manifests in ${shown} are not valid (${errors.length} error${errors.length === 1 ? '' : 's'})`,
    'project.invalid',
    `fix them first; 't2t validate ${shown}' lists them`,
  );
}
