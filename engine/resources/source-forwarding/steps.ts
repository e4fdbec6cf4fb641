// Steps of sourceForwarding: at cutover the source mailbox forwards to the target address and
// keeps a copy (store and forward); removal clears only t2t's forwarding.
import { need } from '../../apply/step-kit.js';
import type { StepMap } from '../../apply/step-types.js';
import { setForwarding } from '../target-forwarding/steps.js';

export const sourceForwardingSteps: StepMap = {
  'sourceForwarding.set': (ctx) => setForwarding(ctx, ctx.tenant, need(ctx, 'identity')),
  'sourceForwarding.remove': (ctx) => setForwarding(ctx, ctx.tenant, need(ctx, 'identity')),
};
