// The shapes the mail sync works on, and the two transports that implement them: the
// full-fidelity mailbox import/export API (mail-fidelity.ts) and the MIME fallback (mail-mime.ts).

export interface FolderNode {
  id: string;
  displayName: string;
  /** inbox, sentitems… for the folders Exchange creates. */
  wellKnownName?: string;
  /** Folder class (IPF.Note, IPF.Appointment…) when the API says. */
  type?: string;
  /** null for a folder at the top of the mailbox. */
  parentId: string | null;
  /** Target folders: the sync's delta positions kept on the folder (folder-positions.ts). */
  positions?: string;
}

/** An item as listed or reported by delta in the source. */
export interface SourceItem {
  id: string;
  removed?: boolean;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  size?: number;
  /** Internet message id, when the API exposes it: the best cross-tenant identity of a message. */
  messageId?: string;
  /** Flags the MIME path carries over by PATCH (read state, flag, categories, importance). */
  flags?: Record<string, unknown>;
}

/** A copy in the target folder. */
export interface TargetItem {
  id: string;
  changeKey?: string;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  size?: number;
  messageId?: string;
}

/** What fetch() read from the source for one item, ready to write into the target. */
export interface Payload {
  source: SourceItem;
  data: string;
  /** Size of the item (bytes), for the totals. */
  bytes: number;
}

export interface MailTransport {
  readonly kind: 'fidelity' | 'mime';
  /** Every folder of the source mailbox (parents before children). */
  sourceFolders(): Promise<FolderNode[]>;
  targetFolders(): Promise<FolderNode[]>;
  /** Create a folder in the target under `parentId` (null: top level); returns its id. */
  createTargetFolder(parentId: string | null, source: FolderNode): Promise<string>;
  /** Rename a target folder (its source folder was renamed since the copies were made there). */
  renameTargetFolder?(folderId: string, displayName: string): Promise<void>;
  /** The target folders were listed with their positions property (the service answered the $expand). */
  positionsReadable?(): boolean;
  /** Keep the sync's delta positions on a target folder (an extended property). */
  writePositions?(folderId: string, value: string): Promise<void>;
  /** Relative URL of a first delta round of a source folder, and of a stored position (query string). */
  deltaUrl(folderId: string, query?: string): string;
  readonly beta: boolean;
  /** The service refused the first delta round's extra query (the internet message id): ask
   *  without it from now on. True when the URLs changed (the round is worth retrying). */
  withoutMessageId?(): boolean;
  /** An item of a delta page. */
  sourceItem(raw: Record<string, unknown>): SourceItem;
  listSource(folderId: string): Promise<SourceItem[]>;
  listTarget(folderId: string): Promise<TargetItem[]>;
  /** Read up to 20 source items; items gone in the meantime are left out. */
  fetch(items: SourceItem[]): Promise<Payload[]>;
  /** Write one item into the target folder: a new copy, or over `existing`. */
  put(payload: Payload, folderId: string, existing?: TargetItem): Promise<TargetItem>;
  remove(item: TargetItem, folderId: string): Promise<void>;
}
