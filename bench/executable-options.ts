// The node options of the `t2t` executable: what its `#!/usr/bin/env -S node …` line passes. The
// plan bench starts node with them, as the installed command does, and a test checks that node
// accepts them.
import { readFileSync } from 'node:fs';

export function executableNodeOptions(bin: string): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0]!;
  const m = /^#!\S*env(?:\s+-S)?\s+node((?:\s+\S+)*)\s*$/.exec(first);
  if (!m) throw new Error(`${bin}: its first line is not a '#!/usr/bin/env node' line: ${first}`);
  return m[1]!.trim().split(/\s+/).filter(Boolean);
}
