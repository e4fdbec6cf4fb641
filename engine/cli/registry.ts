// Every command, loaded lazily so `t2t validate` never pays for msal-node or the Graph client.
import type { Command } from './command.js';

export interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  validate: { summary: 'check the manifests of a project', load: async () => (await import('./commands/validate.js')).default },
  discover: { summary: 'read every tenant into the local cache (delta after the first run)', load: async () => (await import('./commands/discover.js')).default },
  plan: { summary: 'show the changes apply would make', load: async () => (await import('./commands/plan.js')).default },
  apply: { summary: 'plan and execute the changes', load: async () => (await import('./commands/apply.js')).default },
  status: { summary: 'declared and observed phase per wave and user', load: async () => (await import('./commands/status.js')).default },
  history: { summary: 'manifest commits joined with their apply records', load: async () => (await import('./commands/history.js')).default },
  logs: { summary: 'the job log of one user or wave', load: async () => (await import('./commands/logs.js')).default },
  certs: { summary: 'validate certificates and print the DKIM records to publish', load: async () => (await import('./commands/certs.js')).default },
  tenants: { summary: 'check sign-in and granted permissions of each tenant', load: async () => (await import('./commands/tenants.js')).default },
  reconcile: { summary: 'controller mode: keep the tenants matching the manifests', load: async () => (await import('./commands/reconcile.js')).default },
  emulator: { summary: 'run the local Microsoft 365 emulator', load: async () => (await import('./commands/emulator.js')).default },
  demo: { summary: 'run the example project end to end against an emulator', load: async () => (await import('./commands/demo.js')).default },
};
