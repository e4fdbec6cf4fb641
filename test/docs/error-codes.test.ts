// docs/errors.md lists every code the engine can raise (STYLE.md 3), and nothing else: the codes
// are found in the engine's source (error-code-scan.ts), the rows are the table lines of the doc
// whose first cell is a code in backticks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIAGNOSTIC_CODES } from '../../engine/manifest/diagnostics.js';
import { scanEngine } from './error-code-scan.js';

// The TypeScript sources, not dist/: this file runs as dist/test/docs/error-codes.test.js.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ENGINE = join(ROOT, 'engine');
const DOC = join(ROOT, 'docs', 'errors.md');

/**
 * Codes the scanner cannot see, by call site: the constructor's code argument is a variable.
 * Each entry must still match a call site, and each of its codes must still be a string literal
 * somewhere in the engine, so the list cannot go stale silently.
 */
const DYNAMIC: { file: string; expression: string; codes: string[]; why: string }[] = [
  {
    file: 'plan/refusal.ts',
    expression: 'plan.refusal.code',
    codes: ['MaxDeletesExceeded'],
    why: "the plan carries its refusal as data (refusal.ts maxDeletesRefusal: code 'MaxDeletesExceeded'); planRefusalError turns it into a UserError",
  },
  {
    file: 'apply/guards.ts',
    expression: 'refusal.code',
    codes: ['MaxDeletesExceeded'],
    why: "a saved plan's deletes counted again: the refusal made by maxDeletesRefusal, as the planner makes it",
  },
];

/** Codes set as data rather than through a constructor; each must still be a literal in the engine. */
const AS_DATA: { code: string; why: string }[] = [
  { code: 'internal', why: "InternalError's own code (engine/errors.ts, no call site at present); tenants --output json gives it to an unexpected failure" },
];

/** `tenant.http<status>` in the doc is the pattern `tenant.http*` of the scanner. */
function normalise(code: string): string {
  return code.replace(/<[^>]+>/g, '*');
}

function documentedCodes(markdown: string): Map<string, number> {
  const rows = new Map<string, number>();
  markdown.split('\n').forEach((line, i) => {
    const m = /^\|\s*`([^`]+)`\s*\|/.exec(line);
    if (m) rows.set(normalise(m[1]!), i + 1);
  });
  return rows;
}

function matches(pattern: string, code: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
  return re.test(code);
}

const scan = existsSync(ENGINE) ? scanEngine(ENGINE) : undefined;
const doc = readFileSync(DOC, 'utf8');
const rows = documentedCodes(doc);

/** Every code that must have a row: raised errors, Blocked reasons, certificate diagnostics. */
function requiredCodes(): Map<string, string> {
  const required = new Map<string, string>(); // code -> where it comes from
  for (const s of scan!.sites) required.set(s.code, `${s.file}:${s.line}`);
  for (const d of DYNAMIC) for (const c of d.codes) required.set(c, d.file);
  for (const d of AS_DATA) required.set(d.code, d.why);
  for (const r of scan!.blockedReasons) required.set(`Blocked/${r}`, 'a Blocked condition reason');
  for (const c of scan!.certCodes) required.set(c, 'engine/certs (t2t certs diagnostics)');
  return required;
}

test('the engine sources are found next to the compiled test', () => {
  assert.ok(scan, `no engine sources at ${ENGINE}`);
  // a scan that found nothing would make every other assertion pass
  assert.ok(scan!.sites.length > 50, `only ${scan!.sites.length} error sites found`);
  const codes = new Set(scan!.sites.map((s) => s.code));
  for (const c of ['state.locked', 'apply.dirtyWorkingTree', 'tenant.http*', 'tenant.forbidden', 'apply.badChange', 'Blocked/NoFreeLicense', 'tenant.signInRefused']) {
    assert.ok(codes.has(c), `scanner missed ${c}`);
  }
});

test('every code the engine raises has a row in docs/errors.md', () => {
  const missing = [...requiredCodes()].filter(([code]) => !rows.has(code)).map(([code, where]) => `${code} (${where})`);
  assert.equal(missing, [], `add a row "| \`CODE\` | raised by | meaning | fix |" to docs/errors.md for: ${missing.join(', ')}`);
});

test('docs/errors.md lists no code that no longer exists', () => {
  const required = requiredCodes();
  const patterns = [...required.keys()].filter((c) => c.includes('*'));
  const known = (code: string) =>
    required.has(code) || (DIAGNOSTIC_CODES as readonly string[]).includes(code) || patterns.some((p) => !code.includes('*') && matches(p, code));
  const stale = [...rows].filter(([code]) => !known(code)).map(([code, line]) => `${code} (docs/errors.md:${line})`);
  assert.equal(stale, [], `these documented codes are raised nowhere: ${stale.join(', ')}`);
});

test('every code passed through a variable is allow-listed, and the allow-list is current', () => {
  const unknown = scan!.dynamic.filter((d) => !DYNAMIC.some((a) => a.file === d.file && a.expression === d.expression));
  assert.equal(unknown.map((d) => `${d.file}:${d.line} ${d.expression}`), [], 'a code the scanner cannot resolve: use a literal, or add the call site to DYNAMIC with the codes it can take');
  for (const a of DYNAMIC) {
    assert.ok(scan!.dynamic.some((d) => d.file === a.file && d.expression === a.expression), `DYNAMIC names ${a.file} ${a.expression}, which no longer exists`);
    for (const c of a.codes) assert.ok(scan!.literals.has(c), `DYNAMIC lists ${c}, which is no longer in the engine's source`);
  }
  for (const d of AS_DATA) assert.ok(scan!.literals.has(d.code), `AS_DATA lists ${d.code}, which is no longer in the engine's source`);
});

test('the troubleshooting section is the last part of docs/errors.md', () => {
  const headings = doc.split('\n').filter((l) => /^#{1,2} /.test(l));
  assert.equal(headings.at(-1), '## Troubleshooting');
});

test('scanner: literals, templates, conditionals, consts, subclasses and unresolvable codes', () => {
  const dir = mkdtempSync(join(tmpdir(), 't2t-error-scan-'));
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(
      join(dir, 'a.ts'),
      [
        "throw new UserError('m', 'a.literal', 'h');",
        "throw new TenantError('m', `a.http${status}`, { tenant: 't' });",
        "throw new UserError('m', archive ? 'a.yes' : 'a.no');",
        "const CODE = 'a.const';",
        "throw new UserError('m', CODE);",
        "throw new UserError('m', e.code);",
        "throw new BlockedError('NoThing', 'm', 'h');",
        'throw new InternalError(`m`);',
        "const b = { reason: 'Stuck', message: 'm' };",
        "type C = 'cert-odd' | 'other';",
      ].join('\n'),
    );
    writeFileSync(join(dir, 'sub', 'b.ts'), "export const f = () => new InternalStepError(ctx, 'x');\n");
    writeFileSync(join(dir, 'sub', 'c.d.ts'), "declare const x: UserError; new UserError('m', 'a.declared');\n");
    const r = scanEngine(dir);
    assert.equal(
      r.sites.map((s) => `${s.file}:${s.line} ${s.code}`),
      ['a.ts:1 a.literal', 'a.ts:2 a.http*', 'a.ts:3 a.yes', 'a.ts:3 a.no', 'a.ts:5 a.const', 'a.ts:7 Blocked/NoThing', 'a.ts:8 internal', 'sub/b.ts:1 apply.badChange'],
    );
    assert.equal(r.dynamic, [{ file: 'a.ts', line: 6, expression: 'e.code' }]);
    assert.equal([...r.blockedReasons], ['Stuck']);
    assert.equal([...r.certCodes], ['cert-odd']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('doc rows: patterns and the first cell only', () => {
  const r = documentedCodes(['| code | x |', '|---|---|', '| `tenant.http<status>` | any |', '| plain | `not.a.code` |', 'text `x.y` |'].join('\n'));
  assert.equal([...r.keys()], ['tenant.http*']);
  assert.ok(matches('tenant.http*', 'tenant.http404'));
  assert.not.ok(matches('tenant.http*', 'tenant.http'));
  assert.not.ok(matches('a.b*', 'aXb1'));
});

test.run();
