// A plan the blast-radius guard refused, as the user error the CLI prints (exit 1).
import { UserError } from '../errors.js';
import type { PlanOutline } from './model.js';

export function planRefusalError(plan: PlanOutline): UserError | undefined {
  return plan.refusal ? new UserError(plan.refusal.message, plan.refusal.code, plan.refusal.hint) : undefined;
}
