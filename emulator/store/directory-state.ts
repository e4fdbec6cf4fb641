// Directory section: users, groups, licences (subscribedSkus), open extensions.
// Owned by emulator/graph/users*, groups*, licenses*. STUB: the directory module fills this in.
export interface DirectoryState {
  users: Record<string, unknown>;
  groups: Record<string, unknown>;
  skus: unknown[];
}

export function emptyDirectory(): DirectoryState {
  return { users: {}, groups: {}, skus: [] };
}

/** Minimal view of a user other sections need (mail, drive, exchange). */
export interface UserRef {
  id: string;
  userPrincipalName: string;
  mail: string | null;
}

/** Resolve a user by object id or UPN (case-insensitive), as Graph's /users/{id|upn} does.
 *  STUB until the directory module lands. */
export function findUser(t: { directory: DirectoryState }, idOrUpn: string): UserRef | undefined {
  void t;
  void idOrUpn;
  return undefined;
}
