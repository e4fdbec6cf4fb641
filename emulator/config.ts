// The emulator's config file (SPEC section 6): read the YAML, check it, and return typed data.
// Every problem names the file, the key path and the line, and all problems are reported at once.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';

export interface AppConfig {
  clientId: string;
  clientSecret?: string;
  /** PEM certificates (inline PEM text or a path to a .pem/.crt file, resolved at load). */
  certificates?: string[];
  roles: string[];
}

export interface LicenseConfig {
  sku: string;
  units: number;
}

export interface GenerateConfig {
  users: number;
  groups: number;
  mailboxItems: number;
  archiveItems: number;
  driveItems: number;
  seed: number;
}

/** An explicit user of the config's `users:` list (built through the same handlers as generated ones). */
export interface UserConfig {
  userPrincipalName: string;
  displayName?: string;
  givenName?: string;
  surname?: string;
  department?: string;
  jobTitle?: string;
  employeeId?: string;
  mail?: string;
  /** Guest: a B2B guest (give it its #EXT# UPN on the initial domain and its external mail);
   *  Exchange gives it a GuestMailUser, hidden from the address lists. Default Member. */
  userType?: 'Member' | 'Guest';
  license?: string;
  mailboxItems?: number;
  archiveItems?: number;
  driveItems?: number;
  manager?: string;
}

/** An explicit group of the config's `groups:` list; members by UPN. */
export interface GroupConfig {
  displayName: string;
  description?: string;
  mailNickname?: string;
  members: string[];
}

/** Tenant-wide Exchange Online settings (`exchange:` of a tenant). */
export interface ExchangeConfig {
  /** The Default outbound spam filter policy's AutoForwardingMode (Get-HostedOutboundSpamFilterPolicy):
   *  Automatic (the real default: external automatic forwarding is blocked), On (allowed), Off (blocked). */
  autoForwardingMode: AutoForwardingMode;
  /** Days a mailbox survives the removal of its last Exchange licence (default 30). */
  mailboxRetentionDays: number;
}

export type AutoForwardingMode = 'Automatic' | 'On' | 'Off';
export const AUTO_FORWARDING_MODES: readonly AutoForwardingMode[] = ['Automatic', 'On', 'Off'];
export const DEFAULT_EXCHANGE: ExchangeConfig = { autoForwardingMode: 'Automatic', mailboxRetentionDays: 30 };

export interface TenantConfig {
  name: string;
  /** GUID or initial domain as written in the config. */
  tenantId?: string;
  domains: string[];
  apps: AppConfig[];
  licenses: LicenseConfig[];
  generate?: GenerateConfig;
  users: UserConfig[];
  groups: GroupConfig[];
  /** Exchange Online settings; DEFAULT_EXCHANGE when the key is absent. */
  exchange?: ExchangeConfig;
}

export interface LimitsConfig {
  directory: { resourceUnitsPer10s?: number; writesPer150s: number; tenantWritesPer5min: number; invitationsPer5s: number };
  mailbox: { concurrent: number; requestsPer10min: number; uploadMBPer5min: number };
  /** undefined: by licence count, as SharePoint does. */
  drive: { resourceUnitsPerMin?: number };
  timeScale: number;
}

export interface FaultsConfig {
  errorRate: number;
  throttleRate: number;
  latencyMs: number;
  replicationLagMs: number;
  seed: number;
  /** The first N sign-in (token) requests are answered 503 temporarily_unavailable with a
   *  Retry-After: a passing outage of the identity platform. Other faults never touch sign-in. */
  signInFailures: number;
}

export interface EmulatorConfig {
  tenants: TenantConfig[];
  /** null: `limits: none`, nothing is throttled. */
  limits: LimitsConfig | null;
  faults: FaultsConfig;
}

export class ConfigError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`emulator config ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export const DEFAULT_LIMITS: LimitsConfig = {
  directory: { writesPer150s: 3000, tenantWritesPer5min: 18000, invitationsPer5s: 150 },
  mailbox: { concurrent: 4, requestsPer10min: 10000, uploadMBPer5min: 150 },
  drive: {},
  timeScale: 1,
};

export const DEFAULT_FAULTS: FaultsConfig = { errorRate: 0, throttleRate: 0, latencyMs: 0, replicationLagMs: 0, seed: 1, signInFailures: 0 };

export function loadConfigFile(file: string): EmulatorConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (check the --config path)`]);
  }
  return parseConfig(text, file);
}

/** Parse and check config text; `file` is only used in messages. */
export function parseConfig(text: string, file = '<config>'): EmulatorConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    throw new ConfigError(file, doc.errors.map((e) => {
      const p = lines.linePos(e.pos[0]);
      return `line ${p.line}:${p.col}: YAML syntax: ${e.message.split('\n')[0]}`;
    }));
  }
  const checker = new Checker(doc, lines);
  const config = checker.config(doc.toJS() as unknown);
  if (checker.problems.length) throw new ConfigError(file, checker.problems);
  return config;
}

type Path = (string | number)[];

class Checker {
  problems: string[] = [];
  constructor(private doc: Document, private lines: LineCounter) {}

  private where(path: Path): string {
    const key = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('') || '(top level)';
    const node = this.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const pos = node?.range ? this.lines.linePos(node.range[0]) : undefined;
    return pos ? `${key} (line ${pos.line})` : key;
  }

  fail(path: Path, message: string): void {
    this.problems.push(`${this.where(path)}: ${message}`);
  }

  private known(obj: Record<string, unknown>, path: Path, keys: string[]): void {
    for (const k of Object.keys(obj)) {
      if (!keys.includes(k)) this.fail([...path, k], `unknown key '${k}' (allowed: ${keys.join(', ')})`);
    }
  }

  private obj(v: unknown, path: Path): Record<string, unknown> | undefined {
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    this.fail(path, 'expected a mapping (key: value)');
    return undefined;
  }

  private num(v: unknown, path: Path, def: number, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
    if (v === undefined || v === null) return def;
    if (typeof v !== 'number' || Number.isNaN(v) || (opts.integer && !Number.isInteger(v))) {
      this.fail(path, `expected ${opts.integer ? 'an integer' : 'a number'}, got ${JSON.stringify(v)}`);
      return def;
    }
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      this.fail(path, `must be ${opts.min !== undefined ? `>= ${opts.min}` : ''}${opts.min !== undefined && opts.max !== undefined ? ' and ' : ''}${opts.max !== undefined ? `<= ${opts.max}` : ''}, got ${v}`);
      return def;
    }
    return v;
  }

  /** `secret`: the value is never shown in a message (a client secret, a pasted key). */
  private str(v: unknown, path: Path, required: boolean, secret = false): string | undefined {
    if (v === undefined || v === null) {
      if (required) this.fail(path, 'is required');
      return undefined;
    }
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string' || !v.trim()) {
      this.fail(path, `expected a non-empty string, got ${secret ? (Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : typeof v === 'string' ? 'an empty string' : typeof v) : JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  }

  private list(v: unknown, path: Path): unknown[] {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    this.fail(path, 'expected a list');
    return [];
  }

  config(root: unknown): EmulatorConfig {
    const r = this.obj(root ?? {}, []) ?? {};
    this.known(r, [], ['tenants', 'limits', 'faults']);
    const tenants = this.list(r.tenants, ['tenants']).map((t, i) => this.tenant(t, ['tenants', i]));
    if (!tenants.length) this.fail(['tenants'], 'at least one tenant is required');
    const names = new Set<string>();
    tenants.forEach((t, i) => {
      if (names.has(t.name)) this.fail(['tenants', i, 'name'], `duplicate tenant name '${t.name}'`);
      names.add(t.name);
    });
    return { tenants, limits: this.limits(r.limits), faults: this.faults(r.faults) };
  }

  private tenant(v: unknown, path: Path): TenantConfig {
    const t = this.obj(v, path) ?? {};
    this.known(t, path, ['name', 'tenantId', 'domains', 'apps', 'licenses', 'generate', 'users', 'groups', 'exchange']);
    const name = this.str(t.name, [...path, 'name'], true) ?? `tenant${String(path[1])}`;
    if (!/^[a-z0-9][a-z0-9-]*$/i.test(name)) this.fail([...path, 'name'], `'${name}' must be letters, digits and '-'`);
    const tenantId = this.str(t.tenantId, [...path, 'tenantId'], false);
    const domains = this.list(t.domains, [...path, 'domains']).map((d, i) => this.str(d, [...path, 'domains', i], true) ?? '').filter(Boolean).map((d) => d.toLowerCase());
    const apps = this.list(t.apps, [...path, 'apps']).map((a, i) => this.app(a, [...path, 'apps', i]));
    if (!apps.length) this.fail([...path, 'apps'], 'at least one app registration is required (clientId, clientSecret or certificates, roles)');
    const licenses = this.list(t.licenses, [...path, 'licenses']).map((l, i) => {
      const p = [...path, 'licenses', i];
      const o = this.obj(l, p) ?? {};
      this.known(o, p, ['sku', 'units']);
      return { sku: this.str(o.sku, [...p, 'sku'], true) ?? '', units: this.num(o.units, [...p, 'units'], 0, { min: 0, integer: true }) };
    });
    let generate: GenerateConfig | undefined;
    if (t.generate !== undefined && t.generate !== null) {
      const p = [...path, 'generate'];
      const g = this.obj(t.generate, p) ?? {};
      this.known(g, p, ['users', 'groups', 'mailboxItems', 'archiveItems', 'driveItems', 'seed']);
      const n = (k: string) => this.num(g[k], [...p, k], 0, { min: 0, integer: true });
      generate = { users: n('users'), groups: n('groups'), mailboxItems: n('mailboxItems'), archiveItems: n('archiveItems'), driveItems: n('driveItems'), seed: this.num(g.seed, [...p, 'seed'], 1, { integer: true }) };
    }
    const userKeys = ['userPrincipalName', 'displayName', 'givenName', 'surname', 'department', 'jobTitle', 'employeeId', 'mail', 'userType', 'license', 'mailboxItems', 'archiveItems', 'driveItems', 'manager'];
    const users = this.list(t.users, [...path, 'users']).map((u, i) => {
      const p = [...path, 'users', i];
      const o = this.obj(u, p) ?? {};
      this.known(o, p, userKeys);
      const out: UserConfig = { userPrincipalName: this.str(o.userPrincipalName, [...p, 'userPrincipalName'], true) ?? '' };
      for (const k of ['displayName', 'givenName', 'surname', 'department', 'jobTitle', 'employeeId', 'mail', 'license', 'manager'] as const) {
        const s = this.str(o[k], [...p, k], false);
        if (s !== undefined) out[k] = s;
      }
      for (const k of ['mailboxItems', 'archiveItems', 'driveItems'] as const) {
        if (o[k] !== undefined) out[k] = this.num(o[k], [...p, k], 0, { min: 0, integer: true });
      }
      const userType = this.str(o.userType, [...p, 'userType'], false);
      if (userType !== undefined) {
        const known = (['Member', 'Guest'] as const).find((x) => x.toLowerCase() === userType.toLowerCase());
        if (known) out.userType = known;
        else this.fail([...p, 'userType'], `must be Member or Guest, got '${userType}'`);
      }
      return out;
    });
    const groups = this.list(t.groups, [...path, 'groups']).map((g, i): GroupConfig => {
      const p = [...path, 'groups', i];
      const o = this.obj(g, p) ?? {};
      this.known(o, p, ['displayName', 'description', 'mailNickname', 'members']);
      const description = this.str(o.description, [...p, 'description'], false);
      const mailNickname = this.str(o.mailNickname, [...p, 'mailNickname'], false);
      return {
        displayName: this.str(o.displayName, [...p, 'displayName'], true) ?? '',
        ...(description ? { description } : {}),
        ...(mailNickname ? { mailNickname } : {}),
        members: this.list(o.members, [...p, 'members']).map((m, j) => this.str(m, [...p, 'members', j], true) ?? '').filter(Boolean),
      };
    });
    let exchange: ExchangeConfig | undefined;
    if (t.exchange !== undefined && t.exchange !== null) {
      const p = [...path, 'exchange'];
      const x = this.obj(t.exchange, p) ?? {};
      this.known(x, p, ['autoForwardingMode', 'mailboxRetentionDays']);
      // YAML 1.1 readers take a bare On/Off for booleans: accept those too.
      const raw = typeof x.autoForwardingMode === 'boolean' ? (x.autoForwardingMode ? 'On' : 'Off') : x.autoForwardingMode;
      const given = this.str(raw, [...p, 'autoForwardingMode'], false);
      const mode = given === undefined ? DEFAULT_EXCHANGE.autoForwardingMode : AUTO_FORWARDING_MODES.find((m) => m.toLowerCase() === given.toLowerCase());
      if (!mode) this.fail([...p, 'autoForwardingMode'], `must be one of ${AUTO_FORWARDING_MODES.join(', ')}, got '${given}'`);
      exchange = {
        autoForwardingMode: mode ?? DEFAULT_EXCHANGE.autoForwardingMode,
        mailboxRetentionDays: this.num(x.mailboxRetentionDays, [...p, 'mailboxRetentionDays'], DEFAULT_EXCHANGE.mailboxRetentionDays, { min: 0 }),
      };
    }
    return { name, ...(tenantId ? { tenantId } : {}), domains, apps, licenses, ...(generate ? { generate } : {}), users, groups, ...(exchange ? { exchange } : {}) };
  }

  private app(v: unknown, path: Path): AppConfig {
    const a = this.obj(v, path) ?? {};
    this.known(a, path, ['clientId', 'clientSecret', 'certificates', 'roles']);
    const clientId = this.str(a.clientId, [...path, 'clientId'], true) ?? '';
    const clientSecret = this.str(a.clientSecret, [...path, 'clientSecret'], false, true);
    const certificates = this.list(a.certificates, [...path, 'certificates']).map((c, i) => this.certificate(c, [...path, 'certificates', i])).filter((c): c is string => !!c);
    if (!clientSecret && !certificates.length) this.fail(path, 'an app needs a clientSecret or at least one certificate');
    const roles = this.list(a.roles, [...path, 'roles']).map((r, i) => this.str(r, [...path, 'roles', i], true) ?? '').filter(Boolean);
    return { clientId, ...(clientSecret ? { clientSecret } : {}), ...(certificates.length ? { certificates } : {}), roles };
  }

  private certificate(v: unknown, path: Path): string | undefined {
    const s = this.str(v, path, true, true);
    if (!s) return undefined;
    if (s.includes('-----BEGIN CERTIFICATE-----')) return s;
    // PEM text that is not a certificate (a private key pasted by mistake) is never echoed
    if (s.includes('-----BEGIN') || /\n/.test(s.trim())) {
      this.fail(path, `expected a PEM certificate (-----BEGIN CERTIFICATE-----) or a file path, got ${/PRIVATE KEY-----/.test(s) ? 'a private key (not shown): give the public certificate only' : 'other text (not shown)'}`);
      return undefined;
    }
    try {
      const text = readFileSync(s, 'utf8');
      if (text.includes('-----BEGIN CERTIFICATE-----')) return text;
      this.fail(path, `file '${s}' holds no PEM certificate${/PRIVATE KEY-----/.test(text) ? ' (it holds a private key: give the public certificate only)' : ''}`);
    } catch {
      this.fail(path, `'${s}' is neither a PEM certificate nor a readable file`);
    }
    return undefined;
  }

  private limits(v: unknown): LimitsConfig | null {
    if (v === 'none') return null;
    if (v === undefined || v === null) return structuredClone(DEFAULT_LIMITS);
    if (typeof v === 'string') {
      this.fail(['limits'], `expected 'none' or a mapping, got '${v}'`);
      return structuredClone(DEFAULT_LIMITS);
    }
    const l = this.obj(v, ['limits']) ?? {};
    this.known(l, ['limits'], ['directory', 'mailbox', 'drive', 'timeScale']);
    const out = structuredClone(DEFAULT_LIMITS);
    const section = <K extends 'directory' | 'mailbox' | 'drive'>(k: K, keys: string[]) => {
      if (l[k] === undefined) return;
      const o = this.obj(l[k], ['limits', k]) ?? {};
      this.known(o, ['limits', k], keys);
      for (const key of keys) {
        if (o[key] !== undefined) (out[k] as Record<string, number>)[key] = this.num(o[key], ['limits', k, key], 1, { min: 1 });
      }
    };
    section('directory', ['resourceUnitsPer10s', 'writesPer150s', 'tenantWritesPer5min', 'invitationsPer5s']);
    section('mailbox', ['concurrent', 'requestsPer10min', 'uploadMBPer5min']);
    section('drive', ['resourceUnitsPerMin']);
    out.timeScale = this.num(l.timeScale, ['limits', 'timeScale'], 1, { min: 0.000001, max: 1000 });
    return out;
  }

  private faults(v: unknown): FaultsConfig {
    if (v === undefined || v === null) return { ...DEFAULT_FAULTS };
    const f = this.obj(v, ['faults']) ?? {};
    this.known(f, ['faults'], ['errorRate', 'throttleRate', 'latencyMs', 'replicationLagMs', 'seed', 'signInFailures']);
    return {
      errorRate: this.num(f.errorRate, ['faults', 'errorRate'], 0, { min: 0, max: 1 }),
      throttleRate: this.num(f.throttleRate, ['faults', 'throttleRate'], 0, { min: 0, max: 1 }),
      latencyMs: this.num(f.latencyMs, ['faults', 'latencyMs'], 0, { min: 0 }),
      replicationLagMs: this.num(f.replicationLagMs, ['faults', 'replicationLagMs'], 0, { min: 0 }),
      seed: this.num(f.seed, ['faults', 'seed'], 1, { integer: true }),
      signInFailures: this.num(f.signInFailures, ['faults', 'signInFailures'], 0, { min: 0, integer: true }),
    };
  }
}
