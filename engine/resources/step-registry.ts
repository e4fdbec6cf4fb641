// Every op the planner emits -> its step (engine/resources/<kind>/steps.ts). The executor looks
// ops up here; test/apply checks that every op of STEP_ORDER and every inverse has a step.
import type { StepFn } from '../apply/step-types.js';
import { contentSyncSteps } from './content-sync/steps.js';
import { groupMembershipSteps } from './group-membership/steps.js';
import { guestConversionSteps } from './guest-conversion/steps.js';
import { guestInvitationSteps } from './guest-invitation/steps.js';
import { licenseSteps } from './license/steps.js';
import { mailUserSteps } from './mail-user/steps.js';
import { markerSteps } from './marker/steps.js';
import { notificationSteps } from './notification/steps.js';
import { rewriteMembershipSteps } from './rewrite-membership/steps.js';
import { serviceAccountCleanupSteps } from './service-account-cleanup/steps.js';
import { sourceContactSteps } from './source-contact/steps.js';
import { sourceForwardingSteps } from './source-forwarding/steps.js';
import { sourceVisibilitySteps } from './source-visibility/steps.js';
import { targetContactSteps } from './target-contact/steps.js';
import { targetForwardingSteps } from './target-forwarding/steps.js';
import { targetUserSteps } from './target-user/steps.js';
import { targetVisibilitySteps } from './target-visibility/steps.js';
import { x500AddressesSteps } from './x500-addresses/steps.js';

export const STEPS: Readonly<Record<string, StepFn>> = {
  ...targetUserSteps,
  ...guestInvitationSteps,
  ...guestConversionSteps,
  ...mailUserSteps,
  ...targetVisibilitySteps,
  ...targetContactSteps,
  ...licenseSteps,
  ...targetForwardingSteps,
  ...contentSyncSteps,
  ...x500AddressesSteps,
  ...sourceVisibilitySteps,
  ...sourceForwardingSteps,
  ...sourceContactSteps,
  ...notificationSteps,
  ...serviceAccountCleanupSteps,
  ...groupMembershipSteps,
  ...rewriteMembershipSteps,
  ...markerSteps,
};

export function stepFor(op: string): StepFn | undefined {
  return Object.prototype.hasOwnProperty.call(STEPS, op) ? STEPS[op] : undefined;
}
