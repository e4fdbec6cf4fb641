// `t2t status [DIR] [--wave NAME] [--output text|json|csv]`: per wave and user the declared and
// observed phase, paused, conditions and the last apply error (SPEC section 4's status JSON).
import type { Command } from '../command.js';
import { bool, str } from '../command.js';
import { err, out } from '../io.js';
import { UserError } from '../../errors.js';

const OUTPUTS = ['text', 'json', 'csv'] as const;

const command: Command = {
  name: 'status',
  summary: 'declared and observed phase per wave and user',
  usage: '[DIR] [options]',
  description: `
Shows, per wave and user, the declared phase (the manifests), the observed phase (the tenants and
the migration marker: unmatched, matched, prepared, synced, cutover-partial, cutover, failed),
whether the wave is paused, the last apply error of the user, and conditions (Ready, Progressing,
Blocked with a reason) that say why a wave is not moving. Reads the discovery cache; discovers
(delta) first when the cache is missing or older than five minutes. --output csv exports one row
per user with the source and target user types (columns wave, source, sourceType, target,
targetType, declared, phase, paused, error); a cell that begins with =, +, -, @, a tab or a carriage
return (tenant or manifest text a spreadsheet would run as a formula) is written with a leading '
inside quotes, so it opens as text.`,
  options: {
    wave: { type: 'string', value: 'NAME', description: 'show this wave only' },
    output: { type: 'string', short: 'o', value: 'FORMAT', default: 'text', description: 'text, json or csv' },
    offline: { type: 'boolean', description: 'use the cache only, never discover' },
  },
  examples: ['t2t status projects/contoso-fabrikam', 't2t status --wave wave-01-pilot -o json', 't2t status -o csv > users.csv'],
  async run(args, io) {
    const output = str(args.values, 'output') ?? 'text';
    if (!(OUTPUTS as readonly string[]).includes(output)) throw new UserError(`unknown output format '${output}'`, 'cli.badOutput', 'use --output text, json or csv');
    const { loadValidProject } = await import('../../workflow/load-valid-project.js');
    const project = await loadValidProject(args.positionals[0], io.cwd, 'show the status', (t) => err(io, t));
    const wave = str(args.values, 'wave');
    if (wave) (await import('../../workflow/require-wave.js')).requireWave(project, wave);
    const { projectStatus, renderStatusCsv, renderStatusText } = await import('../../apply/status-report.js');
    const { report, rows } = await projectStatus(project, { env: io.env, signal: io.signal, ...(wave ? { wave } : {}), refresh: bool(args.values, 'offline') ? 'never' : 'auto' });
    if (output === 'json') out(io, JSON.stringify(report, null, 2));
    else if (output === 'csv') io.stdout.write(renderStatusCsv(rows()));
    else out(io, renderStatusText(report));
    return 0;
  },
};

export default command;
