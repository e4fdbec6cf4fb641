// `t2t plan [DIR]`: discover (delta) if the cache is stale, then print the changes apply would make.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { bool, str } from '../command.js';
import { err, out } from '../io.js';
import { UserError } from '../../errors.js';
import { didYouMean } from '../../util/suggest.js';

const OUTPUTS = ['text', 'json', 'markdown'] as const;

const command: Command = {
  name: 'plan',
  summary: 'show the changes apply would make',
  usage: '[DIR] [options]',
  description: `
Compares the manifests (the desired state) with the tenants (the actual state, from the discovery
cache, refreshed by a delta discovery when older than 5 minutes) and prints the changes, grouped by
wave and user:  + create   ~ update   - delete   > run (a content sync, a notification).
One-way changes (the cutover notification, deletions) are marked: nothing can undo them.
Moving a wave's phase backwards plans the inverse changes (a rollback); users whose notification was
already sent are listed under "refused". Paused waves are shown with nothing planned.

--out FILE saves the plan (JSON) so that 'apply --plan FILE' executes exactly what was reviewed;
apply refuses it once the manifests or the tenants have changed.`,
  options: {
    wave: { type: 'string', value: 'NAME', description: 'plan this wave only' },
    output: { type: 'string', short: 'o', value: 'FORMAT', default: 'text', description: 'text, json or markdown (a pull-request comment)' },
    out: { type: 'string', value: 'FILE', description: 'also save the plan as JSON for apply --plan FILE' },
    'detailed-exitcode': { type: 'boolean', description: 'exit 2 when the plan has changes, 0 when it has none' },
    refresh: { type: 'boolean', description: 'run a delta discovery even if the cache is fresh' },
    offline: { type: 'boolean', description: 'plan from the discovery cache only, without contacting the tenants' },
    'delta-sync': { type: 'boolean', description: 'include the content delta sync of synced users (what apply --delta-sync runs)' },
  },
  examples: [
    't2t plan projects/contoso-fabrikam',
    't2t plan --wave wave-01-pilot --out plan.json',
    't2t plan -o markdown > plan.md            # post as a pull-request comment',
    't2t plan --detailed-exitcode || test $? -eq 2',
  ],
  async run(args, io) {
    const output = str(args.values, 'output') ?? 'text';
    if (!(OUTPUTS as readonly string[]).includes(output)) {
      throw new UserError(`unknown output format '${output}'${didYouMean(output, OUTPUTS)}`, 'cli.badOutput', 'use --output text, json or markdown');
    }
    if (bool(args.values, 'refresh') && bool(args.values, 'offline')) {
      throw new UserError('--refresh and --offline contradict each other', 'cli.conflictingOptions', 'pass one of them');
    }
    const { loadValidProject } = await import('../../workflow/load-valid-project.js');
    const project = await loadValidProject(args.positionals[0], io.cwd, 'plan', (t) => err(io, t));
    const wave = str(args.values, 'wave');
    if (wave !== undefined) (await import('../../workflow/require-wave.js')).requireWave(project, wave);
    const { preparePlan } = await import('../../workflow/plan-project.js');
    const { deltaSyncWaves } = await import('./apply.js');
    const { discoveryProgress } = await import('../discovery-progress.js');
    const progress = discoveryProgress(io, 'discovering: ');
    let prepared;
    try {
      prepared = await preparePlan(project, {
        env: io.env,
        signal: io.signal,
        ...(wave ? { wave } : {}),
        refresh: bool(args.values, 'refresh') ? 'always' : bool(args.values, 'offline') ? 'never' : 'auto',
        onProgress: progress.update,
        ...(bool(args.values, 'delta-sync') ? { deltaSyncWaves: deltaSyncWaves(project, wave) } : {}),
      });
    } finally {
      progress.end();
    }
    const { buildPlan, streamPlan, renderPlanText, textSink, renderPlanEndText, planJsonChunks, renderPlanMarkdown, hasChanges, planRefusalError } = await import('../../plan/index.js');
    const outFile = str(args.values, 'out');
    const text = { color: Boolean(io.stdout.isTTY) && !io.env.NO_COLOR };
    let plan;
    if (output === 'text' && !outFile) {
      // printed wave by wave as planned: the first wave shows at once, and a plan of 100,000 users
      // in flight never holds its changes (each is rendered and dropped)
      plan = streamPlan(prepared.input, textSink((section) => io.stdout.write(section), text));
      out(io, renderPlanEndText(plan, text));
    } else {
      plan = buildPlan(prepared.input);
      // JSON goes out in chunks: a 100,000-user plan is hundreds of MiB as one string
      if (outFile) await saveChunks(resolve(io.cwd, outFile), planJsonChunks(plan));
      if (output === 'json') await writeChunks(io.stdout, planJsonChunks(plan));
      else if (output === 'markdown') out(io, renderPlanMarkdown(plan));
      else out(io, renderPlanText(plan, text));
      if (outFile && output === 'text') err(io, `plan saved to ${outFile}: run 't2t apply ${args.positionals[0] ?? '.'} --plan ${outFile}' to apply exactly this`);
    }
    const refusal = planRefusalError(plan);
    if (refusal) throw refusal;
    return bool(args.values, 'detailed-exitcode') && hasChanges(plan) ? 2 : 0;
  },
};

/** Write chunks with backpressure, then a final newline. */
async function writeChunks(stream: Writable, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) if (!stream.write(chunk)) await once(stream, 'drain');
  if (!stream.write('\n')) await once(stream, 'drain');
}

/** Save a plan file atomically: a half-written plan must never be applied (temp file, then rename). */
async function saveChunks(path: string, chunks: Iterable<string>): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  const file = createWriteStream(temp);
  try {
    await writeChunks(file, chunks);
    file.end();
    await once(file, 'finish');
    await rename(temp, path);
  } catch (e) {
    file.destroy();
    await rm(temp, { force: true });
    throw e;
  }
}

export default command;
