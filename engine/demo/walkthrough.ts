// The story the demo tells, one step per GitOps move: every change to the migration is a commit to
// a wave file, and t2t plans and applies what the commit declares. The pilot wave goes from
// discovered to prepared, synced and into cutover; the cutover is stopped part-way, paused, and
// rolled back with `git revert`.
import type { WaveEdit } from './prepare-workspace.js';
import { editWave } from './prepare-workspace.js';
import type { Transcript } from './transcript.js';

export const PILOT = 'wave-01-pilot';

/** How the example's waves start in the demo's repository: all at discovered, so the demo moves
 *  one wave (the pilot) and apply has nothing else to do. */
export const INITIAL_WAVES: Record<string, WaveEdit> = {
  'wave-01-pilot': { phase: 'discovered', paused: false },
  'wave-02-sales': { phase: 'discovered' },
  'wave-03-partners': { phase: 'discovered' },
};

export const STEP_COUNT = 8;

/**
 * Watches apply's output during the cutover and says when to interrupt it (as an operator's
 * Ctrl-C would): once the first cutover change has finished, so the cutover is under way but far
 * from its last, one-way change (the notification).
 */
export function firstCutoverChangeDone(line: string): boolean {
  return /^\s*[✓✔]|\bdone\b|\bok\b/i.test(line) && /cutover|unhide|forward|hide|delta/i.test(line);
}

export interface WalkthroughHooks {
  /** Decides when to interrupt the cutover's apply (default: firstCutoverChangeDone). */
  interruptCutover?: (line: string) => boolean;
}

export async function walkthrough(t: Transcript, dir: string, hooks: WalkthroughHooks = {}): Promise<void> {
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

  await t.heading('validate the manifests', 'Checks project.yaml and waves/*.yaml against the schemas and the project rules; no tenant is contacted.');
  await t.t2t(['validate', '.']);

  await t.heading('discover both tenants', 'Reads users, groups, recipients and licences of contoso (source) and fabrikam (target) into the local cache, .t2t/.');
  await t.t2t(['discover', '.']);

  await t.heading('plan and status: where we start', 'Every wave is at phase discovered, so the plan changes nothing; status shows how each source user matched a target user.');
  await t.t2t(['plan', '.']);
  await t.t2t(['status', '.']);

  await t.heading('prepare the pilot', 'A commit moves the pilot to prepared: target users are created or matched, mail-enabled and hidden, with contacts routing mail to the source.');
  await move({ phase: 'prepared' }, 'Prepare the pilot wave');
  await t.t2t(['plan', '.']);
  await t.t2t(['apply', '.', '--auto-approve']);
  await t.t2t(['status', '.']);

  await t.heading('sync the pilot', 'Moving to synced licenses the target users, forwards their new mailboxes to the old ones, and copies mail, archive and OneDrive.');
  await move({ phase: 'synced' }, 'Sync the pilot wave');
  await t.t2t(['plan', '.']);
  await t.t2t(['apply', '.', '--auto-approve']);
  await t.t2t(['status', '.']);

  await t.heading('start the cutover, then pause it', 'The cutover commit is applied and interrupted part-way (as Ctrl-C would); a second commit pauses the wave so nothing resumes it.');
  await move({ phase: 'cutover' }, 'Cut over the pilot wave');
  await t.t2t(['plan', '.']);
  t.note('(the demo interrupts this apply after its first cutover change, as an operator pressing Ctrl-C would)');
  await t.t2t(['apply', '.', '--auto-approve', '--concurrency', '1'], { ok: [0, 1, 130], interruptWhen: hooks.interruptCutover ?? firstCutoverChangeDone });
  await move({ paused: true }, 'Pause the pilot cutover');
  await t.t2t(['status', '.']);

  await t.heading('roll the cutover back with git revert', 'Reverting the two commits declares synced again; the same diff plans the inverse of each cutover change already made.');
  await t.git(['revert', '--no-edit', 'HEAD~2..HEAD']);
  await t.t2t(['plan', '.']);
  await t.t2t(['apply', '.', '--auto-approve']);
  await t.t2t(['status', '.']);

  await t.heading("the pilot's history", 'Every commit that moved the wave, joined with the apply records t2t keeps as git notes.');
  await t.t2t(['history', '.', '--wave', PILOT]);
}
