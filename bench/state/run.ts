// Benchmark of the sharded discovery cache (SPEC section 7: a 100,000-user tenant). Prints the
// cold-load time, and what a 1 % delta costs to persist (appended to the collection's journal)
// compared with rewriting everything.
// Run: npx tsc -p tsconfig.json && node -e "import('./dist/bench/state/run.js').then(m => m.main())"
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { openCollection } from '../../engine/state/sharded-store.js';

const USERS = 100_000;
const SHARDS = 256;

function userLike(i: number, id: string) {
  return {
    id,
    userPrincipalName: `user${i}@contoso.com`,
    mail: `user${i}@contoso.com`,
    proxyAddresses: [`SMTP:user${i}@contoso.com`, `smtp:user${i}@contoso.onmicrosoft.com`],
    displayName: `User ${i}`,
    userType: 'Member',
    accountEnabled: true,
    usageLocation: 'US',
    externalUserState: null,
    assignedSkuIds: ['4b9405b0-7788-4568-add1-99614e613b69'],
    attributes: { givenName: 'User', surname: String(i), department: `Dept ${i % 40}`, jobTitle: 'Engineer', employeeId: String(100000 + i) },
  };
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const r = await fn();
  return [r, performance.now() - start];
}

export async function main(): Promise<{ coldLoadMs: number; deltaFlushMs: number; smallFlushMs: number; fullRewriteMs: number; ratio: number }> {
  const dir = mkdtempSync(join(tmpdir(), 't2t-bench-state-'));
  try {
    const ids = Array.from({ length: USERS }, () => randomUUID());
    const c = await openCollection<ReturnType<typeof userLike>>(dir, 'users', { shards: SHARDS });
    ids.forEach((id, i) => c.put(id, userLike(i, id)));
    const [initial, initialMs] = await time(() => c.flush());

    const [loaded, coldLoadMs] = await time(() => openCollection<ReturnType<typeof userLike>>(dir, 'users'));
    if (loaded.size !== USERS) throw new Error(`loaded ${loaded.size} records, expected ${USERS}`);

    for (let i = 0; i < USERS; i += 100) loaded.put(ids[i]!, { ...loaded.get(ids[i]!)!, displayName: `Renamed ${i}` });
    const [delta, deltaFlushMs] = await time(() => loaded.flush());

    // A typical scheduled delta: a handful of changed users.
    for (let i = 0; i < 10; i++) loaded.put(ids[i * 7919]!, { ...loaded.get(ids[i * 7919]!)!, displayName: 'Manager' });
    const [small, smallFlushMs] = await time(() => loaded.flush());

    // The unsharded alternative: one lowdb JSON file holding everything, rewritten on any change.
    const single = new Low(new JSONFile<Record<string, unknown>>(join(dir, 'single.json')), Object.fromEntries(loaded.entries()));
    const [, fullRewriteMs] = await time(() => single.write());

    const ratio = fullRewriteMs / deltaFlushMs;
    const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
    console.log(`state: ${USERS} records in ${SHARDS} shards: first write ${initialMs.toFixed(0)} ms (${mb(initial.bytesWritten)})`);
    console.log(`state: cold load ${coldLoadMs.toFixed(0)} ms`);
    console.log(`state: 1 % update + flush ${deltaFlushMs.toFixed(0)} ms, ${delta.filesWritten} files, ${mb(delta.bytesWritten)}`);
    console.log(`state: 10-user update + flush ${smallFlushMs.toFixed(0)} ms, ${small.filesWritten} files, ${mb(small.bytesWritten)}`);
    console.log(`state: full rewrite (one lowdb file) ${fullRewriteMs.toFixed(0)} ms`);
    console.log(`state: full rewrite / 1 % flush = ${ratio.toFixed(2)} (a flush appends the changed records to the journal)`);
    console.log(`state: full rewrite / 10-user flush = ${(fullRewriteMs / smallFlushMs).toFixed(1)}`);
    return { coldLoadMs, deltaFlushMs, smallFlushMs, fullRewriteMs, ratio };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
