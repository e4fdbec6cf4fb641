// The schemas are the single source of validation and editor completion: they compile under
// draft 2020-12, describe every property, and the examples' modelines point at them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../engine/util/package-root.js';
import { EXAMPLE } from './helpers.js';

const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as typeof Ajv2020Module.default;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (a: unknown) => void;
const SCHEMAS = join(packageRoot(), 'schemas');
const load = (name: string) => JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8')) as Record<string, unknown>;

function walk(node: unknown, path: string, visit: (n: Record<string, unknown>, path: string) => void): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`, visit));
  visit(node as Record<string, unknown>, path);
  for (const [k, v] of Object.entries(node)) walk(v, `${path}/${k}`, visit);
}

test('both schemas compile in strict mode and close every object', () => {
  for (const name of ['project.schema.json', 'wave.schema.json']) {
    const schema = load(name);
    assert.is(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
    const ajv = new Ajv2020({ strict: true });
    addFormats(ajv);
    ajv.compile(schema);
    walk(schema, name, (n, path) => {
      if (n['type'] === 'object' && n['properties']) assert.ok('additionalProperties' in n, `${path} lacks additionalProperties`);
    });
  }
});

test('every property has a description (editor completion)', () => {
  for (const name of ['project.schema.json', 'wave.schema.json']) {
    walk(load(name), name, (n, path) => {
      const props = n['properties'] as Record<string, Record<string, unknown>> | undefined;
      if (!props || path.endsWith('/properties')) return;
      for (const [key, p] of Object.entries(props)) assert.type(p['description'], 'string', `${path}.${key} has no description`);
    });
  }
});

test('the examples carry a yaml-language-server modeline that resolves to the schema of their kind, and validate against it', () => {
  const files = ['project.yaml', ...readdirSync(join(EXAMPLE, 'waves')).filter((f) => f.endsWith('.yaml')).map((f) => `waves/${f}`)];
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  for (const file of files) {
    const full = join(EXAMPLE, file);
    const text = readFileSync(full, 'utf8');
    const m = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text.split('\n')[0]!);
    assert.ok(m, `${file} has no modeline on its first line`);
    const target = resolve(dirname(full), m![1]!);
    assert.ok(existsSync(target), `${file}: ${m![1]} does not exist`);
    const value = parseAllDocuments(text)[0]!.toJS() as { kind: string };
    assert.is(relative(SCHEMAS, target), value.kind === 'Project' ? 'project.schema.json' : 'wave.schema.json', file);
    const validate = ajv.getSchema(target) ?? ajv.addSchema(JSON.parse(readFileSync(target, 'utf8')), target).getSchema(target)!;
    assert.ok(validate(value), `${file}: ${JSON.stringify(validate.errors)}`);
  }
});

test.run();
