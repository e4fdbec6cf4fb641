// Generates the manifests' JSON Schema validators as code, after `tsc` (npm run build, test,
// bench): dist/engine/manifest/schema-validators.generated.cjs. See
// engine/manifest/schema-validators.ts for why, and for what happens when it is missing or stale.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'engine', 'manifest');
const { standaloneSource, GENERATED_FILE } = await import(join(dist, 'schema-validators.js'));
writeFileSync(join(dist, GENERATED_FILE), standaloneSource());
