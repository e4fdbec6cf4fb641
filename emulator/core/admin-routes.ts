// The emulator's own control routes, for tests and benchmarks (anonymous; the server only listens on
// loopback and refuses these from anywhere else):
//   GET  /_emulator/clock                 -> {now, offsetMs}
//   POST /_emulator/clock {advanceMs}     -> moves the emulator's clock forward (token lifetimes
//                                            stay on the wall clock)
//   GET  /_emulator/tenants               -> [{id, name, initialDomain, domains}]
//   GET  /_emulator/stats                 -> memory of the emulator process and object counts
// And a tiny Graph route the core owns: GET /v1.0/organization (the caller's tenant).
import { badRequest, json, type EmuRequest, type Route } from './http-types.js';

function clock(req: EmuRequest) {
  if (req.method === 'POST') {
    const b = req.body as { advanceMs?: unknown } | undefined;
    const ms = b?.advanceMs;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw badRequest("POST /_emulator/clock needs a JSON body {\"advanceMs\": <non-negative number>}");
    req.emulator.advanceClock(ms);
  }
  const now = req.emulator.now();
  return json(200, { now: new Date(now).toISOString(), nowMs: now, offsetMs: req.emulator.clockOffsetMs });
}

function tenants(req: EmuRequest) {
  return json(200, req.emulator.tenants.map((t) => ({ id: t.id, name: t.name, initialDomain: t.initialDomain, domains: t.domains })));
}

function stats(req: EmuRequest) {
  const m = process.memoryUsage();
  return json(200, {
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    heapTotalBytes: m.heapTotal,
    tenants: req.emulator.tenants.map((t) => ({
      name: t.name,
      users: Object.keys(t.directory.users).length,
      groups: Object.keys(t.directory.groups).length,
      mailboxes: Object.keys(t.mail.mailboxes).length,
      seq: t.seq,
    })),
  });
}

function organization(req: EmuRequest) {
  const t = req.tenant;
  return json(200, {
    '@odata.context': `${req.baseUrl}/v1.0/$metadata#organization`,
    value: [
      {
        id: t.id,
        displayName: t.name,
        tenantType: 'AAD',
        verifiedDomains: t.domains.map((d) => ({ name: d, type: 'Managed', isDefault: d === (t.domains.find((x) => x !== t.initialDomain) ?? t.initialDomain), isInitial: d === t.initialDomain, capabilities: 'Email, OfficeCommunicationsOnline' })),
      },
    ],
  });
}

export const adminRoutes: Route[] = [
  { method: 'GET', pattern: '/_emulator/clock', anonymous: true, budget: 'none', handler: clock },
  { method: 'POST', pattern: '/_emulator/clock', anonymous: true, budget: 'none', handler: clock },
  { method: 'GET', pattern: '/_emulator/tenants', anonymous: true, budget: 'none', handler: tenants },
  { method: 'GET', pattern: '/_emulator/stats', anonymous: true, budget: 'none', handler: stats },
  { method: 'GET', pattern: '/v1.0/organization', roles: ['Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'], budget: 'directory-read', resourceUnits: 1, handler: organization },
];
