// A plan the blast-radius guard refused, as the user error the CLI prints (exit 1).
import { UserError } from '../errors.js';
import type { PlanOutline } from './model.js';

/** spec.safety.maxDeletes: a plan (or a saved plan file, `what`) that deletes more objects than
 *  it allows is refused as a whole. Deletes are one-way deletions of users or content. */
export function maxDeletesRefusal(deletes: number, max: number, what = 'the plan'): PlanOutline['refusal'] {
  if (deletes <= max) return null;
  return {
    code: 'MaxDeletesExceeded',
    message: `${what} deletes ${deletes} object${deletes === 1 ? '' : 's'} (users or content), more than spec.safety.maxDeletes (${max}): refused`,
    hint: `review the deletions; if they are intended, raise spec.safety.maxDeletes to at least ${deletes} in the Project manifest`,
  };
}

export function planRefusalError(plan: PlanOutline): UserError | undefined {
  return plan.refusal ? new UserError(plan.refusal.message, plan.refusal.code, plan.refusal.hint) : undefined;
}
