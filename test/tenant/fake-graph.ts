// A tiny HTTPS server standing in for Graph in facade tests that need answers the emulator does
// not give on demand (an inner 429 in a $batch, a 500 on a POST). Its self-signed certificate is
// the "emulator CA" the tenant transport trusts, so the production transport is what is tested.
import { createServer } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { generateSelfSigned } from '../../engine/certs/generate.js';

export interface FakeRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeGraph {
  url: string;
  caFile: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

let cert: { certificatePem: string; privateKeyPem: string } | undefined;

export async function startFakeGraph(handle: (req: FakeRequest) => FakeAnswer): Promise<FakeGraph> {
  cert ??= generateSelfSigned({ cn: 'localhost', sans: ['localhost'], keyBits: 1024 });
  const dir = mkdtempSync(join(tmpdir(), 't2t-fake-graph-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, cert.certificatePem);
  const requests: FakeRequest[] = [];
  const server = createServer({ key: cert.privateKeyPem, cert: cert.certificatePem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // not JSON
      }
      const r: FakeRequest = { method: req.method!, url: req.url!, headers: req.headers, body };
      requests.push(r);
      const answer = handle(r);
      const payload = answer.body === undefined ? '' : Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { ...(answer.body !== undefined && !Buffer.isBuffer(answer.body) ? { 'content-type': 'application/json' } : {}), ...answer.headers });
      res.end(payload);
    });
  });
  await new Promise<void>((r) => server.listen(0, 'localhost', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://localhost:${port}`,
    caFile,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
