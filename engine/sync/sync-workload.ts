// Content sync of one workload of one user, source tenant -> target tenant: initial, then delta.
// The executor (engine/apply) imports this module dynamically and calls syncWorkload for each
// workload of each user; the watermark it returns (and the checkpoints handed to saveWatermark)
// go into the migration marker on the target user.
//
// Re-running with the same watermark copies nothing; re-running after a crash (or an abort
// through `signal`) resumes near the last checkpoint and never makes a second copy of an item.
import { UserError } from '../errors.js';
import type { SyncWatermark } from '../inventory/model.js';
import { syncDrive } from './drive-sync.js';
import { fidelityTransport, mailboxIds } from './mail-fidelity.js';
import { mimeTransport } from './mail-mime.js';
import { syncMail } from './mail-sync.js';
import { SyncRun, type SyncWorkloadOptions } from './sync-context.js';

export type { SyncWorkloadOptions, SyncMode } from './sync-context.js';

export async function syncWorkload(options: SyncWorkloadOptions): Promise<SyncWatermark> {
  const run = new SyncRun(options);
  run.checkAbort();
  if (options.workload === 'onedrive') return syncDrive(run, options.source, options.target, options.sourceUserId, options.targetUserId);
  return syncMailbox(run, options);
}

async function syncMailbox(run: SyncRun, o: SyncWorkloadOptions): Promise<SyncWatermark> {
  const archive = o.workload === 'archive';
  const signal = o.signal;
  let why: string | undefined = o.mailTransport === 'mime' ? 'the project asks for MIME transport' : undefined;
  let src: Awaited<ReturnType<typeof mailboxIds>> = {};
  let tgt: Awaited<ReturnType<typeof mailboxIds>> = {};
  if (!why) {
    src = await mailboxIds(o.source, o.sourceUserId, signal);
    tgt = src.ids ? await mailboxIds(o.target, o.targetUserId, signal) : {};
    if (!src.ids) why = `tenant '${o.source.name}' does not offer it (${src.unavailable})`;
    else if (!tgt.ids) why = `tenant '${o.target.name}' does not offer it (${tgt.unavailable})`;
  }

  if (src.ids && tgt.ids) {
    const sourceMailboxId = archive ? src.ids.inPlaceArchiveMailboxId : src.ids.primaryMailboxId;
    const targetMailboxId = archive ? tgt.ids.inPlaceArchiveMailboxId : tgt.ids.primaryMailboxId;
    if (!sourceMailboxId) {
      // No archive in the source: nothing to copy, and nothing to wait for.
      return run.finish();
    }
    if (!targetMailboxId) {
      throw new UserError(
        `tenant '${o.target.name}': user ${o.targetUserId} has no ${archive ? 'in-place archive' : 'mailbox'} to copy the source ${archive ? 'archive' : 'mailbox'} into`,
        archive ? 'sync.targetArchiveMissing' : 'sync.targetMailboxMissing',
        archive ? 'enable the archive on the target mailbox (Enable-Mailbox -Archive, or a licence that includes it) and run apply again' : 'license the target user so Exchange provisions its mailbox, then run apply again',
      );
    }
    const transport = fidelityTransport({
      source: o.source,
      target: o.target,
      sourceMailboxId,
      targetMailboxId,
      targetUserId: o.targetUserId,
      archive,
      ...(signal ? { signal } : {}),
    });
    return syncMail(run, transport, o.source);
  }

  if (archive) {
    throw new UserError(
      `cannot copy the archive of ${o.sourceUserId}: the in-place archive is reachable only through the mailbox import/export API, and ${why}`,
      'sync.archiveNeedsImportExport',
      'grant MailboxItem.ImportExport.All (and MailboxFolder.ReadWrite.All) to the apps of both tenants; the API is in Graph beta, global cloud only',
    );
  }
  run.warn(
    `mailbox of ${o.sourceUserId}: the full-fidelity import/export API is not used because ${why}; copying as MIME instead, so every copied message becomes a draft in the target (sent/received state is lost)`,
  );
  const transport = mimeTransport({
    source: o.source,
    target: o.target,
    sourceUserId: o.sourceUserId,
    targetUserId: o.targetUserId,
    concurrency: run.concurrency,
    ...(signal ? { signal } : {}),
  });
  return syncMail(run, transport, o.source);
}
