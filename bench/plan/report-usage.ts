// Preloaded into a measured CLI process (`node --import <this> dist/engine/cli/bin.js …`): on exit
// it writes the process's own peak RSS and CPU time to the file T2T_BENCH_USAGE_FILE names, so the
// benchmark can report what the real command used without wrapping it in another tool.
import { writeFileSync } from 'node:fs';

const file = process.env['T2T_BENCH_USAGE_FILE'];
if (file) {
  process.on('exit', (code) => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ code, maxRssKiB: u.maxRSS, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6 }));
  });
}
