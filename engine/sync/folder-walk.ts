// The folder tree of a mailbox, read the same way by both mail transports: the top folders, then
// each folder's children, breadth first, so every parent comes before its children.
import type { FolderNode } from './mail-types.js';
import { statusOf } from './sync-context.js';

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

/**
 * Create a folder by a POST the client may repeat after a failure (the caller marks it safe): a
 * transient 5xx no longer fails the sync. Exchange refuses a second folder of the same name under
 * one parent (409 ErrorFolderExists), so a repeat of a POST the service had carried out finds the
 * folder made; it is then looked up by name among its siblings.
 */
export async function createFolderOnce(post: () => Promise<{ id: string }>, siblings: () => AsyncIterable<{ id: string; displayName: string }[]>, name: string): Promise<string> {
  try {
    return (await post()).id;
  } catch (e) {
    if (statusOf(e) !== 409) throw e;
    for await (const page of siblings()) {
      const found = page.find((f) => f.displayName.toLowerCase() === name.toLowerCase());
      if (found) return found.id;
    }
    throw e;
  }
}
