// What one discovery did, per tenant: counts, what changed since the last run, how it read
// (delta or full, and why), what it cost, and for source tenants the migration scope.
// Plain data (the CLI prints it as text or JSON); rendering lives here beside the type.
import { byteSize, EXCHANGE_UNITS } from '../util/byte-size.js';
import { plural } from '../util/plural.js';

export interface ChangeCounts {
  added: number;
  updated: number;
  removed: number;
}

export interface ContentTotals {
  /** Users with this workload (a mailbox, an archive, a OneDrive). */
  count: number;
  items: number;
  bytes: number;
  averageItems: number;
  averageBytes: number;
  /** False when the tenant gave bytes without a single item (OneDrive without quota.fileCount):
   *  `items` is then no count, not zero; the text says "files not counted". */
  itemsCounted: boolean;
}

export interface MigrationScope {
  /** Wave members resolved to users of this tenant. */
  users: number;
  mailboxes: ContentTotals;
  archives: ContentTotals;
  onedrive: ContentTotals;
  /** Users whose sizes could not be read (named in warnings). */
  unreadable: number;
}

export interface TenantReport {
  tenant: string;
  role: 'source' | 'target';
  mode: 'delta' | 'full';
  /** Why a full read: first run, --full, expired delta token, changed properties, changed deltaTimestamp,
   *  a cache replaced (another tenantId or cache format: what the read finds counts as added). */
  reason?: string;
  startedAt: string;
  durationMs: number;
  /** HTTP requests sent to the tenant (Graph, $batch counted once, Exchange). */
  requests: number;
  /** Delta pages read (users and groups). */
  pages: number;
  counts: {
    users: number;
    members: number;
    guests: number;
    groups: number;
    mailboxes: number;
    mailUsers: number;
    contacts: number;
    licensedUsers: number;
    skus: number;
    domains: number;
    markers: number;
  };
  licences: Array<{ sku: string; enabled: number; consumed: number }>;
  changes: {
    users: ChangeCounts;
    groups: ChangeCounts;
    recipients: ChangeCounts;
  };
  /** Objects left out by the tenant's discovery.deltaTimestamp. */
  skipped: { users: number; groups: number; recipients: number };
  scope?: MigrationScope;
  warnings: string[];
}

export interface DiscoveryReport {
  project: string;
  startedAt: string;
  durationMs: number;
  tenants: TenantReport[];
  /** Inventory hash after this run. */
  hash: string;
  /** Wave addresses and groups no source tenant knows (lower case). */
  unresolved: string[];
}

export function emptyChanges(): ChangeCounts {
  return { added: 0, updated: 0, removed: 0 };
}

export function totals(count: number, items: number, bytes: number): ContentTotals {
  return {
    count,
    items,
    bytes,
    averageItems: count ? Math.round(items / count) : 0,
    averageBytes: count ? Math.round(bytes / count) : 0,
    itemsCounted: !(items === 0 && bytes > 0),
  };
}

export function formatBytes(n: number): string {
  return byteSize(n, EXCHANGE_UNITS);
}

function changeText(c: ChangeCounts): string {
  return `+${c.added} ~${c.updated} -${c.removed}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function contentLine(label: string, t: ContentTotals, unit: 'items' | 'files'): string {
  const n = (count: number) => `${count} ${count === 1 ? unit.slice(0, -1) : unit}`;
  // bytes without a single item: the tenant gives no count (OneDrive's quota.fileCount), not zero
  if (!t.itemsCounted) return `    ${label.padEnd(10)} ${String(t.count).padStart(6)}  ${formatBytes(t.bytes)}, ${unit} not counted (per user: ${formatBytes(t.averageBytes)})`;
  return `    ${label.padEnd(10)} ${String(t.count).padStart(6)}  ${n(t.items)}, ${formatBytes(t.bytes)} (per user: ${n(t.averageItems)}, ${formatBytes(t.averageBytes)})`;
}

export function renderReportText(report: DiscoveryReport): string {
  const lines: string[] = [];
  for (const t of report.tenants) {
    const how = t.mode === 'full' ? `full read${t.reason ? ` (${t.reason})` : ''}` : 'delta';
    lines.push(`${t.tenant} (${t.role}): ${how}, ${plural(t.requests, 'request')}, ${plural(t.pages, 'page')}, ${seconds(t.durationMs)}`);
    const c = t.counts;
    lines.push(`  users      ${String(c.users).padStart(7)}  (${plural(c.members, 'member')}, ${plural(c.guests, 'guest')}, ${c.licensedUsers} licensed)  ${changeText(t.changes.users)}`);
    lines.push(`  groups     ${String(c.groups).padStart(7)}  ${changeText(t.changes.groups)}`);
    lines.push(`  recipients ${String(c.mailboxes + c.mailUsers + c.contacts).padStart(7)}  (${plural(c.mailboxes, 'mailbox', 'mailboxes')}, ${plural(c.mailUsers, 'mail user')}, ${plural(c.contacts, 'contact')})  ${changeText(t.changes.recipients)}`);
    const lic = t.licences.map((l) => `${l.sku} ${l.consumed}/${l.enabled}`).join(', ');
    lines.push(`  licences   ${String(c.skus).padStart(7)}  ${lic || '(none)'}`);
    lines.push(`  domains    ${String(c.domains).padStart(7)}`);
    if (t.role === 'target') lines.push(`  markers    ${String(c.markers).padStart(7)}  (users stamped dev.t2t.migration)`);
    const skipped = t.skipped.users + t.skipped.groups + t.skipped.recipients;
    if (skipped) lines.push(`  skipped by deltaTimestamp: ${plural(t.skipped.users, 'user')}, ${plural(t.skipped.groups, 'group')}, ${plural(t.skipped.recipients, 'recipient')}`);
    if (t.scope) {
      lines.push(`  migration scope: ${plural(t.scope.users, 'wave member')}`);
      lines.push(contentLine('mailboxes', t.scope.mailboxes, 'items'));
      lines.push(contentLine('archives', t.scope.archives, 'items'));
      lines.push(contentLine('onedrive', t.scope.onedrive, 'files'));
    }
    for (const w of t.warnings) lines.push(`  warning: ${w}`);
  }
  if (report.unresolved.length) {
    const shown = report.unresolved.slice(0, 10).join(', ');
    const more = report.unresolved.length > 10 ? ` and ${report.unresolved.length - 10} more` : '';
    lines.push(`warning: ${plural(report.unresolved.length, 'wave member')} not found in any source tenant: ${shown}${more}`);
  }
  lines.push(`inventory ${report.hash.slice(0, 12)}, ${plural(report.tenants.length, 'tenant')} in ${seconds(report.durationMs)}`);
  return lines.join('\n');
}
