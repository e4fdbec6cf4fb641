// The JSON Schema validators of the manifests. They are generated as code when t2t is built
// (scripts/compile-schemas.mjs writes dist/engine/manifest/schema-validators.generated.cjs, ajv's
// standalone code): compiling the schemas with ajv at run time, and loading ajv to do it, cost
// every command about 0.15 s of start-up. The generated file records a hash of the schema files it
// was made from; when it is missing (a build by `tsc` alone) or the schemas changed since, the
// validators are compiled at run time as before, with the same options.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { packageRoot } from '../util/package-root.js';

export type ManifestKind = 'Project' | 'Wave';

export const SCHEMA_FILES: Readonly<Record<ManifestKind, string>> = { Project: 'project.schema.json', Wave: 'wave.schema.json' };

/** The file the build generates, next to this module in dist/. */
export const GENERATED_FILE = 'schema-validators.generated.cjs';

const require = createRequire(import.meta.url);

interface Schemas {
  readonly texts: Readonly<Record<ManifestKind, string>>;
  readonly hash: string;
}

function readSchemas(): Schemas {
  const texts = {
    Project: readFileSync(join(packageRoot(), 'schemas', SCHEMA_FILES.Project), 'utf8'),
    Wave: readFileSync(join(packageRoot(), 'schemas', SCHEMA_FILES.Wave), 'utf8'),
  };
  return { texts, hash: 'sha256:' + createHash('sha256').update(texts.Project).update('\0').update(texts.Wave).digest('hex') };
}

interface AjvInstance {
  compile(schema: object): ValidateFunction;
  addSchema(schema: object, key: string): void;
}

/** ajv as the manifests are checked: every error (not only the first), strict schemas, errors
 *  carrying their schema and data (the diagnostics read them), and the standard formats. Loaded
 *  with require: ajv and ajv-formats are CommonJS, and only this path needs them. */
function newAjv(standalone: boolean): AjvInstance {
  const { default: Ajv2020 } = require('ajv/dist/2020.js') as { default: new (opts: object) => AjvInstance };
  const { default: addFormats } = require('ajv-formats') as { default: (ajv: AjvInstance) => void };
  const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true, ...(standalone ? { code: { source: true } } : {}) });
  addFormats(ajv);
  return ajv;
}

/** The generated validators' module source (CommonJS): ajv's standalone code for both kinds and
 *  the hash of the schemas it was made from. For scripts/compile-schemas.mjs. */
export function standaloneSource(): string {
  const schemas = readSchemas();
  const ajv = newAjv(true);
  for (const kind of ['Project', 'Wave'] as const) ajv.addSchema(JSON.parse(schemas.texts[kind]) as object, kind);
  const { default: standaloneCode } = require('ajv/dist/standalone/index.js') as { default: (ajv: AjvInstance, refs: Record<string, string>) => string };
  return `${standaloneCode(ajv, { Project: 'Project', Wave: 'Wave' })}\nmodule.exports.schemaHash = ${JSON.stringify(schemas.hash)};\n`;
}

type Validators = Record<ManifestKind, ValidateFunction>;

/** The validators the build generated, if they were made from the schemas as they are now. */
export function generatedValidators(): Validators | undefined {
  let generated: { Project?: ValidateFunction; Wave?: ValidateFunction; schemaHash?: string };
  try {
    generated = require(`./${GENERATED_FILE}`) as typeof generated;
  } catch {
    return undefined; // not built (tsc alone)
  }
  if (generated.schemaHash !== readSchemas().hash || !generated.Project || !generated.Wave) return undefined;
  return { Project: generated.Project, Wave: generated.Wave };
}

/** The validators compiled by ajv now, from the schema files. */
export function compiledValidators(): Validators {
  const { texts } = readSchemas();
  const ajv = newAjv(false);
  return { Project: ajv.compile(JSON.parse(texts.Project) as object), Wave: ajv.compile(JSON.parse(texts.Wave) as object) };
}

let validators: Validators | undefined;

/** The validators: the generated ones, else compiled; once, on first use. */
export function schemaValidators(): Validators {
  return (validators ??= generatedValidators() ?? compiledValidators());
}
