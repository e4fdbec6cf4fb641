// `t2t history [DIR] [--wave NAME] [--user ADDRESS] [--output text|json] [--limit N]`: the git
// history of the manifests joined with the apply records (git notes under refs/notes/t2t).
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { str } from '../command.js';
import { out } from '../io.js';
import { UserError } from '../../errors.js';

const OUTPUTS = ['text', 'json'] as const;

const command: Command = {
  name: 'history',
  summary: 'manifest commits joined with their apply records',
  usage: '[DIR] [options]',
  description: `
Lists the commits that changed the project's manifests, newest first (along the first-parent
chain of HEAD: on a branch that merges pull requests, the merges), with what each declared per
wave (phase, paused, emailRewrite, members) and every apply of it: when, by whom, with what
result. Reverts are marked. Apply records are git notes under refs/notes/t2t: in a fresh clone,
fetch them first (git fetch origin refs/notes/t2t:refs/notes/t2t, or see docs/gitops.md).
--user follows one address through the waves that list it by name or in their CSV (members
that come from a group are only known after discovery and are not followed).`,
  options: {
    wave: { type: 'string', value: 'NAME', description: "only commits that changed this wave's file or CSV" },
    user: { type: 'string', value: 'ADDRESS', description: 'only commits that moved this user, with the changes applied to it' },
    output: { type: 'string', short: 'o', value: 'FORMAT', default: 'text', description: 'text or json' },
    limit: { type: 'string', value: 'N', description: 'show at most N commits' },
  },
  examples: ['t2t history projects/contoso-fabrikam', 't2t history --wave wave-01-pilot', 't2t history --user alice@contoso.com -o json'],
  async run(args, io) {
    const output = str(args.values, 'output') ?? 'text';
    if (!(OUTPUTS as readonly string[]).includes(output)) {
      throw new UserError(`unknown output format '${output}'`, 'cli.badOutput', `use --output ${OUTPUTS.join(' or --output ')}`);
    }
    const limitText = str(args.values, 'limit');
    let limit: number | undefined;
    if (limitText !== undefined) {
      limit = Number(limitText);
      if (!Number.isInteger(limit) || limit < 1) throw new UserError(`--limit must be a whole number of at least 1, got '${limitText}'`, 'cli.badLimit', 'for example --limit 10');
    }
    const dir = resolve(io.cwd, args.positionals[0] ?? '.');
    const { history } = await import('../../gitops/history.js');
    const wave = str(args.values, 'wave');
    const user = str(args.values, 'user');
    const h = await history(dir, { ...(wave ? { wave } : {}), ...(user ? { user } : {}), ...(limit ? { limit } : {}) });
    if (output === 'json') {
      out(io, JSON.stringify(h, null, 2));
    } else {
      const { renderHistoryText } = await import('../../gitops/render-history.js');
      out(io, renderHistoryText(h));
    }
    return 0;
  },
};

export default command;
