// The folder tree of a mailbox, read the same way by both mail transports: the top folders, then
// each folder's children, breadth first, so every parent comes before its children.
import type { FolderNode } from './mail-types.js';

export interface FolderListing<R> {
  /** The pages of a folder list (the transport's Graph client, API version and budget). */
  pages(url: string): AsyncIterable<R[]>;
  /** The list of the mailbox's top folders. */
  rootUrl: string;
  /** The list of a folder's children. */
  childrenUrl(folderId: string): string;
  /** The node of a listed folder. */
  node(folder: R, parentId: string | null): FolderNode;
}

export async function walkFolders<R extends { id: string; childFolderCount?: number }>(listing: FolderListing<R>): Promise<FolderNode[]> {
  const out: FolderNode[] = [];
  const queue: { url: string; parentId: string | null }[] = [{ url: listing.rootUrl, parentId: null }];
  while (queue.length) {
    const { url, parentId } = queue.shift()!;
    for await (const page of listing.pages(url)) {
      for (const f of page) {
        out.push(listing.node(f, parentId));
        // a folder the service says nothing about may have children: look
        if ((f.childFolderCount ?? 1) > 0) queue.push({ url: listing.childrenUrl(f.id), parentId: f.id });
      }
    }
  }
  return out;
}
