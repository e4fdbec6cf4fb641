// Licence units a plan may still hand out: the tenant's SKUs minus units already consumed minus
// units this plan has already given to earlier users. A plan never over-assigns.
import type { TenantIndex } from '../../matching/tenant-index.js';

export interface LicensePick {
  readonly skuId: string;
  readonly skuPartNumber: string;
}

export class LicensePool {
  private readonly taken = new Map<string, number>();
  constructor(private readonly target: TenantIndex) {}

  /** Free units of a SKU (by part number) right now, for messages and tests. */
  free(skuPartNumber: string): number {
    const s = this.target.skuByPartNumber.get(skuPartNumber.toUpperCase());
    if (!s) return 0;
    return s.enabled - s.consumed - (this.taken.get(s.skuId) ?? 0);
  }

  /** Takes one unit of the first listed SKU with a free unit; undefined when none has one. */
  allocate(skus: readonly string[]): LicensePick | undefined {
    for (const name of skus) {
      const s = this.target.skuByPartNumber.get(name.toUpperCase());
      if (!s) continue;
      if (s.enabled - s.consumed - (this.taken.get(s.skuId) ?? 0) > 0) {
        this.taken.set(s.skuId, (this.taken.get(s.skuId) ?? 0) + 1);
        return { skuId: s.skuId, skuPartNumber: s.skuPartNumber };
      }
    }
    return undefined;
  }
}
