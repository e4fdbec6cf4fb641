// Steps of marker: stamp the start of a cutover, and record the phase the user reached (written
// last, after every other step of the user). Both merge into the existing marker, keeping the
// fields other steps stamped (watermarks, notificationSentAt, createdByT2t).
import { markerKnownAbsent, mergeMarker } from '../../apply/marker-store.js';
import { targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

const FIELDS = ['sourceTenant', 'sourceUserId', 'wave', 'phase', 'lastAppliedCommit', 'cutoverStartedAt'] as const;

async function startCutover(ctx: StepContext) {
  const id = await targetUserId(ctx);
  const at = String(ctx.change.params['cutoverStartedAt'] ?? ctx.now().toISOString());
  const r = await mergeMarker(ctx, id, (m) => (m?.['cutoverStartedAt'] ? undefined : { cutoverStartedAt: at }));
  return { note: r.written ? `cutover started ${at}` : 'cutover already started' };
}

async function write(ctx: StepContext) {
  const id = await targetUserId(ctx);
  // create: discovery found no marker, and no step of this run wrote one (it would be remembered);
  // one that exists after all answers "already exists" and is merged into
  if (ctx.change.op === 'marker.create' && ctx.user.marker === undefined) markerKnownAbsent(ctx);
  const fields: Record<string, unknown> = {};
  for (const f of FIELDS) if (f in ctx.change.params) fields[f] = ctx.change.params[f];
  const r = await mergeMarker(ctx, id, fields);
  return { note: r.written ? `marker: phase ${String(fields['phase'] ?? '?')}` : 'marker already up to date' };
}

export const markerSteps: StepMap = {
  'marker.startCutover': startCutover,
  'marker.create': write,
  'marker.update': write,
};
