// The contract of one cmdlet handler and the parameter helpers they share. Parameter names are
// case-insensitive, as PowerShell's are; PowerShell's common parameters are accepted and ignored.
import type { EmuRequest } from '../core/http-types.js';
import type { TenantState } from '../store/tenant-state.js';
import { invalidParameter, missingParameter, parameterNotFound } from './exchange-errors.js';

export interface CmdletContext {
  t: TenantState;
  now: number;
  req: EmuRequest;
  cmdlet: string;
  /** The page the route will answer with (Get- cmdlets need only build those objects). */
  window?: { offset: number; size: number };
}

export interface Cmdlet {
  name: string;
  /** Parameters besides the common ones, in their canonical spelling. */
  parameters: readonly string[];
  mandatory?: readonly string[];
  /** Objects written to the pipeline (Set-/Remove- cmdlets write none). */
  run(ctx: CmdletContext, params: Params): Record<string, unknown>[];
}

const COMMON = ['Confirm', 'WhatIf', 'ErrorAction', 'WarningAction', 'Verbose', 'Debug', 'Force', 'DomainController', 'IgnoreDefaultScope'];

export const CUSTOM_ATTRIBUTES = Array.from({ length: 15 }, (_, i) => `CustomAttribute${i + 1}`);

/** Parameters of a call, keyed by canonical name. */
export class Params {
  private values = new Map<string, unknown>();

  constructor(cmdlet: Cmdlet, raw: Record<string, unknown>) {
    const known = new Map([...cmdlet.parameters, ...COMMON].map((p) => [p.toLowerCase(), p]));
    for (const [k, v] of Object.entries(raw)) {
      const name = known.get(k.replace(/^-/, '').toLowerCase());
      if (!name) throw parameterNotFound(cmdlet.name, k);
      if (!COMMON.includes(name)) this.values.set(name, v);
    }
    for (const m of cmdlet.mandatory ?? []) if (!this.values.has(m)) throw missingParameter(cmdlet.name, m);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  raw(name: string): unknown {
    return this.values.get(name);
  }

  /** A string; null when passed as $null or ''. */
  str(name: string): string | null | undefined {
    if (!this.values.has(name)) return undefined;
    const v = this.values.get(name);
    if (v === null || v === '') return null;
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    throw invalidParameter(name, `The argument ${JSON.stringify(v)} is not a string.`);
  }

  bool(name: string): boolean | undefined {
    if (!this.values.has(name)) return undefined;
    const v = this.values.get(name);
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^\$?(true|false)$/i.test(v)) return /true/i.test(v);
    throw invalidParameter(name, `Cannot convert value "${String(v)}" to type "System.Boolean".`);
  }

  guid(name: string): string | null | undefined {
    const s = this.str(name);
    if (s === undefined || s === null) return s;
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) throw invalidParameter(name, `Cannot convert value "${s}" to type "System.Guid".`);
    return s.toLowerCase();
  }
}
