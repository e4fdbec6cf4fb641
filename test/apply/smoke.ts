import { startExampleEmulator, exampleProject } from './fixture.js';
const emu = await startExampleEmulator();
const p = exampleProject(emu, {});
try {
  let r = await p.apply();
  console.log(r.code, r.stdout.split('\n').slice(-3).join('\n'), r.stderr);
  p.setWave('wave-01-pilot', { phase: 'cutover' }); p.commit('cutover');
  r = await p.apply();
  console.log(r.code, r.stdout, r.stderr);
  const r2 = await p.apply();
  console.log(r2.code, r2.stdout.slice(-1500), r2.stderr);
} finally {
  await emu.stop();
  p.cleanup();
}
