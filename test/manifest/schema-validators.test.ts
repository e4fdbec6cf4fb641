// The schema validators the build generates (scripts/compile-schemas.mjs) must judge every manifest
// exactly as ajv compiling the schemas at run time does, error for error: the diagnostics are
// written from those errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compiledValidators, generatedValidators, schemaValidators, type ManifestKind } from '../../engine/manifest/schema-validators.js';
import { packageRoot } from '../../engine/util/package-root.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Every Project and Wave document of the fixtures (valid and invalid) and the example, as data. */
function documents(): { file: string; kind: ManifestKind; value: unknown }[] {
  const root = packageRoot();
  const files = [join(root, 'test', 'fixtures'), join(root, 'examples')].flatMap(yamlFiles);
  const out: { file: string; kind: ManifestKind; value: unknown }[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (!('toJS' in doc) || doc.errors.length) continue;
      const value = doc.toJS() as { kind?: unknown } | null;
      if (value && (value.kind === 'Project' || value.kind === 'Wave')) out.push({ file, kind: value.kind, value });
    }
  }
  return out;
}

test('the build generated the validators from the schemas as they are (npm run build / npm test)', () => {
  assert.ok(generatedValidators(), 'dist/engine/manifest/schema-validators.generated.cjs is missing or stale: run node scripts/compile-schemas.mjs');
  assert.is(schemaValidators(), schemaValidators(), 'loaded once');
});

test('generated and run-time compiled validators give the same errors for every fixture and example document', () => {
  const generated = generatedValidators()!;
  const compiled = compiledValidators();
  const docs = documents();
  let invalid = 0;
  // each document as it is, and broken twice more: an unknown property, a spec of the wrong type
  const cases = docs.flatMap(({ file, kind, value }) => [
    { file, kind, value },
    { file: `${file} + unknown property`, kind, value: { ...(value as object), unexpected: 1 } },
    { file: `${file} + spec a string`, kind, value: { ...(value as object), spec: 'x' } },
  ]);
  for (const { file, kind, value } of cases) {
    const a = generated[kind](value);
    const b = compiled[kind](value);
    assert.is(a, b, `${file}: valid`);
    assert.equal(JSON.parse(JSON.stringify(generated[kind].errors ?? null)), JSON.parse(JSON.stringify(compiled[kind].errors ?? null)), `${file}: errors`);
    if (!a) invalid++;
  }
  assert.ok(docs.length > 100, `only ${docs.length} documents`);
  assert.ok(invalid > 2 * docs.length + 15, `only ${invalid} invalid documents`);
});

test.run();
