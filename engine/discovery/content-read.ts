// Content sizes of the migration scope (source wave members only): mailbox and archive item counts
// and bytes, OneDrive bytes and file count. They feed the plan's duration estimate.
//
// Mailbox and archive: Exchange's Get-MailboxStatistics (-Archive), one call each, exact and
// cheap. Where the service does not offer that cmdlet, the folders are walked instead: the primary
// mailbox through v1.0 /mailFolders and /childFolders, the archive through the beta mailbox API
// (settings/exchange gives inPlaceArchiveMailboxId, then /admin/exchange/mailboxes/{id}/folders).
// Folder walks give item counts, and bytes only where a folder carries sizeInBytes.
// OneDrive: GET /users/{id}/drive, quota.used and (where the service has it) quota.fileCount.
import type { DiscoveryClient } from './discovery-client.js';
import type { CachedContent } from './tenant-cache.js';
import type { CachedRecipient } from './recipient-record.js';
import { T2tError } from '../errors.js';

export interface ContentTarget {
  userId: string;
  /** The user's mailbox, if Exchange lists one. */
  mailbox?: CachedRecipient;
}

export interface ContentReadState {
  /** Set once the service refused Get-MailboxStatistics: use Graph for the rest of the run. */
  noMailboxStatistics?: boolean;
  warnings: Set<string>;
}

interface Stats {
  items: number;
  bytes: number;
}

/** "1.234 MB (1,293,942 bytes)" as EXO prints a ByteQuantifiedSize, or a plain number. */
export function parseByteQuantity(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'Value' in v) return parseByteQuantity((v as { Value: unknown }).Value);
  const m = /\(([\d,.\s]+) bytes\)/.exec(String(v ?? ''));
  return m ? Number(m[1]!.replace(/[,.\s]/g, '')) : 0;
}

function unsupportedCmdlet(e: unknown): boolean {
  if (!(e instanceof T2tError)) return false;
  const status = (e as { details?: { status?: number } }).details?.status;
  return /not recognized|unknown cmdlet|CommandNotFound|not supported|is not a known/i.test(e.message) || status === 404 || status === 501;
}

async function mailboxStatistics(client: DiscoveryClient, identity: string, archive: boolean): Promise<Stats> {
  const rows = await client.exchange('Get-MailboxStatistics', archive ? { Identity: identity, Archive: true } : { Identity: identity });
  const r = rows[0] ?? {};
  return { items: Number(r.ItemCount ?? 0), bytes: parseByteQuantity(r.TotalItemSize) };
}

interface GraphFolder {
  id: string;
  totalItemCount?: number;
  sizeInBytes?: number;
  childFolderCount?: number;
}

async function walk(client: DiscoveryClient, first: string, child: (folderId: string) => string, state: ContentReadState): Promise<Stats> {
  const total: Stats = { items: 0, bytes: 0 };
  let sized = true;
  const queue: string[] = [first];
  while (queue.length) {
    const folders = await client.list<GraphFolder>(queue.shift()!);
    for (const f of folders) {
      total.items += f.totalItemCount ?? 0;
      if (typeof f.sizeInBytes === 'number') total.bytes += f.sizeInBytes;
      else sized = false;
      if ((f.childFolderCount ?? 0) > 0) queue.push(child(f.id));
    }
  }
  if (!sized) state.warnings.add('mailbox sizes in bytes are not available from this tenant (no Get-MailboxStatistics, and mail folders carry no sizeInBytes): item counts only');
  return total;
}

function walkPrimary(client: DiscoveryClient, userId: string, state: ContentReadState): Promise<Stats> {
  const u = `/v1.0/users/${encodeURIComponent(userId)}/mailFolders`;
  return walk(client, `${u}?includeHiddenFolders=true&$top=100`, (id) => `${u}/${encodeURIComponent(id)}/childFolders?includeHiddenFolders=true&$top=100`, state);
}

async function walkArchive(client: DiscoveryClient, userId: string, state: ContentReadState): Promise<Stats> {
  const settings = await client.get<{ inPlaceArchiveMailboxId?: string }>(`/beta/users/${encodeURIComponent(userId)}/settings/exchange`);
  if (!settings.inPlaceArchiveMailboxId) return { items: 0, bytes: 0 };
  const m = `/beta/admin/exchange/mailboxes/${encodeURIComponent(settings.inPlaceArchiveMailboxId)}/folders`;
  return walk(client, m, (id) => `${m}/${encodeURIComponent(id)}/childFolders`, state);
}

async function driveSize(client: DiscoveryClient, userId: string, state: ContentReadState): Promise<Stats> {
  try {
    const d = await client.get<{ quota?: { used?: number; fileCount?: number } }>(`/v1.0/users/${encodeURIComponent(userId)}/drive`);
    if (typeof d.quota?.fileCount !== 'number') state.warnings.add('OneDrive file counts are not available from this tenant (quota.fileCount): bytes only');
    return { items: d.quota?.fileCount ?? 0, bytes: d.quota?.used ?? 0 };
  } catch (e) {
    // No OneDrive provisioned (unlicensed or never signed in): nothing to migrate.
    if (e instanceof T2tError && (e as { details?: { status?: number } }).details?.status === 404) return { items: 0, bytes: 0 };
    throw e;
  }
}

export async function readContentSize(client: DiscoveryClient, target: ContentTarget, state: ContentReadState, now: string): Promise<CachedContent> {
  let mailbox: Stats = { items: 0, bytes: 0 };
  let archive: Stats = { items: 0, bytes: 0 };
  if (target.mailbox) {
    const identity = target.mailbox.userId ?? target.mailbox.identity;
    if (!state.noMailboxStatistics) {
      try {
        mailbox = await mailboxStatistics(client, identity, false);
        if (target.mailbox.archiveGuid) archive = await mailboxStatistics(client, identity, true);
      } catch (e) {
        if (!unsupportedCmdlet(e)) throw e;
        state.noMailboxStatistics = true;
      }
    }
    if (state.noMailboxStatistics) {
      mailbox = await walkPrimary(client, target.userId, state);
      if (target.mailbox.archiveGuid) archive = await walkArchive(client, target.userId, state);
    }
  }
  const drive = await driveSize(client, target.userId, state);
  return {
    mailboxItems: mailbox.items,
    mailboxBytes: mailbox.bytes,
    archiveItems: archive.items,
    archiveBytes: archive.bytes,
    driveItems: drive.items,
    driveBytes: drive.bytes,
    readAt: now,
  };
}
