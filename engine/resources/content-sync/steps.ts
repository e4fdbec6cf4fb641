// Steps of contentSync: the content copy itself is engine/sync's syncWorkload; this module hands it
// the tenants, the users and the watermark from the marker, saves its checkpoints into the marker,
// and stamps the final watermark there.
import type { SyncWatermark, WorkloadName } from '../../inventory/model.js';
import { UserError } from '../../errors.js';
import { mergeMarker, readMarker } from '../../apply/marker-store.js';
import { need, targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';
import { syncWorkload } from '../../sync/sync-workload.js';

async function sync(ctx: StepContext, mode: 'initial' | 'delta') {
  const p = ctx.change.params;
  const workload = need(ctx, 'workload') as WorkloadName;
  const id = await targetUserId(ctx, typeof p['target'] === 'string' ? p['target'] : undefined);
  const marker = await readMarker(ctx, id);
  const previous = marker?.sync?.[workload];
  if (ctx.dryRun) return { note: `would run the ${mode} sync of ${workload}` };
  const wm = await syncWorkload({
    source: ctx.client(need(ctx, 'sourceTenant')),
    target: ctx.tenant,
    sourceUserId: need(ctx, 'sourceUserId'),
    targetUserId: id,
    workload,
    mode: mode === 'initial' && !previous?.initialDoneAt ? 'initial' : 'delta',
    ...(previous ? { watermark: previous } : {}),
    // a target user t2t adopted has content of its own: never removed as a leftover copy
    keepUnpaired: marker?.createdByT2t !== true,
    signal: ctx.signal,
    onProgress: (pr) => ctx.log('sync.progress', { workload, progress: pr as unknown as Record<string, unknown> }),
    onWarning: (message) => ctx.warnOnce(`sync:${workload}:${message}`, message),
    // checkpoints: a crash or Ctrl-C mid-sync resumes from the last saved delta position
    saveWatermark: async (w) => {
      await mergeMarker(ctx, id, (m) => ({ sync: { ...((m?.['sync'] as Record<string, unknown>) ?? {}), [workload]: w } }));
    },
  });
  const now = ctx.now().toISOString();
  const stamped: SyncWatermark = { ...wm, ...(mode === 'initial' ? { initialDoneAt: wm.initialDoneAt ?? now } : { lastDeltaAt: wm.lastDeltaAt ?? now }) };
  await mergeMarker(ctx, id, (m) => ({ sync: { ...((m?.['sync'] as Record<string, unknown>) ?? {}), [workload]: stamped } }));
  // the watermark counts everything copied so far: this step copied the difference, which is what
  // the job log says (a delta sync that found nothing new copied 0 items, not the mailbox again)
  const copiedItems = Math.max(0, stamped.items - (previous?.items ?? 0));
  const copiedBytes = Math.max(0, stamped.bytes - (previous?.bytes ?? 0));
  const all = previous ? ` (${stamped.items} items, ${stamped.bytes} bytes in all)` : '';
  return {
    note: `${mode} sync of ${workload}: copied ${copiedItems} items, ${copiedBytes} bytes${all}${p['pass'] ? ` (${String(p['pass'])} pass)` : ''}`,
    copiedBytes,
  };
}

async function remove(ctx: StepContext) {
  throw new UserError(
    `deleting synced ${String(ctx.change.params['workload'])} content of ${ctx.change.user} is not supported by this version`,
    'apply.contentDeleteUnsupported',
    'delete the content in the target by hand, or set spec.prune: false to keep it (it is listed as an orphan)',
  );
}

export const contentSyncSteps: StepMap = {
  'contentSync.initial': (ctx) => sync(ctx, 'initial'),
  'contentSync.delta': (ctx) => sync(ctx, 'delta'),
  'contentSync.secondDelta': (ctx) => sync(ctx, 'delta'),
  'contentSync.delete': remove,
};
