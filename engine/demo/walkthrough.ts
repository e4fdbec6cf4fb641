// The story the demo tells, one step per GitOps move: every change to the migration is a commit to
// a wave file, and t2t plans and applies what the commit declares. The pilot wave goes from
// discovered to prepared, synced and into cutover; the cutover is stopped part-way, paused, and
// rolled back with `git revert`.
import { parse, stringify } from 'yaml';
import type { WaveEdit } from './prepare-workspace.js';
import { editWave } from './prepare-workspace.js';
import type { Transcript } from './transcript.js';
import type { JobLogEntry } from '../state/job-log.js';
import { firstMailboxUnhidden, watchJobLog } from './watch-job-log.js';

export const PILOT = 'wave-01-pilot';

/** How the example's waves start in the demo's repository: all at discovered, so the demo moves
 *  one wave (the pilot) and apply has nothing else to do. */
export const INITIAL_WAVES: Record<string, WaveEdit> = {
  'wave-01-pilot': { phase: 'discovered', paused: false },
  'wave-02-sales': { phase: 'discovered' },
  'wave-03-partners': { phase: 'discovered' },
};

export const STEP_COUNT = 8;

/** Added by the emulator to every response. A real service answers in tens of milliseconds; at
 *  zero the whole cutover would finish between two looks at the job log, and the demo could not
 *  stop it part-way as an operator would. */
export const DEMO_LATENCY_MS = 20;

/** The example's emulator config with the demo's latency. */
export function demoEmulatorConfig(exampleConfig: string): string {
  const config = (parse(exampleConfig) ?? {}) as Record<string, unknown>;
  const faults = (config['faults'] ?? {}) as Record<string, unknown>;
  return stringify({ ...config, faults: { ...faults, latencyMs: DEMO_LATENCY_MS } });
}

export interface WalkthroughHooks {
  /** Which job-log entry ends the interrupted cutover (default: the first mailbox unhidden). */
  interruptAfter?: (entry: JobLogEntry) => boolean;
}

export async function walkthrough(t: Transcript, dir: string, env: NodeJS.ProcessEnv, hooks: WalkthroughHooks = {}): Promise<void> {
  const wave = `waves/${PILOT}.yaml`;
  const move = async (edit: WaveEdit, message: string) => {
    const before = editWave(dir, PILOT, edit);
    const changes = [
      ...(edit.phase !== undefined ? [`phase: ${before.phase} -> ${edit.phase}`] : []),
      ...(edit.paused !== undefined ? [`paused: ${before.paused} -> ${edit.paused}`] : []),
    ];
    t.edit(wave, changes);
    await t.git(['commit', '-m', message, '--', wave], `git commit -m "${message}" ${wave}`);
  };

  await t.heading('Validate the manifests', 'Checks project.yaml and waves/*.yaml against the schemas and the project rules; no tenant is contacted.');
  await t.t2t(['validate', '.']);

  await t.heading('Discover both tenants', 'Reads users, groups, recipients and licences of contoso (source) and fabrikam (target) into the local cache, .t2t/.');
  await t.t2t(['discover', '.']);

  await t.heading('Plan and status: where we start', 'Every wave is at phase discovered, so the plan changes nothing; status shows how each source user matched a target user.');
  await t.t2t(['plan', '.']);
  await t.t2t(['status', '.']);

  const only = ['--wave', PILOT];
  await t.heading('Prepare the pilot', 'A commit moves the pilot to prepared: target users are created or matched, mail-enabled and hidden, with contacts routing mail to the source.');
  await move({ phase: 'prepared' }, 'Prepare the pilot wave');
  t.note('(plan is what a reviewer reads on the pull request; apply plans again from the tenants, prints the plan, then executes it)');
  await t.t2t(['plan', '.', ...only]);
  await t.t2t(['apply', '.', '--auto-approve', ...only]);
  await t.t2t(['status', '.']);

  await t.heading('Sync the pilot', 'Moving to synced licenses the target users, forwards their new mailboxes to the old ones, and copies mail, archive and OneDrive.');
  await move({ phase: 'synced' }, 'Sync the pilot wave');
  await t.t2t(['apply', '.', '--auto-approve', ...only]);
  await t.t2t(['status', '.']);

  await t.heading('Start the cutover, then pause it', 'The cutover commit is applied and interrupted part-way (as Ctrl-C would); a second commit pauses the wave so nothing resumes it.');
  await move({ phase: 'cutover' }, 'Cut over the pilot wave');
  t.note("(the demo presses Ctrl-C for you once 't2t logs' shows a new mailbox unhidden: in-flight steps finish, nothing new starts;");
  t.note(' the notification, the one step that cannot be undone, comes much later in the sequence)');
  await t.t2t(['apply', '.', '--auto-approve', ...only], {
    ok: [1], // "Apply stopped" exits 1
    watch: (interrupt) => watchJobLog({ projectDir: dir, env, wave: PILOT, since: new Date(), matches: hooks.interruptAfter ?? firstMailboxUnhidden, onMatch: interrupt }),
  });
  await move({ paused: true }, 'Pause the pilot cutover');
  await t.t2t(['status', '.']);

  await t.heading('Roll the cutover back with git revert', 'Reverting both commits declares synced (and unpaused) again; the same diff plans the inverse of each cutover change already made.');
  await t.git(['revert', '--no-edit', 'HEAD~2..HEAD']);
  await t.t2t(['plan', '.', ...only]);
  await t.t2t(['apply', '.', '--auto-approve', ...only]);
  await t.t2t(['status', '.']);

  await t.heading("The pilot's history", 'Every commit that moved the wave, joined with the apply records t2t keeps as git notes.');
  await t.t2t(['history', '.', '--wave', PILOT]);
}
