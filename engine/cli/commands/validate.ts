// `t2t validate [DIR] [--output text|json]`: check a project's manifests, print every
// diagnostic at once, exit 0 when valid (warnings allowed), 1 otherwise.
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { str } from '../command.js';
import { colours, out, type CliIO } from '../io.js';
import { UserError } from '../../errors.js';
import { didYouMean } from '../../util/suggest.js';
import { loadProject } from '../../manifest/load-project.js';
import { requireProjectDir } from '../../workflow/load-valid-project.js';
import { diagnosticBase, renderDiagnostic, shownDiagnostics, type Diagnostic } from '../../manifest/diagnostics.js';
import { plural } from '../../util/plural.js';
import type { Project } from '../../manifest/model.js';

const OUTPUTS = ['text', 'json'];

const command: Command = {
  name: 'validate',
  summary: 'check the manifests of a project',
  usage: '[DIR] [options]',
  description: `
Reads every *.yaml / *.yml under DIR (recursively, skipping dot-directories and node_modules),
checks each document against its JSON Schema (schemas/) and then the project's rules
(references, one wave per user, no literal secrets, cron expressions, files that must exist).
Problems are reported at once as FILE:LINE:COL with the offending line (FILE as it opens from the
working directory; in JSON, relative to the project directory). The rules across files
(unique wave names, one wave per user, references) read only the documents valid against their
schema, so fixing a schema error can reveal more problems in that document. In text, past ten
problems of one code in one file the rest are counted in one line (JSON lists every one). Codes
are explained in docs/errors.md. Exit code 0 when valid (warnings allowed), 1 when there is any error.
Validation reads no secret and talks to no tenant, so it is safe in any CI job.`,
  options: {
    output: { type: 'string', short: 'o', value: 'FORMAT', default: 'text', description: 'text or json' },
  },
  examples: ['t2t validate                                 # the project in the current directory', 't2t validate examples/contoso-fabrikam', 't2t validate projects/acme --output json | jq .errors'],
  async run(args, io) {
    const output = str(args.values, 'output') ?? 'text';
    if (!OUTPUTS.includes(output)) {
      throw new UserError(`unknown output format '${output}'${didYouMean(output, OUTPUTS)}`, 'cli.badOption', 'use --output text or --output json');
    }
    const dirArg = args.positionals[0] ?? '.';
    const dir = resolve(io.cwd, dirArg);
    requireProjectDir(dirArg, dir);
    const result = await loadProject(dir);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
    const valid = result.project !== undefined;
    if (output === 'json') {
      const summary = result.project ? counts(result.project) : undefined;
      out(io, JSON.stringify({ valid, project: result.project?.name ?? null, ...(summary ? { summary } : {}), errors, warnings, ignoredFiles: result.ignoredFiles }, null, 2));
    } else {
      printText(io, result.project, result.diagnostics, errors, warnings, diagnosticBase(io.cwd, dir));
    }
    return valid ? 0 : 1;
  },
};

export function counts(p: Project): { waves: number; tenants: number; users: number } {
  const users = new Set<string>();
  for (const w of p.waves) for (const u of [...w.members.users, ...w.members.csvUsers]) users.add(u);
  return { waves: p.waves.length, tenants: p.tenants.length, users: users.size };
}

function printText(io: CliIO, project: Project | undefined, all: Diagnostic[], errors: Diagnostic[], warnings: Diagnostic[], base: string): void {
  const c = colours(io);
  const paint = (severity: Diagnostic['severity'], text: string) => (severity === 'error' ? c.red(text) : c.yellow(text));
  for (const s of shownDiagnostics(all, base, '--output json lists them all')) {
    if ('note' in s) {
      out(io, paint(s.severity, s.note));
      continue;
    }
    const [first, ...rest] = renderDiagnostic(s.diagnostic, base).split('\n');
    out(io, [paint(s.diagnostic.severity, first!), ...rest].join('\n'));
  }
  if (all.length > 0) out(io);
  const warned = warnings.length ? `, ${plural(warnings.length, 'warning')}` : '';
  if (project) {
    const n = counts(project);
    out(io, c.green(`✓ ${project.name}: 1 project, ${plural(n.waves, 'wave')}, ${plural(n.tenants, 'tenant')}, ${n.users} user${n.users === 1 ? '' : 's'} listed${warned}`));
  } else {
    // a diagnostic about the directory itself (file '.': no Project, several projects) is in no file
    const files = new Set([...errors, ...warnings].map((d) => d.file).filter((f) => f !== '.'));
    const where = files.size > 0 ? ` in ${plural(files.size, 'file')}` : '';
    out(io, c.red(`✗ ${plural(errors.length, 'error')}${warned}${where}`));
  }
}

export default command;
