// `t2t discover [DIR] [--full] [--tenant NAME] [--output text|json]`: read every tenant into the
// local cache. Progress on stderr (a rewriting line on a terminal, one line per tenant step
// otherwise), the report on stdout.
import type { Command } from '../command.js';
import { bool, str } from '../command.js';
import { err, out } from '../io.js';
import { UserError } from '../../errors.js';
import { resolve } from 'node:path';

const OUTPUTS = ['text', 'json'] as const;

const command: Command = {
  name: 'discover',
  summary: 'read every tenant into the local cache (delta after the first run)',
  usage: '[DIR] [options]',
  description: `
Reads users, groups, licences, domains and Exchange recipients of every tenant of the project into
DIR/.t2t/ (or T2T_STATE_DIR), the migration markers of target users, and the mailbox, archive and
OneDrive sizes of the source users that are members of some wave. After the first run only what
changed is read (Graph delta queries); --full reads everything again. Content sizes cost a few
requests per user and no delta query reports them, so a delta run reads again only the sizes
older than 24 hours, or older than 1 hour for the members of a wave whose cutoverAt is at most 7
days ahead (and the sizes of new wave members): a mailbox that grew since shows its old size, and
so does the plan's estimate, until then or until --full. The cache is only a cache: deleting it
loses nothing but time.`,
  options: {
    full: { type: 'boolean', description: 'ignore stored delta links and read every tenant in full' },
    tenant: { type: 'string', value: 'NAME', description: 'discover only this tenant' },
    output: { type: 'string', short: 'o', value: 'FORMAT', default: 'text', description: 'report format: text or json' },
  },
  examples: ['t2t discover projects/contoso-fabrikam', 't2t discover --tenant contoso --full', 't2t discover -o json > discovery.json'],
  async run(args, io) {
    const output = str(args.values, 'output') ?? 'text';
    if (!(OUTPUTS as readonly string[]).includes(output)) {
      throw new UserError(`unknown output format '${output}'`, 'cli.badOutput', `use --output ${OUTPUTS.join(' or --output ')}`);
    }
    const dir = resolve(io.cwd, args.positionals[0] ?? '.');
    const { loadProjectOrPrint } = await import('../../workflow/load-valid-project.js');
    const loaded = await loadProjectOrPrint(args.positionals[0] ?? '.', io.cwd, (t) => err(io, t));
    if (!loaded.project) {
      throw new UserError(
        `cannot discover: the manifests in ${args.positionals[0] ?? '.'} are not valid (${loaded.errors} error${loaded.errors === 1 ? '' : 's'})`,
        'discover.invalidProject',
        `fix them first; 't2t validate ${args.positionals[0] ?? '.'}' lists them`,
      );
    }
    const { stateDir } = await import('../../state/paths.js');
    const { discover } = await import('../../discovery/discover.js');
    const { renderReportText } = await import('../../discovery/report.js');
    const { discoveryProgress } = await import('../discovery-progress.js');
    const progress = discoveryProgress(io);
    const tenant = str(args.values, 'tenant');
    try {
      const { report } = await discover(loaded.project, {
        env: io.env,
        stateDir: stateDir(dir, io.env),
        full: bool(args.values, 'full'),
        ...(tenant !== undefined ? { tenant } : {}),
        signal: io.signal,
        onProgress: progress.update,
      });
      progress.end();
      out(io, output === 'json' ? JSON.stringify(report, null, 2) : renderReportText(report));
      return 0;
    } finally {
      progress.end();
    }
  },
};

export default command;
