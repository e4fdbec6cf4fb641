// Steps of rewriteMembership: membership of the email-rewrite eligibility groups (DayOne, DayTwo)
// in the source and the target, with the same steps as groupMembership. The executor checks the
// rewrite TLS and DKIM certificates before any of these run (engine/apply/certificate-binding.ts).
import type { StepMap } from '../../apply/step-types.js';
import { groupMembershipSteps } from '../group-membership/steps.js';

export const rewriteMembershipSteps: StepMap = {
  'rewriteMembership.add': groupMembershipSteps['groupMembership.add']!,
  'rewriteMembership.remove': groupMembershipSteps['groupMembership.remove']!,
};
