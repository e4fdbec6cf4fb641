// Replication lag on mail and drive content (faults.replicationLagMs) with the emulator clock
// moved by POST /_emulator/clock: a fresh message is 404 until replicated, and a delta round
// taken meanwhile does not skip it (its change arrives with the next deltaLink).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { graphClient, rawRequest } from '../../helpers/graph.js';
import { createUser, graphFailure, type TestUser } from './setup.js';

let emu: RunningEmulator;
let client: Client;
let alice: TestUser;
const LAG = 60_000;
const advance = () => rawRequest(emu, null, 'POST', '/_emulator/clock', { advanceMs: LAG + 1 });

test.before(async () => {
  emu = await startEmulator(testConfig({ faults: { replicationLagMs: LAG } }));
  client = await graphClient(emu, 'contoso');
  alice = await createUser(client, 'alice@contoso.com');
  await advance(); // the user and its mailbox replicate
});

test.after(async () => {
  await emu?.stop();
});

test('a new message is invisible until replicated, and delta picks it up in the next round', async () => {
  const first = (await client.api(`/users/${alice.id}/mailFolders/inbox/messages/delta`).get()) as { value: unknown[]; '@odata.deltaLink': string };
  const created = (await client.api(`/users/${alice.id}/mailFolders/inbox/messages`).post({ subject: 'lagging' })) as { id: string };
  const early = await graphFailure(client.api(`/users/${alice.id}/messages/${created.id}`).get());
  assert.is(early.statusCode, 404, 'not yet replicated');
  const during = (await client.api(first['@odata.deltaLink']).get()) as { value: { id: string }[]; '@odata.deltaLink': string };
  assert.not.ok(during.value.some((m) => m.id === created.id));
  await advance();
  const got = (await client.api(`/users/${alice.id}/messages/${created.id}`).get()) as { subject: string };
  assert.is(got.subject, 'lagging');
  const after = (await client.api(during['@odata.deltaLink']).get()) as { value: { id: string }[] };
  assert.ok(after.value.some((m) => m.id === created.id), 'the lagging create is reported once visible');
});

test('a drive upload is invisible until replicated', async () => {
  const put = await rawRequest(emu, 'contoso', 'PUT', `/v1.0/users/${alice.id}/drive/root:/lag.txt:/content`, Buffer.from('x'), { 'content-type': 'text/plain' });
  assert.is(put.status, 201);
  const early = await rawRequest(emu, 'contoso', 'GET', `/v1.0/users/${alice.id}/drive/root:/lag.txt`);
  assert.is(early.status, 404);
  await advance();
  const late = await rawRequest(emu, 'contoso', 'GET', `/v1.0/users/${alice.id}/drive/root:/lag.txt`);
  assert.is(late.status, 200);
});

test.run();
