// Finds every error code the engine can raise, statically, with TypeScript's own parser: the code
// argument of each `new UserError/TenantError/InternalError(...)` and of the two subclasses in
// engine/apply/step-kit.ts. A code built at run time becomes a pattern (`tenant.http*`); a code
// the parser cannot see (a variable) is reported as a dynamic call site, which the test must know.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

export interface CodeSite {
  /** The code, or a pattern where `*` stands for a part computed at run time. */
  readonly code: string;
  readonly file: string; // relative to the engine directory, '/'-separated
  readonly line: number;
}

export interface DynamicSite {
  readonly file: string;
  readonly line: number;
  /** The source text of the code argument, e.g. `code` or `e.code`. */
  readonly expression: string;
}

export interface ScanResult {
  readonly sites: CodeSite[];
  readonly dynamic: DynamicSite[];
  /** Reasons of Blocked conditions: `{ reason: 'NoFreeLicense', message: ... }` object literals. */
  readonly blockedReasons: Set<string>;
  /** Codes of `t2t certs` diagnostics: the 'cert-…' string literal types of engine/certs. */
  readonly certCodes: Set<string>;
  /** Every string literal of the engine, to check that an allow-listed code still exists. */
  readonly literals: Set<string>;
}

/** Which argument of each constructor holds the code; `fixed` for constructors that set it themselves. */
const CONSTRUCTORS: Record<string, { arg: number; prefix?: string } | { fixed: string }> = {
  UserError: { arg: 1 },
  TenantError: { arg: 1 },
  InternalError: { fixed: 'internal' },
  // engine/apply/step-kit.ts: super(..., 'apply.badChange', ...)
  InternalStepError: { fixed: 'apply.badChange' },
  // engine/apply/step-kit.ts: super(message, `Blocked/${reason}`, hint)
  BlockedError: { arg: 0, prefix: 'Blocked/' },
};

export function scanEngine(engineDir: string): ScanResult {
  const sites: CodeSite[] = [];
  const dynamic: DynamicSite[] = [];
  const blockedReasons = new Set<string>();
  const certCodes = new Set<string>();
  const literals = new Set<string>();
  for (const path of tsFiles(engineDir)) {
    const file = relative(engineDir, path).split(sep).join('/');
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
    const lineOf = (n: ts.Node) => source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1;
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
        const how = CONSTRUCTORS[node.expression.text];
        if (how && 'fixed' in how) sites.push({ code: how.fixed, file, line: lineOf(node) });
        else if (how) {
          const arg = node.arguments?.[how.arg];
          const codes = arg ? codesOf(arg, source) : undefined;
          if (arg && codes) for (const c of codes) sites.push({ code: (how.prefix ?? '') + c, file, line: lineOf(node) });
          else dynamic.push({ file, line: lineOf(node), expression: arg ? arg.getText(source) : '(none)' });
        }
      }
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        literals.add(node.text);
        if (/^cert-[a-z-]+$/.test(node.text) && ts.isLiteralTypeNode(node.parent)) certCodes.add(node.text);
      }
      if (ts.isObjectLiteralExpression(node)) {
        const reason = blockedReason(node);
        if (reason) blockedReasons.add(reason);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { sites, dynamic, blockedReasons, certCodes, literals };
}

/** The codes an expression can evaluate to, or undefined when that is not visible in the source. */
function codesOf(e: ts.Expression, source: ts.SourceFile): string[] | undefined {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
  if (ts.isParenthesizedExpression(e)) return codesOf(e.expression, source);
  if (ts.isTemplateExpression(e)) {
    // `tenant.http${status}` -> tenant.http*; a branch inside a substitution is not worth resolving
    return [e.head.text + e.templateSpans.map((s) => `*${s.literal.text}`).join('')];
  }
  if (ts.isConditionalExpression(e)) {
    const a = codesOf(e.whenTrue, source);
    const b = codesOf(e.whenFalse, source);
    return a && b ? [...a, ...b] : undefined;
  }
  if (ts.isIdentifier(e)) {
    // a `const code = '...'` (or a conditional of literals) in the same file
    const decl = findConst(source, e.text);
    return decl ? codesOf(decl, source) : undefined;
  }
  return undefined;
}

/** 'NoFreeLicense' of `{ reason: 'NoFreeLicense', message }` (a PascalCase reason next to a message). */
function blockedReason(o: ts.ObjectLiteralExpression): string | undefined {
  let reason: string | undefined;
  let message = false;
  for (const p of o.properties) {
    const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
    if (name === 'message') message = true;
    if (name === 'reason' && ts.isPropertyAssignment(p) && ts.isStringLiteral(p.initializer) && /^[A-Z][A-Za-z]+$/.test(p.initializer.text)) reason = p.initializer.text;
  }
  return message ? reason : undefined;
}

function findConst(source: ts.SourceFile, name: string): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  let count = 0;
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer) {
      const list = n.parent;
      if (ts.isVariableDeclarationList(list) && list.flags & ts.NodeFlags.Const) {
        found = n.initializer;
        count++;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  // two consts of the same name in different scopes: too clever to guess, treat as dynamic
  return count === 1 ? found : undefined;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}
