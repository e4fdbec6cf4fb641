// `t2t tenants [DIR] [--output text|json]`: sign in to every tenant of the project (Graph and
// Exchange), read the application permissions from the tokens, and name every permission the
// phases of the project's waves need but the app lacks. Exit 1 when any tenant fails or lacks one.
import type { Command } from '../command.js';
import { str } from '../command.js';
import { colours, err, out, type CliIO } from '../io.js';
import { T2tError, UserError } from '../../errors.js';
import { didYouMean } from '../../util/suggest.js';
import type { Project, Tenant } from '../../manifest/model.js';

const OUTPUTS = ['text', 'json'];

interface SignIn {
  ok: boolean;
  tid?: string;
  appId?: string;
  expiresAt?: string;
  roles?: readonly string[];
  error?: { code: string; message: string; hint?: string };
}

interface TenantReport {
  name: string;
  role: Tenant['role'];
  cloud: Tenant['cloud'];
  tenantId: string;
  ok: boolean;
  graph: SignIn;
  exchange: SignIn;
  phases: string[];
  missing: { role: string; phase: string; why: string }[];
}

const command: Command = {
  name: 'tenants',
  summary: 'check sign-in and granted permissions of each tenant',
  usage: '[DIR] [options]',
  description: `
Signs in to every tenant of the project with its app registration (Microsoft Graph and Exchange
Online), shows the tenant id, the app and when the token expires, and compares the application
permissions in the tokens with what the project's waves need: discovery always; prepare, sync
and cutover as far as the furthest wave goes; invitations for guest profiles; the permissions of
email rewrite, carried groups, mailbox and OneDrive content and the cutover notification only
when a wave that far uses them. Each missing
permission is named with the phase that needs it. Exit code 0 when every tenant signs in with
every permission it needs, 1 otherwise. Secrets are read from the environment as the manifests
say (e.g. CONTOSO_CLIENT_SECRET) and never printed.`,
  options: {
    output: { type: 'string', short: 'o', value: 'FORMAT', default: 'text', description: 'text or json' },
  },
  examples: ['t2t tenants examples/contoso-fabrikam', 't2t tenants --output json | jq ".tenants[].missing"'],
  async run(args, io) {
    const output = str(args.values, 'output') ?? 'text';
    if (!OUTPUTS.includes(output)) {
      throw new UserError(`unknown output format '${output}'${didYouMean(output, OUTPUTS)}`, 'cli.badOption', 'use --output text or --output json');
    }
    const dirArg = args.positionals[0] ?? '.';
    const project = await load(dirArg, io);
    const { featuresInUse, phasesInUse } = await import('../../tenant/permissions.js');
    const phases = phasesInUse(project);
    const features = featuresInUse(project);
    const reports = await Promise.all(project.tenants.map((t) => checkTenant(project, t, phases, features, io)));
    const ok = reports.every((r) => r.ok);
    if (output === 'json') out(io, JSON.stringify({ project: project.name, ok, phases, tenants: reports }, null, 2));
    else printText(io, reports, phases, args.debug);
    return ok ? 0 : 1;
  },
};

async function load(dirArg: string, io: CliIO): Promise<Project> {
  const { loadProjectOrPrint } = await import('../../workflow/load-valid-project.js');
  const { project, errors } = await loadProjectOrPrint(dirArg, io.cwd, (t) => err(io, t));
  if (project) return project;
  throw new UserError(
    `cannot check tenants: the manifests in ${dirArg} are not valid (${errors} error${errors === 1 ? '' : 's'})`,
    'tenants.invalidProject',
    `fix them first; 't2t validate ${dirArg}' lists them`,
  );
}

async function checkTenant(
  project: Project,
  tenant: Tenant,
  phases: Parameters<typeof import('../../tenant/permissions.js').missingRoles>[1],
  features: ReadonlySet<import('../../tenant/permissions.js').PermissionFeature>,
  io: CliIO,
): Promise<TenantReport> {
  const { createTenantClient } = await import('../../tenant/client.js');
  const { missingRoles } = await import('../../tenant/permissions.js');
  const report: TenantReport = { name: tenant.name, role: tenant.role, cloud: tenant.cloud, tenantId: tenant.tenantId, ok: false, graph: { ok: false }, exchange: { ok: false }, phases: [...phases], missing: [] };
  let client: ReturnType<typeof createTenantClient> | undefined;
  try {
    client = createTenantClient(project, tenant, { env: io.env, signal: io.signal });
    report.graph = await signIn(() => client!.claims('graph'));
    // Exchange sign-in only after Graph worked: the same credential would fail the same way.
    report.exchange = report.graph.ok ? await signIn(() => client!.claims('exchange')) : { ok: false };
  } catch (e) {
    report.graph = { ok: false, error: describe(e) };
  } finally {
    await client?.close();
  }
  if (report.graph.ok) {
    const granted = [...(report.graph.roles ?? []), ...(report.exchange.roles ?? [])];
    report.missing = missingRoles(granted, phases, tenant.role, features).map((m) => ({ role: m.role, phase: m.phase, why: m.why }));
  }
  report.ok = report.graph.ok && report.exchange.ok && report.missing.length === 0;
  return report;
}

async function signIn(get: () => Promise<{ roles: readonly string[]; expiresAt: Date; tid: string; appId: string }>): Promise<SignIn> {
  try {
    const c = await get();
    return { ok: true, tid: c.tid, appId: c.appId, expiresAt: c.expiresAt.toISOString(), roles: [...c.roles].sort() };
  } catch (e) {
    return { ok: false, error: describe(e) };
  }
}

function describe(e: unknown): { code: string; message: string; hint?: string } {
  if (e instanceof T2tError) return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  if ((e as Error)?.name === 'AbortError') throw e;
  return { code: 'internal', message: `unexpected failure: ${(e as Error)?.message ?? String(e)}`, hint: 'this is a bug in t2t; run again with --debug and report the output' };
}

function printText(io: CliIO, reports: TenantReport[], phases: readonly string[], debug: boolean): void {
  const c = colours(io);
  const line = (ok: boolean, text: string) => out(io, `  ${ok ? c.green('✓') : c.red('✗')} ${text}`);
  for (const r of reports) {
    out(io, c.bold(`${r.name}`) + c.dim(` (${r.role}, ${r.cloud}, ${r.tenantId})`));
    for (const [label, s] of [['Graph', r.graph], ['Exchange', r.exchange]] as const) {
      if (s.ok) line(true, `${label}: signed in as app ${s.appId} to tenant ${s.tid}; token expires ${s.expiresAt} (${until(s.expiresAt!)})`);
      else if (s.error) line(false, `${label}: ${s.error.message}${s.error.hint ? `; hint: ${s.error.hint}` : ''}`);
      else line(false, `${label}: not checked (Graph sign-in failed)`);
    }
    if (r.graph.ok) {
      if (r.missing.length === 0) line(true, `permissions: everything ${phases.join(', ')} needs is granted`);
      for (const m of r.missing) line(false, `missing permission ${m.role} (${m.phase}: ${m.why}); hint: grant it to app ${r.graph.appId} as an application permission and give admin consent`);
    }
    if (debug && r.graph.roles) out(io, c.dim(`    roles: ${[...(r.graph.roles ?? []), ...(r.exchange.roles ?? [])].join(', ')}`));
  }
  const failed = reports.filter((r) => !r.ok).length;
  out(io);
  out(io, failed === 0 ? c.green(`✓ ${reports.length} tenant${reports.length === 1 ? '' : 's'} ready for ${phases.join(', ')}`) : c.red(`✗ ${failed} of ${reports.length} tenant${reports.length === 1 ? '' : 's'} not ready`));
}

function until(iso: string): string {
  const min = Math.round((Date.parse(iso) - Date.now()) / 60_000);
  if (min < 0) return 'expired';
  return min < 120 ? `in ${min} min` : `in ${Math.round(min / 60)} h`;
}

export default command;
