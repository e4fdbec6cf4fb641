// Benchmark: buildPlan over a synthetic 100,000-user project from a warm cache (SPEC section 7:
// under 5 s and under 1 GiB). Reports the time, the peak RSS and the plan's size.
import { buildPlan } from '../../engine/plan/build-plan.js';
import { generateSynthetic } from './generate.js';

export interface PlanBenchResult {
  readonly users: number;
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly changes: number;
  readonly withinTargets: boolean;
}

export async function main(users = Number(process.env['T2T_BENCH_USERS'] ?? 100_000)): Promise<PlanBenchResult> {
  const { project, inventory } = generateSynthetic(users);
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = process.hrtime.bigint();
  const plan = buildPlan({ project, inventory, revision: { commit: null, dirty: false }, now: '2026-06-01T12:00:00Z' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const result: PlanBenchResult = {
    users,
    seconds: Math.round(seconds * 1000) / 1000,
    peakRssMiB: Math.round(peak / 1048576),
    changes: plan.changes.length,
    withinTargets: seconds < 5 && peak < 1024 * 1048576,
  };
  process.stdout.write(
    `plan ${users} users: ${result.seconds} s (target < 5 s), peak RSS ${result.peakRssMiB} MiB (target < 1024 MiB), ${result.changes} changes ${result.withinTargets ? 'OK' : 'MISSED'}\n`,
  );
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
