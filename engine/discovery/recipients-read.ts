// Exchange recipients of one tenant: mailboxes, mail users and mail contacts. Exchange has no
// delta query, so every run reads all three lists; unchanged recipients rewrite nothing.
import type { DiscoveryClient } from './discovery-client.js';
import { RECIPIENT_CMDLETS, recipientKey, toRecipient, type CachedRecipient } from './recipient-record.js';
import type { TenantCache } from './tenant-cache.js';

export interface RecipientReadResult {
  calls: number;
  objects: number;
  skipped: number;
}

/** `keep` decides the discovery.deltaTimestamp rule (see discover.ts). */
export async function readRecipients(
  client: DiscoveryClient,
  cache: TenantCache,
  keep: (r: CachedRecipient) => boolean,
  onCall: (calls: number, objects: number) => void,
): Promise<RecipientReadResult> {
  const seen = new Set<string>();
  let calls = 0;
  let objects = 0;
  let skipped = 0;
  for (const { cmdlet, type } of RECIPIENT_CMDLETS) {
    const rows = await client.exchange(cmdlet, { ResultSize: 'Unlimited' });
    calls++;
    for (const row of rows) {
      objects++;
      const r = toRecipient(row, type);
      if (!r.identity) continue;
      if (!keep(r)) {
        skipped++;
        continue;
      }
      const key = recipientKey(r);
      seen.add(key);
      cache.recipients.put(key, r);
    }
    onCall(calls, objects);
  }
  cache.recipients.deleteMissing(seen);
  return { calls, objects, skipped };
}
