// Checks before any change runs: the email-rewrite certificates (TLS and DKIM) when the plan has
// rewrite steps, and the target tenant's outbound spam policy when it sets forwarding.
import { UserError } from '../errors.js';
import type { Project } from '../manifest/model.js';
import type { PlanChange } from '../plan/model.js';
import type { TenantClient } from '../tenant/client.js';
import { checkProjectCertificates } from '../certs/check-project.js';

/** Fails the run early when a rewrite step would run with a broken TLS or DKIM certificate. */
export async function checkCertificateBinding(project: Project, changes: readonly PlanChange[], env: NodeJS.ProcessEnv, now = new Date()): Promise<void> {
  if (!changes.some((c) => c.op === 'rewriteMembership.add')) return;
  const er = project.emailRewrite;
  if (!er?.tlsCertificate && !er?.dkimCertificate) return;
  const report = await checkProjectCertificates(project, env, now);
  const bound = new Set([er.tlsCertificate, er.dkimCertificate].filter(Boolean));
  const errors = report.certificates
    .filter((c) => bound.has(c.name))
    .flatMap((c) => c.diagnostics.filter((d) => d.severity === 'error').map((d) => `certificate ${c.name} (${c.file}): ${d.message}${d.hint ? ` (${d.hint})` : ''}`));
  if (errors.length) {
    throw new UserError(
      `email rewrite cannot be applied: ${errors.join('; ')}`,
      'apply.certificateBinding',
      "fix the certificates of spec.emailRewrite ('t2t certs' checks them), or set the waves' emailRewrite to none",
    );
  }
}

const OFF = /^(off)$/i;

/**
 * External forwarding is off by default in Exchange Online (outbound spam policy, NDR 5.7.520):
 * warn once per tenant before forwarding is set. The default policy's AutoForwardingMode
 * Automatic means blocked. When the policy cannot be read (no permission to the cmdlet), say that
 * forwarding may be blocked instead of staying silent.
 */
export async function forwardingPreflight(clients: Map<string, TenantClient>, changes: readonly PlanChange[], warn: (message: string) => void): Promise<void> {
  const tenants = new Set(changes.filter((c) => c.op === 'targetForwarding.set' || c.op === 'sourceForwarding.set').map((c) => c.tenant));
  for (const name of tenants) {
    const client = clients.get(name);
    if (!client) continue;
    try {
      const policies = await client.exchange.invoke<{ Name?: string; AutoForwardingMode?: string; IsDefault?: boolean }>('Get-HostedOutboundSpamFilterPolicy', {});
      const blocking = policies.filter((p) => OFF.test(String(p.AutoForwardingMode ?? '')) || (p.IsDefault && String(p.AutoForwardingMode ?? 'Automatic') === 'Automatic'));
      if (blocking.length) {
        warn(`tenant ${name}: outbound spam policy ${blocking.map((p) => p.Name ?? 'Default').join(', ')} blocks automatic external forwarding (AutoForwardingMode ${blocking[0]!.AutoForwardingMode ?? 'Automatic'}): forwarded mail will bounce (NDR 5.7.520) until it is set to On for the migrated users`);
      }
    } catch {
      warn(`tenant ${name}: could not read the outbound spam policy (Get-HostedOutboundSpamFilterPolicy): Exchange Online blocks external forwarding by default (NDR 5.7.520); allow it (AutoForwardingMode On) for the migrated users`);
    }
  }
}
