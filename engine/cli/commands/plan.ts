// `t2t plan [DIR]`: discover (delta) if the cache is stale, then print the changes apply would make.
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { bool, str } from '../command.js';
import { err, out, type CliIO } from '../io.js';
import { UserError } from '../../errors.js';
import { didYouMean } from '../../util/suggest.js';
import type { PlanInput, PlanOutline, PlanSink } from '../../plan/index.js';
import { checkPlanPath, openPlanFile, type PlanFile } from '../plan-file.js';
import { planProgress, type PlanProgress } from '../plan-progress.js';
import { openThreadWriter } from '../../util/thread-writer.js';
import { runSteps } from '../../util/run-steps.js';
import { MAX_COMMENT_CHARS } from '../../plan/render-markdown.js';

type PlanApi = typeof import('../../plan/index.js');

/** The shortest comment --max-chars allows: the title, the summary and the notes of what was cut
 *  must fit. */
const MIN_COMMENT_CHARS = 2000;

function markdownLimit(text: string | undefined, output: string): number {
  if (text === undefined) return MAX_COMMENT_CHARS;
  if (output !== 'markdown') throw new UserError('--max-chars applies to --output markdown only', 'cli.conflictingOptions', 'add --output markdown, or leave out --max-chars');
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(n >= MIN_COMMENT_CHARS)) {
    throw new UserError(`--max-chars must be a whole number of at least ${MIN_COMMENT_CHARS}, not '${text}'`, 'cli.badMaxChars', `for example --max-chars ${MAX_COMMENT_CHARS}`);
  }
  return n;
}

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
Text and JSON are printed as the plan is made, a wave as soon as its users are planned, so a large
project's plan starts to show at once; markdown, which opens with the summary, comes at the end.
Markdown stays under --max-chars: the summary, the table, refused users and warnings come first,
then as many changes per wave as fit, then orphans, each cut with a count of the rest.
When the plan goes to a file and stderr is a terminal, a line there shows the progress.

--out FILE saves the plan (JSON) so that 'apply --plan FILE' executes exactly what was reviewed;
apply refuses it once the manifests or the tenants have changed.

--detailed-exitcode exits 2 when the plan has changes and 0 when it has none. Refused users are not
changes (apply would leave them as they are, and exit 1): a plan of refused users only exits 0, so a
drift check should also look at "refused" (--output json) or run apply.`,
  options: {
    wave: { type: 'string', value: 'NAME', description: 'plan this wave only' },
    output: { type: 'string', short: 'o', value: 'FORMAT', default: 'text', description: 'text, json or markdown (a pull-request comment)' },
    out: { type: 'string', value: 'FILE', description: 'also save the plan as JSON for apply --plan FILE' },
    'detailed-exitcode': { type: 'boolean', description: 'exit 2 when the plan has changes, 0 when it has none' },
    refresh: { type: 'boolean', description: 'run a delta discovery even if the cache is fresh' },
    offline: { type: 'boolean', description: 'plan from the discovery cache only, without contacting the tenants' },
    'delta-sync': { type: 'boolean', description: 'include the content delta sync of synced users (what apply --delta-sync runs)' },
    'max-chars': { type: 'string', value: 'N', description: `markdown: keep the comment under N characters (default ${MAX_COMMENT_CHARS}: GitHub refuses more than 65536)` },
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
    const maxChars = markdownLimit(str(args.values, 'max-chars'), output);
    if (bool(args.values, 'refresh') && bool(args.values, 'offline')) {
      throw new UserError('--refresh and --offline contradict each other', 'cli.conflictingOptions', 'pass one of them');
    }
    const { loadValidProject } = await import('../../workflow/load-valid-project.js');
    const project = await loadValidProject(args.positionals[0], io.cwd, 'plan', (t) => err(io, t));
    const wave = str(args.values, 'wave');
    if (wave !== undefined) (await import('../../workflow/require-wave.js')).requireWave(project, wave);
    const outFile = str(args.values, 'out');
    // checked before discovery and planning: a path that cannot be written fails at once, with
    // nothing done (the file itself is created after the working tree's state is read: a plan
    // saved into the project must not make its own revision dirty)
    if (outFile) checkPlanPath(resolve(io.cwd, outFile), outFile);
    let file: PlanFile | undefined;
    let plan: PlanOutline;
    const progress = planProgress(io);
    try {
      progress?.step('reading the discovery cache');
      const { preparePlan } = await import('../../workflow/plan-project.js');
      const { deltaSyncWaves } = await import('./apply.js');
      const { discoveryProgress } = await import('../discovery-progress.js');
      const discovering = discoveryProgress(io, 'discovering: ');
      let prepared;
      try {
        prepared = await preparePlan(project, {
          env: io.env,
          signal: io.signal,
          ...(wave ? { wave } : {}),
          refresh: bool(args.values, 'refresh') ? 'always' : bool(args.values, 'offline') ? 'never' : 'auto',
          onProgress: discovering.update,
          ...(bool(args.values, 'delta-sync') ? { deltaSyncWaves: deltaSyncWaves(project, wave) } : {}),
        });
      } finally {
        discovering.end();
      }
      if (outFile) file = openPlanFile(resolve(io.cwd, outFile), outFile);
      plan = await printPlan(await import('../../plan/index.js'), prepared.input, output, io, file, progress, maxChars);
    } catch (e) {
      await file?.abort();
      throw e;
    } finally {
      progress?.end();
    }
    const { hasChanges, planRefusalError } = await import('../../plan/index.js');
    const refusal = planRefusalError(plan);
    // a refused plan is saved for review, but apply refuses it too: not offered to apply
    if (outFile && output === 'text') {
      err(io, refusal ? `plan saved to ${outFile} for review only: apply refuses it as well (see the error below)` : `plan saved to ${outFile}: run 't2t apply ${args.positionals[0] ?? '.'} --plan ${outFile}' to apply exactly this`);
    }
    if (refusal) throw refusal;
    return bool(args.values, 'detailed-exitcode') && hasChanges(plan) ? 2 : 0;
  },
};

/** Plan, print in the chosen format and save to the plan file if there is one, as the plan is
 *  made: a plan of 100,000 users in flight never holds its 383,000 changes (each is written, or
 *  counted, and dropped). Text and JSON show a wave as soon as it is planned; markdown opens with
 *  the summary, so it is printed at the end. JSON on the process's stdout is written by a worker
 *  thread, like the plan file: 270 MiB for such a plan, which the other core then encodes and
 *  writes while this one plans. */
async function printPlan(api: PlanApi, input: PlanInput, output: string, io: CliIO, file: PlanFile | undefined, progress: PlanProgress | undefined, maxChars: number): Promise<PlanOutline> {
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  const thread = output === 'json' && io.stdout.fd !== undefined ? openThreadWriter(io.stdout.fd) : undefined;
  const write = thread ? thread.write : (t: string) => void io.stdout.write(t);
  // the JSON printed and the JSON saved are the same text: made once, written to both
  const writeJson = file ? (t: string) => (write(t), file.write(t)) : write;
  const json = output === 'json' ? api.jsonSink(writeJson, api.planHead(input)) : undefined;
  // the comment ends with a newline: printed as it is, it stays within --max-chars
  const markdown = output === 'markdown' ? api.markdownSink({ maxChars }) : undefined;
  const saved = file && !json ? api.jsonSink(file.write, api.planHead(input)) : undefined;
  const screen = json ?? markdown ?? api.textSink(write, { color });
  const sink = saved ? bothSinks(screen, saved) : screen;
  const waves = input.waveFilter !== undefined ? 1 : input.project.waves.length;
  let plan: PlanOutline;
  try {
    // in steps, so that Ctrl-C stops a long plan (the --out file is then not written)
    const steps = api.streamPlanSteps(input, progress ? progress.counting(sink, waves) : sink);
    // JSON to a reader that stops reading fills the writer's ring: the plan then waits for room on
    // the event loop, where Ctrl-C is heard, not in a write
    plan = await runSteps(steps, io.signal, () => new UserError('the plan was interrupted: nothing was saved', 'plan.interrupted', "run 't2t plan' again"), thread ? { ready: () => thread.roomy() } : {});
    if (json) json.end(plan);
    if (saved) saved.end(plan);
    if (file) await file.commit();
  } catch (e) {
    await thread?.destroy();
    throw e;
  }
  // the JSON ends with its own newline
  if (thread) await thread.close();
  else if (markdown) out(io, markdown.end(plan));
  else if (!json) out(io, api.renderPlanEndText(plan, { color }));
  return plan;
}

/** Both sinks receive the plan as it is made (the screen and the saved plan file). */
function bothSinks(a: PlanSink, b: PlanSink): PlanSink {
  return {
    changes(list) {
      a.changes(list);
      b.changes(list);
    },
    wave(w) {
      a.wave(w);
      b.wave(w);
    },
  };
}

export default command;
