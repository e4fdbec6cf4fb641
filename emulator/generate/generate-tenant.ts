// Builds a fresh tenant's users, groups, licences and content from its config (filled in below).
import type { Emulator } from '../store/emulator-state.js';
import type { TenantState } from '../store/tenant-state.js';
import type { TenantConfig } from '../config.js';

export async function generateTenant(emulator: Emulator, tenant: TenantState, config: TenantConfig, log: (line: string) => void): Promise<void> {
  void emulator;
  void tenant;
  void config;
  void log;
}
