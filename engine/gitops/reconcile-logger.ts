// Reconcile's structured log: pino JSON lines to the state directory's process log (t2t.log) and
// to stdout, so a controller under systemd, Docker or Kubernetes is observed from its stdout
// alone. Every line passes through engine/state redact(), like every other log of t2t.
import pino, { type Logger } from 'pino';
import type { Writable } from 'node:stream';
import { redact, redactString } from '../state/redact.js';
import { statePaths } from '../state/paths.js';

export function createReconcileLogger(stateDir: string, stdout: Writable, options: { level?: string } = {}): Logger {
  const level = (options.level ?? 'info') as pino.Level;
  const file = pino.destination({ dest: statePaths.processLog(stateDir), mkdir: true, sync: true, append: true });
  return pino(
    {
      name: 'reconcile',
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (obj) => redact(obj) },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a: unknown) => (typeof a === 'string' ? redactString(a) : a)) as Parameters<typeof method>;
          method.apply(this, clean);
        },
      },
    },
    pino.multistream([
      { stream: file, level },
      { stream: stdout, level },
    ]),
  );
}
