// Steps of sourceContact: the contact in the source that routes mail and free/busy to the moved
// user's target address; the same tagged, adopt-before-create logic as the target contact.
import type { StepMap } from '../../apply/step-types.js';
import { createContactStep, deleteContactStep, updateContactStep } from '../target-contact/steps.js';

export const sourceContactSteps: StepMap = {
  'sourceContact.create': (ctx) => createContactStep(ctx, ctx.tenant),
  'sourceContact.update': (ctx) => updateContactStep(ctx, ctx.tenant),
  'sourceContact.delete': (ctx) => deleteContactStep(ctx, ctx.tenant),
};
