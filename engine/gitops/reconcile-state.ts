// What reconcile remembers between cycles, in the state directory (a cache like the rest of it):
// when each tenant was last discovered, when each wave last had its delta sync, and which
// scheduled cutovers were applied. Losing it costs one extra discovery and delta sync (both
// idempotent), never progress: the tenants remain the truth (SPEC section 5).
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface ReconcileState {
  formatVersion: 1;
  lastDiscovery: Record<string, string>; // tenant -> ISO time
  lastDeltaSync: Record<string, string>; // wave -> ISO time
  /** wave -> the cutoverAt whose cutover was applied successfully. */
  cutoversApplied: Record<string, string>;
}

export function reconcileStateFile(stateDir: string): string {
  return join(stateDir, 'reconcile.json');
}

export async function readReconcileState(stateDir: string): Promise<ReconcileState> {
  const empty: ReconcileState = { formatVersion: 1, lastDiscovery: {}, lastDeltaSync: {}, cutoversApplied: {} };
  try {
    const parsed = JSON.parse(await readFile(reconcileStateFile(stateDir), 'utf8')) as Partial<ReconcileState>;
    if (parsed.formatVersion !== 1) return empty;
    return { ...empty, ...parsed };
  } catch {
    return empty; // missing or unreadable: start over (see above: it costs time only)
  }
}

export async function writeReconcileState(stateDir: string, state: ReconcileState): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const file = reconcileStateFile(stateDir);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(state, null, 2) + '\n');
  await rename(temp, file);
}
