// Domain mapping (Project spec.domains, source -> target).
import type { DomainMapping } from '../manifest/model.js';
import { domainOf, localPart, normAddress } from './normalize.js';

/** The address with its domain mapped, normalised; null when no mapping covers its domain. */
export function mapDomain(address: string, domains: readonly DomainMapping[]): string | null {
  const a = normAddress(address);
  const d = domainOf(a);
  if (!d) return null;
  for (const m of domains) if (m.source === d) return `${localPart(a)}@${m.target}`;
  return null;
}

