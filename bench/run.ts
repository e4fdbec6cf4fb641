// `npm run bench`: every benchmark in bench/, one after the other, each printing its figures.
// Not part of `npm test` (SPEC section 7: targets are shown by benchmarks, not timed assertions).
// `npm run bench -- plan emulator` runs only the named ones.
const ALL = ['emulator', 'state', 'discovery', 'plan', 'sync', 'apply'] as const;

const wanted = process.argv.slice(2);
const names = wanted.length ? ALL.filter((n) => wanted.includes(n)) : ALL;
let failed = 0;
for (const name of names) {
  let mod: { main?: () => Promise<void> };
  try {
    mod = await import(`./${name}/run.js`);
  } catch (e) {
    console.log(`\n== bench/${name}: not available (${(e as Error).message.split('\n')[0]})`);
    continue;
  }
  console.log(`\n== bench/${name}`);
  try {
    await mod.main?.();
  } catch (e) {
    failed++;
    console.error(`bench/${name} failed: ${(e as Error).stack ?? e}`);
  }
}
process.exitCode = failed ? 1 : 0;
