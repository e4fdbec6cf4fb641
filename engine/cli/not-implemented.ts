// Placeholder for commands whose issue has not landed yet: an honest, one-line refusal.
import type { Command } from './command.js';
import { UserError } from '../errors.js';

export function notImplemented(name: string, summary: string, issue: string): Command {
  return {
    name,
    summary,
    usage: '[DIR] [options]',
    description: `Not available in this version yet (${issue}).`,
    options: {},
    maxPositionals: Infinity,
    async run() {
      throw new UserError(`'t2t ${name}' is not implemented in this version yet`, 'cli.notImplemented', `see ${issue}`);
    },
  };
}
