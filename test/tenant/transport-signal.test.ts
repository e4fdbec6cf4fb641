// The tenant transport with a client-wide abort signal: every request links to it only until its
// body is read (undici would otherwise keep one listener per request on the shared signal), and an
// aborted signal still stops a request.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getEventListeners } from 'node:events';
import { createTransport } from '../../engine/tenant/http-transport.js';
import { startFakeGraph } from './fake-graph.js';

test('requests with one shared signal leave no abort listener behind once read', async () => {
  const fake = await startFakeGraph(() => ({ status: 200, body: { ok: true } }));
  const transport = createTransport({ name: 'contoso', cloud: 'emulator', caFile: fake.caFile, position: { file: 'p.yaml', line: 1, col: 1 } }, { projectDir: '/', env: {} });
  const ac = new AbortController();
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  try {
    const bodies = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const r = await transport.fetch(`${fake.url}/v1.0/users/${i}`, { signal: ac.signal });
        return i % 2 ? r.json() : r.text();
      }),
    );
    assert.is(bodies.length, 200);
    assert.equal(bodies[1], { ok: true });
    assert.is(getEventListeners(ac.signal, 'abort').length, 0);
    await new Promise((r) => setImmediate(r)); // warnings are emitted on a later tick
    assert.not.ok(warnings.includes('MaxListenersExceededWarning'), '200 requests in flight are no listener leak');
    // a body-less answer unlinks at once
    const fake204 = await transport.fetch(`${fake.url}/v1.0/none`, { method: 'HEAD', signal: ac.signal });
    assert.is(fake204.status, 200);
    assert.is(getEventListeners(ac.signal, 'abort').length, 0);
    ac.abort();
    let aborted = false;
    await transport.fetch(`${fake.url}/v1.0/users/x`, { signal: ac.signal }).catch((e: Error) => (aborted = e.name === 'AbortError'));
    assert.ok(aborted, 'an aborted signal stops the request');
  } finally {
    process.off('warning', onWarning);
    await transport.close();
    await fake.close();
  }
});

test.run();
