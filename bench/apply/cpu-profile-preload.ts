// Preloaded into the emulator process (NODE_OPTIONS=--import …) by BENCH_APPLY_EMULATOR_PROF=DIR:
// a CPU profile of the whole process, written to DIR when it exits (--cpu-prof is refused in
// NODE_OPTIONS).
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_APPLY_EMULATOR_PROF;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    // the in-process session answers synchronously
    session.post('Profiler.stop', (err, r) => {
      if (!err) writeFileSync(join(dir, `emulator-${process.pid}.cpuprofile`), JSON.stringify(r.profile));
    });
  });
}
