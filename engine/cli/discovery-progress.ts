// Discovery progress on stderr: a rewriting line on a terminal, otherwise one line per finished
// step so CI logs stay readable. Shared by discover, plan and apply.
import type { DiscoveryProgress } from '../discovery/discover.js';
import { err, type CliIO } from './io.js';

const UNITS: Record<string, [string, string]> = {
  domains: ['request', 'domains'],
  licences: ['request', 'licences'],
  groups: ['pages', 'groups'],
  users: ['pages', 'users'],
  recipients: ['cmdlets', 'recipients'],
  markers: ['batches', 'markers read'],
  content: ['users', 'sized'],
};

export function describeProgress(e: DiscoveryProgress): string {
  const [unit, what] = UNITS[e.step] ?? ['pages', 'objects'];
  if (e.step === 'content') return `${e.tenant}: content sizes, ${e.objects} users`;
  if (e.step === 'domains' || e.step === 'licences') return `${e.tenant}: ${e.objects} ${what}`;
  return `${e.tenant}: ${e.step}, ${e.pages} ${unit}, ${e.objects} ${what}`;
}

export function discoveryProgress(io: CliIO, prefix = ''): { update: (e: DiscoveryProgress) => void; end: () => void } {
  const tty = Boolean(io.stderr.isTTY);
  let open = false;
  return {
    update(e) {
      if (tty) {
        io.stderr.write(`\r\u001b[K${prefix}${describeProgress(e)}`);
        open = true;
      } else if (e.done) {
        err(io, prefix + describeProgress(e));
      }
    },
    end() {
      if (open) io.stderr.write('\r\u001b[K');
      open = false;
    },
  };
}
