// `t2t apply [DIR] [--plan FILE] [--wave NAME] [--auto-approve] [--dry-run] [--concurrency N]
// [--allow-dirty] [--output text|json]`: plan from fresh tenant state (or take a reviewed saved
// plan), confirm, execute. Progress on stderr, the plan and the result on stdout.
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import type { Project } from '../../manifest/model.js';
import type { Refusal } from '../../plan/model.js';
import { DEFAULT_CONCURRENCY } from '../../apply/execute.js';
import { bool, str } from '../command.js';
import { err, out, colours } from '../io.js';
import { UserError } from '../../errors.js';

const OUTPUTS = ['text', 'json'] as const;

const command: Command = {
  name: 'apply',
  summary: 'plan and execute the changes',
  usage: '[DIR] [options]',
  description: `
Discovers the tenants (delta), plans, shows the plan, asks "Apply N changes? (yes/no)" on a
terminal (any answer but yes cancels: nothing is changed, and apply exits 1), then executes the
changes: every change whose dependencies are done runs, concurrently, within each tenant's rate
budget. A failed user fails alone; once more than spec.safety.maxFailureRate of a wave's users
failed, apply starts no new users of that wave. Ctrl-C starts nothing new and
lets in-flight steps finish. Every step is idempotent: apply is safe to run again at any time.
Users the plan refuses (a rollback past the point of no return: the cutover notification, or a
guest's conversion to a member) are left as they are; apply does the rest, then exits 1 naming them
(apply.usersRefused).

Without a terminal (CI), --auto-approve or --plan FILE is required. --plan FILE executes a plan
saved by 't2t plan --out FILE' exactly, and refuses it when the manifests or the tenants changed
since. The manifests must be committed (the apply is recorded against the commit as a git note
under refs/notes/t2t) unless --allow-dirty. Job logs: 't2t logs --user ADDRESS'.`,
  options: {
    plan: { type: 'string', value: 'FILE', description: "execute a plan saved by 't2t plan --out FILE'" },
    wave: { type: 'string', value: 'NAME', description: 'apply this wave only' },
    'auto-approve': { type: 'boolean', description: 'do not ask for confirmation' },
    'dry-run': { type: 'boolean', description: 'run every step but send no write; print the writes it would send' },
    concurrency: { type: 'string', value: 'N', default: String(DEFAULT_CONCURRENCY), description: "most changes in flight at once (each tenant's throttling budget still paces what is sent)" },
    'allow-dirty': { type: 'boolean', description: 'apply manifests with uncommitted changes' },
    'delta-sync': { type: 'boolean', description: "also run a content delta sync for the synced users of --wave (or of every synced wave); reconcile does this on each wave's schedule.deltaSync" },
    output: { type: 'string', short: 'o', value: 'FORMAT', default: 'text', description: 'result format: text or json' },
  },
  examples: ['t2t apply projects/contoso-fabrikam', 't2t plan --out plan.json && t2t apply --plan plan.json', 't2t apply --dry-run --wave wave-01-pilot'],
  async run(args, io) {
    const output = str(args.values, 'output') ?? 'text';
    if (!(OUTPUTS as readonly string[]).includes(output)) throw new UserError(`unknown output format '${output}'`, 'cli.badOutput', 'use --output text or --output json');
    const concurrencyText = str(args.values, 'concurrency') ?? String(DEFAULT_CONCURRENCY);
    const concurrency = Number(concurrencyText);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024) {
      throw new UserError(`--concurrency must be a whole number from 1 to 1024, not '${concurrencyText}'`, 'cli.badConcurrency', 'for example --concurrency 16');
    }
    const { loadValidProject } = await import('../../workflow/load-valid-project.js');
    const project = await loadValidProject(args.positionals[0], io.cwd, 'apply', (t) => err(io, t));
    const { runApply } = await import('../../apply/run-apply.js');
    const { createProgress, formatSeconds } = await import('../../apply/progress.js');
    const { renderPlanText } = await import('../../plan/index.js');
    const { describeWrite } = await import('../../apply/write-recorder.js');
    const dryRun = bool(args.values, 'dry-run');
    const planFile = str(args.values, 'plan');
    const wave = str(args.values, 'wave');
    if (wave) (await import('../../workflow/require-wave.js')).requireWave(project, wave);
    const c = colours(io);
    let progress: ReturnType<typeof createProgress> | undefined;
    const outcome = await runApply(project, {
      env: io.env,
      signal: io.signal,
      ...(planFile ? { planFile: resolve(io.cwd, planFile), planFileShown: planFile } : {}),
      ...(wave ? { wave } : {}),
      autoApprove: bool(args.values, 'auto-approve'),
      dryRun,
      concurrency,
      allowDirty: bool(args.values, 'allow-dirty'),
      ...(bool(args.values, 'delta-sync') ? { deltaSyncWaves: deltaSyncWaves(project, wave) } : {}),
      io,
      warn: (m) => err(io, `${c.yellow('warning:')} ${m}`),
      showPlan: (plan) => {
        if (output === 'text') out(io, renderPlanText(plan));
      },
      onEvent: (e, plan) => {
        progress ??= createProgress({
          tty: Boolean(io.stderr.isTTY),
          write: (t) => io.stderr.write(t),
          users: new Set(plan.changes.filter((x) => x.user).map((x) => `${x.wave}|${x.user}`)).size,
          changes: plan.changes.length,
          announceStop: !io.stopAnnounced,
        });
        progress.event(e);
      },
    });
    progress?.end();
    const exec = outcome.exec;
    const counts = { done: 0, failed: 0, skipped: 0 };
    for (const r of exec?.results ?? []) counts[r.status]++;
    const seconds = formatSeconds(outcome.durationMs);
    if (output === 'json') {
      out(io, JSON.stringify({
        project: project.name,
        result: outcome.result,
        dryRun,
        revision: { commit: outcome.revision.commit, dirty: outcome.revision.dirty },
        counts,
        users: exec?.users ?? { total: 0, done: 0, failed: 0, skipped: 0 },
        writes: outcome.writes,
        durationMs: outcome.durationMs,
        halted: exec?.halted ?? [],
        refused: outcome.plan.refused,
        changes: (exec?.results ?? []).map((r) => ({ id: r.id, wave: r.wave, user: r.user, op: r.op, status: r.status, writes: r.writes, ...(r.error ? { error: r.error } : {}), ...(r.code ? { code: r.code } : {}), ...(r.note ? { note: r.note } : {}) })),
        ...(dryRun ? { wouldWrite: outcome.recorded } : {}),
        ...(outcome.recordNote ? { recordNote: outcome.recordNote } : {}),
      }, null, 2));
    } else {
      if (dryRun && outcome.recorded.length) {
        out(io, `Writes apply would send (${outcome.recorded.length}):`);
        for (const w of outcome.recorded) out(io, `  ${describeWrite(w)}`);
      }
      for (const r of exec?.results ?? []) {
        if (r.status !== 'failed') continue;
        err(io, `${c.red('failed:')} ${r.user ? `${r.user}: ` : ''}${r.summary}: ${r.error}`);
        if (r.hint) err(io, `  hint: ${r.hint}`);
      }
      for (const h of exec?.halted ?? []) err(io, `${c.red('halted:')} wave ${h.wave}: ${h.failed} of ${h.users} users failed, more than spec.safety.maxFailureRate (${project.safety.maxFailureRate})`);
      if (outcome.recordNote && !dryRun) err(io, `note: ${outcome.recordNote}`);
      if (outcome.result === 'no-changes') {
        // the plan text already says so
      } else if (outcome.result === 'declined') out(io, 'Apply cancelled.');
      else {
        const label = dryRun ? 'Dry run complete' : outcome.result === 'stopped' ? 'Apply stopped' : 'Apply complete';
        out(io, `${label}: ${counts.done} done, ${counts.failed} failed, ${counts.skipped} skipped in ${seconds}${dryRun ? ` (${outcome.writes} writes not sent)` : ''}`);
      }
    }
    const refused = refusedUsersError(outcome.plan.refused, outcome.result);
    if (refused) throw refused;
    // declined at the prompt: nothing was applied, so `t2t apply && notify` must not go on as if
    // the tenants now matched the manifests (SPEC: a refused apply exits 1)
    return outcome.result === 'failed' || outcome.result === 'partial' || outcome.result === 'stopped' || outcome.result === 'declined' ? 1 : 0;
  },
};

/** Users the plan refused (a rollback past the point of no return, or a converted guest's back to
 *  prepared) make the apply fail once the rest is done: what the manifests declare for them cannot
 *  be reached, and a CI job that applied a revert must not pass as if it had rolled them back
 *  (SPEC: a refused apply exits 1). */
function refusedUsersError(refused: readonly Refusal[], result: string): UserError | undefined {
  if (refused.length === 0 || result === 'declined') return undefined;
  const [first] = refused;
  const more = refused.length > 1 ? `; and ${refused.length - 1} more, listed under Refused` : '';
  return new UserError(
    `${refused.length} user${refused.length === 1 ? '' : 's'} refused, left as ${refused.length === 1 ? 'it is' : 'they are'}: ${first!.user} (${first!.wave}): ${first!.reason}${more}`,
    'apply.usersRefused',
    'the other changes were applied; set the phase of these users back to the one they reached, or move them to a wave at that phase, and commit (docs/errors.md: A rollback refused past the point of no return)',
  );
}

/** The waves whose synced users a --delta-sync run covers. */
export function deltaSyncWaves(project: Project, wave: string | undefined): string[] {
  return project.waves.filter((w) => w.phase === 'synced' && (!wave || w.name === wave)).map((w) => w.name);
}

export default command;
