// Drive section: OneDrive drives and items. Owned by emulator/graph/drive*. STUB: filled in later.
export interface DriveState {
  drives: Record<string, unknown>;
}

export function emptyDrive(): DriveState {
  return { drives: {} };
}
