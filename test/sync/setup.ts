// Shared setup for the content-sync suites: an emulator with contoso (source) and fabrikam
// (target), licensed users created through Graph on both sides, the engine's real tenant clients
// (msal-node + Graph SDK over loopback HTTPS), and helpers that seed and read content.
import type { Client } from '@microsoft/microsoft-graph-client';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { createTenantClient, type TenantClient } from '../../engine/tenant/client.js';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { graphClient } from '../helpers/graph.js';
import { emulatorTenant, secretsEnv } from '../tenant/fixtures.js';
import { createUser, type TestUser } from '../emulator/content/setup.js';

export interface SyncEnv {
  emu: RunningEmulator;
  /** Test-side Graph clients (seeding and checking), not the engine's. */
  contoso: Client;
  fabrikam: Client;
  /** The engine's tenant clients the sync runs with. */
  source: TenantClient;
  target: TenantClient;
  stop(): Promise<void>;
}

export async function startSyncEnv(config: Record<string, unknown> = {}): Promise<SyncEnv> {
  const emu = await startEmulator(testConfig(config));
  const project = { dir: process.cwd() };
  const env = secretsEnv();
  const source = createTenantClient(project, emulatorTenant(emu, 'contoso'), { env });
  const target = createTenantClient(project, emulatorTenant(emu, 'fabrikam'), { env });
  return {
    emu,
    contoso: await graphClient(emu, 'contoso'),
    fabrikam: await graphClient(emu, 'fabrikam'),
    source,
    target,
    async stop() {
      await source.close();
      await target.close();
      await emu.stop();
    },
  };
}

let counter = 0;
/** A licensed user in each tenant (mailbox with archive, OneDrive). */
export async function userPair(env: SyncEnv, name: string): Promise<{ src: TestUser; tgt: TestUser }> {
  const n = `${name}${++counter}`;
  return { src: await createUser(env.contoso, `${n}@contoso.com`), tgt: await createUser(env.fabrikam, `${n}@fabrikam.com`) };
}

export interface Msg {
  id: string;
  subject: string;
  isRead: boolean;
  isDraft: boolean;
  receivedDateTime: string;
  sentDateTime: string | null;
  internetMessageId: string;
  body: { contentType: string; content: string };
  from?: { emailAddress: { address: string } } | null;
  parentFolderId: string;
}

/** A received (non-draft) message, as migration tools and the generator create one: PidTagMessageFlags
 *  (read or not, never unsent) and a delivery time in the past. */
export async function seedMessage(client: Client, userId: string, folderId: string, subject: string, opts: { read?: boolean; received?: string; body?: string } = {}): Promise<Msg> {
  return (await client.api(`/users/${userId}/mailFolders/${folderId}/messages`).post({
    subject,
    body: { contentType: 'html', content: opts.body ?? `<p>${subject}</p>` },
    from: { emailAddress: { address: 'partner@example.org', name: 'Partner' } },
    toRecipients: [{ emailAddress: { address: 'someone@contoso.com' } }],
    singleValueExtendedProperties: [
      { id: 'Integer 0x0E07', value: opts.read ? '1' : '0' },
      { id: 'SystemTime 0x0E06', value: opts.received ?? '2024-02-01T08:00:00Z' },
    ],
  })) as Msg;
}

export async function createFolder(client: Client, userId: string, parentId: string | null, name: string): Promise<string> {
  const url = parentId ? `/users/${userId}/mailFolders/${parentId}/childFolders` : `/users/${userId}/mailFolders`;
  return ((await client.api(url).post({ displayName: name })) as { id: string }).id;
}

/** Every message of a primary mailbox folder (follows nextLinks). */
export async function messages(client: Client, userId: string, folderId: string): Promise<Msg[]> {
  const out: Msg[] = [];
  let next: string | undefined = `/users/${userId}/mailFolders/${folderId}/messages?$top=100`;
  while (next) {
    const page = (await client.api(next).get()) as { value: Msg[]; '@odata.nextLink'?: string };
    out.push(...page.value);
    next = page['@odata.nextLink'];
  }
  return out;
}

/** A child folder's id by name, or undefined. */
export async function childFolder(client: Client, userId: string, parentId: string | null, name: string): Promise<string | undefined> {
  const url = parentId ? `/users/${userId}/mailFolders/${parentId}/childFolders?$top=100` : `/users/${userId}/mailFolders?$top=100`;
  const page = (await client.api(url).get()) as { value: { id: string; displayName: string }[] };
  return page.value.find((f) => f.displayName === name)?.id;
}

export async function mailboxIdsOf(client: Client, userId: string): Promise<{ primaryMailboxId: string; inPlaceArchiveMailboxId?: string }> {
  return (await client.api(`/users/${userId}/settings/exchange`).version('beta').get()) as { primaryMailboxId: string; inPlaceArchiveMailboxId?: string };
}

export async function download(client: Client, userId: string, path: string): Promise<Buffer> {
  return Buffer.from((await client.api(`/users/${userId}/drive/root:/${path}:/content`).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer);
}

/** Names of the children of a drive folder ('' for the root). */
export async function driveChildren(client: Client, userId: string, path: string): Promise<string[]> {
  const url = path ? `/users/${userId}/drive/root:/${path}:/children` : `/users/${userId}/drive/root/children`;
  const page = (await client.api(url).get()) as { value: { name: string }[] };
  return page.value.map((i) => i.name).sort();
}

export async function putFile(client: Client, userId: string, path: string, bytes: Buffer): Promise<{ id: string }> {
  return (await client.api(`/users/${userId}/drive/root:/${path}:/content`).header('Content-Type', 'application/octet-stream').put(bytes)) as { id: string };
}

/** The same tenant client, recording every write it sends (method, URL without query, headers of
 *  pre-authenticated calls, body size): instrumentation only, the requests still go to the emulator. */
export function recording(c: TenantClient): { client: TenantClient; calls: { method: string; url: string; headers?: Record<string, string>; bytes?: number }[] } {
  const calls: { method: string; url: string; headers?: Record<string, string>; bytes?: number }[] = [];
  const g = c.graph;
  const strip = (u: string) => u.replace(/\?.*$/, '');
  const graph: TenantClient['graph'] = {
    ...g,
    post: (url, body, o) => (calls.push({ method: 'POST', url: strip(url) }), g.post(url, body, o)),
    sendBytes: (method, url, data, ct, o) => (calls.push({ method, url: strip(url), bytes: data.length }), g.sendBytes(method, url, data, ct, o)),
    preauthenticated: (method, url, data, ct, o) => (
      calls.push({ method, url: strip(url), ...(o?.headers ? { headers: o.headers } : {}), bytes: typeof data === 'object' && !Buffer.isBuffer(data) ? JSON.stringify(data).length : data.length }),
      g.preauthenticated(method, url, data, ct, o)
    ),
  };
  return { client: { ...c, graph }, calls };
}
