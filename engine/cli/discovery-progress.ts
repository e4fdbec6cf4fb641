// Discovery progress on stderr: a rewriting line on a terminal, otherwise one line per finished
// step so CI logs stay readable. Shared by discover, plan and apply.
import type { DiscoveryProgress } from '../discovery/discover.js';
import { err, type CliIO } from './io.js';

/** Per step: the unit of its requests and what it reads, each as [one, many]. */
const UNITS: Record<string, [[string, string], [string, string]]> = {
  groups: [['page', 'pages'], ['group', 'groups']],
  users: [['page', 'pages'], ['user', 'users']],
  recipients: [['cmdlet', 'cmdlets'], ['recipient', 'recipients']],
  markers: [['batch', 'batches'], ['marker read', 'markers read']],
};

const count = (n: number, [one, many]: [string, string]) => `${n} ${n === 1 ? one : many}`;

export function describeProgress(e: DiscoveryProgress): string {
  if (e.step === 'content') return `${e.tenant}: content sizes, ${count(e.objects, ['user', 'users'])}`;
  if (e.step === 'domains') return `${e.tenant}: ${count(e.objects, ['domain', 'domains'])}`;
  if (e.step === 'licences') return `${e.tenant}: ${count(e.objects, ['licence', 'licences'])}`;
  const [unit, what] = UNITS[e.step] ?? [['page', 'pages'], ['object', 'objects']];
  return `${e.tenant}: ${e.step}, ${count(e.pages, unit)}, ${count(e.objects, what)}`;
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
