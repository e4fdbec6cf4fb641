// Reconcile's structured log: pino JSON lines to the state directory's process log (t2t.log) and
// to stdout, so a controller under systemd, Docker or Kubernetes is observed from its stdout
// alone. Every line passes through engine/state redact(), like every other log of t2t.
import pino, { type Logger } from 'pino';
import type { Writable } from 'node:stream';
import { processLogDestination, processLoggerOptions } from '../state/job-log.js';

export function createReconcileLogger(stateDir: string, stdout: Writable, options: { level?: string; onError?: (e: Error) => void } = {}): Logger {
  const level = (options.level ?? 'info') as pino.Level;
  return pino(
    processLoggerOptions({ level, name: 'reconcile' }),
    pino.multistream([
      { stream: processLogDestination(stateDir, options.onError), level },
      { stream: stdout, level },
    ]),
  );
}
