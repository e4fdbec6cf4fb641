// Step of serviceAccountCleanup: remove the access t2t's migration accounts have to the moved
// mailbox. t2t copies content with the application's Graph permissions (Mail.ReadWrite,
// MailboxItem.ImportExport.All), which are tenant-wide app roles, not mailbox permissions: there is
// no per-mailbox grant to remove (and the emulator has no Remove-MailboxPermission). The step
// therefore records the clean-up in the job log and changes nothing; a project that grants a
// service account FullAccess by hand removes it with Remove-MailboxPermission.
import { targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

async function run(ctx: StepContext) {
  const id = await targetUserId(ctx);
  ctx.log('serviceAccountCleanup.recorded', { targetUserId: id, message: 'no mailbox permission granted by t2t to remove (content sync uses application permissions)' });
  return { note: 'nothing to remove: t2t grants no mailbox permission (recorded)' };
}

export const serviceAccountCleanupSteps: StepMap = { 'serviceAccountCleanup.run': run };
