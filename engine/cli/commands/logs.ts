// `t2t logs [DIR] --user ADDRESS | --wave NAME [--output text|json]`: the job log apply wrote for
// one user (every step: start, done, failed with its error, skipped) or for a whole wave.
import type { Command } from '../command.js';
import { str } from '../command.js';
import { err, out } from '../io.js';
import { UserError } from '../../errors.js';
import { requireWave } from '../../workflow/require-wave.js';
import { displaySafe } from '../../plan/display-safe.js';
import type { Project } from '../../manifest/model.js';
import { closest } from '../../util/suggest.js';
import { withoutPlusTag } from '../../matching/normalize.js';

const OUTPUTS = ['text', 'json'] as const;

const command: Command = {
  name: 'logs',
  summary: 'the job log of one user or wave',
  usage: '[DIR] (--user ADDRESS | --wave NAME) [options]',
  description: `
Prints the job log of one user (--user, the source address) or of every user of a wave (--wave):
each step apply ran, with its result, the writes it sent, and for a failure the error and a hint.
Job logs live in DIR/.t2t/logs (a cache: deleting it loses the history, never progress).`,
  options: {
    user: { type: 'string', value: 'ADDRESS', description: 'the source address of the user' },
    wave: { type: 'string', value: 'NAME', description: 'every user of this wave' },
    output: { type: 'string', short: 'o', value: 'FORMAT', default: 'text', description: 'text or json (one JSON object a line)' },
  },
  examples: ['t2t logs --user alice@contoso.com', 't2t logs --wave wave-01-pilot -o json'],
  async run(args, io) {
    const output = str(args.values, 'output') ?? 'text';
    if (!(OUTPUTS as readonly string[]).includes(output)) throw new UserError(`unknown output format '${output}'`, 'cli.badOutput', 'use --output text or --output json');
    const user = str(args.values, 'user')?.trim().toLowerCase();
    const wave = str(args.values, 'wave');
    if (!user && !wave) throw new UserError('say whose log to show', 'logs.noFilter', 'pass --user ADDRESS or --wave NAME');
    const { loadValidProject } = await import('../../workflow/load-valid-project.js');
    const project = await loadValidProject(args.positionals[0], io.cwd, 'show logs', (t) => err(io, t));
    if (wave) requireWave(project, wave);
    const { stateDirPath } = await import('../../state/paths.js');
    const { readJobLog } = await import('../../state/job-log.js');
    const stateDir = stateDirPath(project.dir, io.env);
    const entries = await readJobLog(stateDir, { ...(user ? { user } : {}), ...(wave ? { wave } : {}) });
    if (output === 'json') {
      for (const e of entries) out(io, JSON.stringify(e));
      return 0;
    }
    if (!entries.length) {
      // alice+tag@ with no log, when alice@ is listed or has a log: a +tag names another address
      const base = user ? withoutPlusTag(user) : undefined;
      const plusOf = base !== undefined && (listedAddresses(project).has(base) || (await readJobLog(stateDir, { user: base, ...(wave ? { wave } : {}) })).length > 0) ? base : undefined;
      out(io, `No job log for ${user ?? `wave ${wave}`} yet (apply writes one per user).${user ? notListed(project, user, plusOf) : ''}`);
      return 0;
    }
    for (const e of entries) {
      const parts = [e.time, e.level.toUpperCase().padEnd(5), e.wave, e.user, e.event];
      const op = typeof e['op'] === 'string' ? e['op'] : '';
      const extra = [op, e.message ?? '', typeof e['error'] === 'string' ? e['error'] : '', typeof e['status'] === 'string' ? e['status'] : '', typeof e['hint'] === 'string' ? `(hint: ${e['hint']})` : ''].filter(Boolean).join(' ');
      // errors and messages carry tenant text: one entry is one line, with no escape sequence
      // reaching the terminal (as status prints the same errors)
      out(io, displaySafe(`${parts.join(' ')}${extra ? ` ${extra}` : ''}`));
    }
    return 0;
  },
};

function listedAddresses(project: Project): Set<string> {
  return new Set(project.waves.flatMap((w) => [...w.members.users, ...w.members.csvUsers]));
}

/** For an address no wave lists by name: say so, with the closest listed address (a typo), or
 *  `plusOf`, the address without its +tag, when that one is a user's. */
function notListed(project: Project, user: string, plusOf?: string): string {
  const plus = plusOf ? ` Did you mean ${plusOf}? (plus-addressing is not folded)` : '';
  const listed = listedAddresses(project);
  if (listed.has(user)) return plus;
  const match = plusOf ? undefined : closest(user, listed);
  const groups = project.waves.some((w) => w.members.groups.length > 0) ? ' (a member that comes from a group is known only after discovery)' : '';
  return `\nNo wave of ${project.name} lists ${user} by name${groups}.${match ? ` Did you mean ${match}?` : plus}`;
}

export default command;
