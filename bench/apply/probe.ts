// What the apply benchmark measures besides the budget share: every HTTP request t2t sends (seen
// through undici's diagnostics channels, so the engine runs unchanged), by kind and status, the
// requests in flight over time, and the CPU time of this process and of the emulator process.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** "GET /v1.0/users/{id}/extensions/{x}", "CMDLET Get-Recipient", "POST token". */
function kindOf(method: string, path: string, headers: unknown): string {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === 'x-cmdletname') return `CMDLET ${String(headers[i + 1])}`;
    }
  }
  const p = path.split('?')[0]!;
  if (/\/oauth2\/v2\.0\/token$/.test(p)) return 'POST token';
  const norm = p
    .replace(GUID, '{id}')
    .replace(/\/users\/[^/]+/, '/users/{id}')
    .replace(/\/extensions\/[^/]+/, '/extensions/{name}');
  const q = path.includes('?') ? (path.includes('$filter') ? '?$filter' : '?…') : '';
  return `${method} ${norm}${q}`;
}

export interface ProbeReport {
  requests: number;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  /** Mean and peak of requests in flight, sampled every `sampleMs`. */
  inFlightMean: number;
  inFlightPeak: number;
  /** Per sample: seconds since start, requests in flight, writes so far. */
  timeline: { t: number; inFlight: number; exchangeInFlight: number; writes: number; changes: number }[];
  /** Mean of Exchange cmdlets in flight (the rest is Graph). */
  exchangeInFlightMean: number;
  /** Wall seconds, and CPU seconds of this process (t2t) and of the emulator process over them. */
  cpu: { seconds: number; benchCpuSeconds: number; emulatorCpuSeconds: number | null; benchCpuShare: number; emulatorCpuShare: number | null };
}

function procCpuSeconds(pid: number): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    // fields 14 and 15 of stat (utime, stime) are rest[11], rest[12]; ticks of 1/100 s on Linux
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return null;
  }
}

export class Probe {
  private inFlight = 0;
  private inFlightExchange = 0;
  private exchangeRequests = new WeakSet<object>();
  private counts = { requests: 0 };
  private byKind = new Map<string, number>();
  private byStatus = new Map<string, number>();
  private samples: ProbeReport['timeline'] = [];
  private timer?: NodeJS.Timeout;
  private t0 = 0;
  private cpu0 = process.cpuUsage();
  private emuCpu0: number | null = null;
  private open = new WeakSet<object>();
  writes = 0;
  changes = 0;

  constructor(private readonly emulatorPid: number | undefined, private readonly sampleMs = 500) {}

  private onCreate = (m: unknown) => {
    const { request } = m as { request: { method: string; path: string; headers: unknown } };
    this.inFlight++;
    this.open.add(request);
    this.counts.requests++;
    const k = kindOf(request.method, request.path, request.headers);
    if (k.startsWith('CMDLET')) {
      this.exchangeRequests.add(request);
      this.inFlightExchange++;
    }
    this.byKind.set(k, (this.byKind.get(k) ?? 0) + 1);
  };
  private onHeaders = (m: unknown) => {
    const { response } = m as { response: { statusCode: number } };
    const s = String(response.statusCode);
    this.byStatus.set(s, (this.byStatus.get(s) ?? 0) + 1);
  };
  private onEnd = (m: unknown) => {
    const { request } = m as { request: object };
    if (this.open.has(request)) {
      this.open.delete(request);
      this.inFlight--;
      if (this.exchangeRequests.has(request)) this.inFlightExchange--;
    }
  };

  start(): void {
    this.t0 = performance.now();
    this.cpu0 = process.cpuUsage();
    this.emuCpu0 = this.emulatorPid ? procCpuSeconds(this.emulatorPid) : null;
    subscribe('undici:request:create', this.onCreate);
    subscribe('undici:request:headers', this.onHeaders);
    subscribe('undici:request:trailers', this.onEnd);
    subscribe('undici:request:error', this.onEnd);
    this.timer = setInterval(() => this.samples.push({ t: Number(((performance.now() - this.t0) / 1000).toFixed(1)), inFlight: this.inFlight, exchangeInFlight: this.inFlightExchange, writes: this.writes, changes: this.changes }), this.sampleMs);
    this.timer.unref();
  }

  stop(): ProbeReport {
    clearInterval(this.timer);
    unsubscribe('undici:request:create', this.onCreate);
    unsubscribe('undici:request:headers', this.onHeaders);
    unsubscribe('undici:request:trailers', this.onEnd);
    unsubscribe('undici:request:error', this.onEnd);
    const seconds = (performance.now() - this.t0) / 1000;
    const c = process.cpuUsage(this.cpu0);
    const emu1 = this.emulatorPid ? procCpuSeconds(this.emulatorPid) : null;
    const inflight = this.samples.map((s) => s.inFlight);
    return {
      requests: this.counts.requests,
      byKind: Object.fromEntries([...this.byKind].sort((a, b) => b[1] - a[1])),
      byStatus: Object.fromEntries(this.byStatus),
      inFlightMean: inflight.length ? Number((inflight.reduce((a, b) => a + b, 0) / inflight.length).toFixed(1)) : 0,
      inFlightPeak: Math.max(0, ...inflight),
      exchangeInFlightMean: inflight.length ? Number((this.samples.reduce((a, s) => a + s.exchangeInFlight, 0) / inflight.length).toFixed(1)) : 0,
      timeline: this.samples,
      cpu: {
        seconds: Number(seconds.toFixed(1)),
        benchCpuSeconds: Number(((c.user + c.system) / 1e6).toFixed(2)),
        emulatorCpuSeconds: emu1 !== null && this.emuCpu0 !== null ? Number((emu1 - this.emuCpu0).toFixed(2)) : null,
        benchCpuShare: Number(((c.user + c.system) / 1e6 / seconds).toFixed(2)),
        emulatorCpuShare: emu1 !== null && this.emuCpu0 !== null ? Number(((emu1 - this.emuCpu0) / seconds).toFixed(2)) : null,
      },
    };
  }
}
