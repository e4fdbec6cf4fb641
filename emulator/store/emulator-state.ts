// The whole emulator: its tenants, config (limits, faults) and clock. STUB: emulator/core fills it in.
import type { TenantState } from './tenant-state.js';

export interface Emulator {
  tenants: TenantState[];
  /** Find a tenant by GUID, initial domain or any verified domain. */
  tenant(idOrDomain: string): TenantState | undefined;
}
