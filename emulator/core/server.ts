// The HTTPS listener: reads the request, runs it through the pipeline, writes the answer.
// Loopback only (127.0.0.1); keep-alive on, so clients reuse their TLS sessions.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmuResponse, HttpMethod } from './http-types.js';
import type { Emulator } from '../store/emulator-state.js';
import { Pipeline } from './pipeline.js';

const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);
/** The largest body accepted: Graph refuses simple uploads above 250 MB (workspace for 4 MB MIME). */
const MAX_BODY = 260 * 1024 * 1024;
const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  pipeline: Pipeline;
  close(): Promise<void>;
}

function send(res: ServerResponse, r: EmuResponse): void {
  const headers: Record<string, string> = { ...r.headers };
  let payload: Buffer | string | undefined;
  if (r.body === undefined || r.body === null || r.status === 204) payload = undefined;
  else if (Buffer.isBuffer(r.body)) payload = r.body;
  else if (typeof r.body === 'string') payload = r.body;
  else {
    payload = JSON.stringify(r.body);
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = GRAPH_JSON;
  }
  if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(r.status, headers);
  res.end(payload);
}

function problem(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, { status, body: { error: { code, message, innerError: { date: new Date().toISOString() } } } });
}

export async function startServer(emulator: Emulator, tls: { key: string; cert: string }, port: number): Promise<RunningServer> {
  const pipeline = new Pipeline(emulator);
  emulator.dispatch = (r) => pipeline.run(r);

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (!METHODS.has(method)) return problem(res, 405, 'Request_BadRequest', `The HTTP method '${method}' is not supported.`);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) return problem(res, 413, 'RequestEntityTooLarge', `The request body is larger than ${MAX_BODY} bytes.`);
      const rawUrl = req.url ?? '/';
      const q = rawUrl.indexOf('?');
      const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
      if (path.startsWith('/_emulator/')) {
        const remote = req.socket.remoteAddress ?? '';
        if (!/^(127\.|::1$|::ffff:127\.)/.test(remote)) return problem(res, 403, 'Forbidden', 'The emulator control routes answer loopback clients only.');
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      pipeline
        .run({
          method: method as HttpMethod,
          path,
          query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)),
          headers,
          rawBody: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
          baseUrl: `https://${req.headers.host ?? `127.0.0.1:${port}`}`,
        })
        .then((r) => send(res, r))
        .catch((e: unknown) => problem(res, 500, 'generalException', `emulator failure: ${(e as Error).message}`));
    });
  };

  const server = createServer({ key: tls.key, cert: tls.cert, keepAlive: true, keepAliveTimeout: 30_000 }, onRequest);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${actual}`;
  emulator.baseUrl = url;
  return {
    server,
    port: actual,
    url,
    pipeline,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
