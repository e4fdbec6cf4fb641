// Mail folders and messages over HTTPS with the real msal-node and Graph client: folder CRUD,
// messages CRUD with $select/$top paging, MIME export and import (a draft), message delta
// (@removed, only changes after the deltaLink), sendMail delivery, and the unlicensed user's error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { graphClient, rawRequest } from '../../helpers/graph.js';
import { createUser, graphFailure, type TestUser } from './setup.js';

let emu: RunningEmulator;
let client: Client;
let alice: TestUser;
let bob: TestUser;

interface Msg {
  id: string;
  subject: string;
  isDraft: boolean;
  isRead: boolean;
  parentFolderId: string;
  internetMessageId: string;
  body: { contentType: string; content: string };
  toRecipients: { emailAddress: { address: string } }[];
}

test.before(async () => {
  emu = await startEmulator(testConfig());
  client = await graphClient(emu, 'contoso');
  alice = await createUser(client, 'alice@contoso.com');
  bob = await createUser(client, 'bob@contoso.com');
});

test.after(async () => {
  await emu?.stop();
});

test('mailFolders lists one level of well-known folders; folders are reachable by well-known name', async () => {
  const list = (await client.api(`/users/${alice.id}/mailFolders`).top(50).get()) as { value: { displayName: string; id: string }[] };
  const names = list.value.map((f) => f.displayName);
  for (const n of ['Inbox', 'Drafts', 'Sent Items', 'Deleted Items', 'Junk Email', 'Archive']) assert.ok(names.includes(n), `missing ${n}`);
  const inbox = (await client.api(`/users/${alice.userPrincipalName}/mailFolders/inbox`).get()) as { id: string; displayName: string; totalItemCount: number };
  assert.is(inbox.displayName, 'Inbox');
  assert.is(inbox.id, list.value.find((f) => f.displayName === 'Inbox')!.id);
});

test('child folders: create, list one level, duplicate name refused with 409, rename, delete', async () => {
  const parent = (await client.api(`/users/${alice.id}/mailFolders`).post({ displayName: 'Projects' })) as { id: string };
  const child = (await client.api(`/users/${alice.id}/mailFolders/${parent.id}/childFolders`).post({ displayName: '2025' })) as { id: string; parentFolderId: string };
  assert.is(child.parentFolderId, parent.id);
  const top = (await client.api(`/users/${alice.id}/mailFolders`).top(50).get()) as { value: { displayName: string }[] };
  assert.ok(top.value.some((f) => f.displayName === 'Projects'));
  assert.not.ok(top.value.some((f) => f.displayName === '2025'), 'mailFolders lists one level only');
  const kids = (await client.api(`/users/${alice.id}/mailFolders/${parent.id}/childFolders`).get()) as { value: { id: string }[] };
  assert.equal(kids.value.map((f) => f.id), [child.id]);
  const dup = await graphFailure(client.api(`/users/${alice.id}/mailFolders`).post({ displayName: 'projects' }));
  assert.is(dup.statusCode, 409);
  assert.is(dup.code, 'ErrorFolderExists');
  const renamed = (await client.api(`/users/${alice.id}/mailFolders/${child.id}`).patch({ displayName: '2026' })) as { displayName: string };
  assert.is(renamed.displayName, '2026');
  await client.api(`/users/${alice.id}/mailFolders/${parent.id}`).delete();
  const gone = await graphFailure(client.api(`/users/${alice.id}/mailFolders/${child.id}`).get());
  assert.is(gone.statusCode, 404);
  const wk = await graphFailure(client.api(`/users/${alice.id}/mailFolders/inbox`).delete());
  assert.is(wk.code, 'ErrorDeleteDistinguishedFolder');
});

test('messages: JSON create is a draft; GET, $select, PATCH, DELETE; $top pages with an absolute nextLink', async () => {
  const folder = (await client.api(`/users/${alice.id}/mailFolders`).post({ displayName: 'Paging' })) as { id: string };
  const created: Msg[] = [];
  for (let i = 0; i < 5; i++) {
    created.push(
      (await client.api(`/users/${alice.id}/mailFolders/${folder.id}/messages`).post({
        subject: `Hello ${i}`,
        body: { contentType: 'text', content: `Body ${i}` },
        toRecipients: [{ emailAddress: { address: 'bob@contoso.com', name: 'Bob' } }],
      })) as Msg,
    );
  }
  assert.ok(created.every((m) => m.isDraft && m.parentFolderId === folder.id));
  const one = (await client.api(`/users/${alice.id}/messages/${created[0]!.id}`).select('subject').get()) as Record<string, unknown>;
  assert.is(one.subject, 'Hello 0');
  assert.is(one.body, undefined, '$select keeps only what was asked (and id)');
  const page1 = (await client.api(`/users/${alice.id}/mailFolders/${folder.id}/messages`).top(2).get()) as { value: Msg[]; '@odata.nextLink': string };
  assert.is(page1.value.length, 2);
  assert.ok(page1['@odata.nextLink'].startsWith(emu.url), 'nextLink is absolute');
  const seen = new Set(page1.value.map((m) => m.id));
  let next: string | undefined = page1['@odata.nextLink'];
  while (next) {
    const page = (await client.api(next).get()) as { value: Msg[]; '@odata.nextLink'?: string };
    page.value.forEach((m) => seen.add(m.id));
    next = page['@odata.nextLink'];
  }
  assert.is(seen.size, 5);
  const patched = (await client.api(`/users/${alice.id}/messages/${created[1]!.id}`).patch({ isRead: false, subject: 'Changed' })) as Msg;
  assert.is(patched.subject, 'Changed');
  assert.is(patched.isRead, false);
  await client.api(`/users/${alice.id}/messages/${created[2]!.id}`).delete();
  const missing = await graphFailure(client.api(`/users/${alice.id}/messages/${created[2]!.id}`).get());
  assert.is(missing.statusCode, 404);
  assert.is(missing.code, 'ErrorItemNotFound');
});

test('MIME: $value exports valid RFC 5322; importing it (base64, text/plain) creates a draft with equal content', async () => {
  const src = (await client.api(`/users/${alice.id}/mailFolders/drafts/messages`).post({
    subject: 'Quarterly résumé ✓',
    body: { contentType: 'html', content: '<p>Numbers: <b>42</b> — ok</p>' },
    toRecipients: [{ emailAddress: { address: 'bob@contoso.com', name: 'Bob Builder' } }],
    ccRecipients: [{ emailAddress: { address: 'carol@fabrikam.com', name: 'Carol' } }],
  })) as Msg;
  const raw = await rawRequest(emu, 'contoso', 'GET', `/v1.0/users/${alice.id}/messages/${src.id}/$value`);
  assert.is(raw.status, 200);
  const mime = raw.text;
  assert.match(mime, /^Subject: =\?UTF-8\?B\?/m);
  assert.match(mime, /^To: "Bob Builder" <bob@contoso\.com>/m);
  assert.match(mime, /^Message-ID: <.+>/m);
  assert.match(mime, /^Content-Type: text\/html; charset="utf-8"/m);
  assert.match(mime, /\r\n\r\n/, 'headers end with an empty line');
  // Import into bob's inbox, as a migration's MIME fallback does.
  const imported = (await client
    .api(`/users/${bob.id}/mailFolders/inbox/messages`)
    .header('Content-Type', 'text/plain')
    .post(Buffer.from(mime).toString('base64'))) as Msg;
  assert.is(imported.isDraft, true, 'MIME import always makes a draft');
  assert.is(imported.subject, 'Quarterly résumé ✓');
  assert.is(imported.body.contentType, 'html');
  assert.is(imported.body.content, '<p>Numbers: <b>42</b> — ok</p>');
  assert.is(imported.internetMessageId, src.internetMessageId);
  assert.equal(imported.toRecipients.map((r) => r.emailAddress.address), ['bob@contoso.com']);
  const again = await rawRequest(emu, 'contoso', 'GET', `/v1.0/users/${bob.id}/messages/${imported.id}/$value`);
  assert.is(again.text, mime, 'the imported MIME exports unchanged');
});

test('MIME import refuses a body that is not base64 MIME', async () => {
  const r = await rawRequest(emu, 'contoso', 'POST', `/v1.0/users/${alice.id}/messages`, 'this is not base64 !!', { 'content-type': 'text/plain' });
  assert.is(r.status, 400);
  assert.is(r.body.error.code, 'ErrorMimeContentInvalidBase64String');
});

test('message delta: first round lists all, the deltaLink returns only later changes and @removed', async () => {
  const folder = (await client.api(`/users/${alice.id}/mailFolders`).post({ displayName: 'Delta' })) as { id: string };
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push(((await client.api(`/users/${alice.id}/mailFolders/${folder.id}/messages`).post({ subject: `d${i}` })) as Msg).id);
  const round = async (url: string) => {
    const items: Record<string, unknown>[] = [];
    let next: string | undefined = url;
    let deltaLink = '';
    let pages = 0;
    while (next) {
      const page = (await client.api(next).header('Prefer', 'odata.maxpagesize=2').get()) as { value: Record<string, unknown>[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
      items.push(...page.value);
      next = page['@odata.nextLink'];
      deltaLink = page['@odata.deltaLink'] ?? deltaLink;
      pages++;
    }
    return { items, deltaLink, pages };
  };
  const first = await round(`/users/${alice.id}/mailFolders/${folder.id}/messages/delta`);
  assert.equal(first.items.map((m) => m.id).sort(), [...ids].sort());
  assert.is(first.pages, 2, 'Prefer: odata.maxpagesize=2 pages the round');
  assert.ok(first.deltaLink.startsWith(emu.url));
  const empty = await round(first.deltaLink);
  assert.is(empty.items.length, 0, 'no change, nothing returned');
  await client.api(`/users/${alice.id}/messages/${ids[0]}`).patch({ subject: 'd0 changed' });
  await client.api(`/users/${alice.id}/messages/${ids[1]}`).delete();
  const added = (await client.api(`/users/${alice.id}/mailFolders/${folder.id}/messages`).post({ subject: 'd3' })) as Msg;
  const second = await round(empty.deltaLink);
  const byId = new Map(second.items.map((m) => [m.id as string, m]));
  assert.is(byId.size, 3);
  assert.is(byId.get(ids[0]!)!.subject, 'd0 changed');
  assert.equal(byId.get(ids[1]!)!['@removed'], { reason: 'deleted' });
  assert.is(byId.get(added.id)!.subject, 'd3');
  assert.not.ok(byId.has(ids[2]!), 'unchanged items are not repeated');
});

test('sendMail records a sent item, delivers to a same-tenant mailbox, and logs the send', async () => {
  const r = await rawRequest(emu, 'contoso', 'POST', `/v1.0/users/${alice.id}/sendMail`, {
    message: { subject: 'Your mailbox has moved', body: { contentType: 'text', content: 'See you on the other side.' }, toRecipients: [{ emailAddress: { address: 'bob@contoso.com' } }, { emailAddress: { address: 'dave@elsewhere.example' } }] },
  });
  assert.is(r.status, 202);
  const inbox = (await client.api(`/users/${bob.id}/mailFolders/inbox/messages`).filter("subject eq 'Your mailbox has moved'").get()) as { value: (Msg & { from: { emailAddress: { address: string } } })[] };
  assert.is(inbox.value.length, 1);
  assert.is(inbox.value[0]!.isDraft, false);
  assert.is(inbox.value[0]!.isRead, false);
  assert.is(inbox.value[0]!.from.emailAddress.address, 'alice@contoso.com');
  const sent = (await client.api(`/users/${alice.id}/mailFolders/sentitems/messages`).get()) as { value: Msg[] };
  assert.ok(sent.value.some((m) => m.subject === 'Your mailbox has moved' && !m.isDraft));
  const log = await rawRequest(emu, null, 'GET', '/_emulator/tenants/contoso.com/sentMail');
  const entry = (log.body.value as { subject: string; deliveredTo: string[]; to: string[] }[]).find((e) => e.subject === 'Your mailbox has moved')!;
  assert.equal(entry.deliveredTo, [bob.id]);
  assert.equal(entry.to, ['bob@contoso.com', 'dave@elsewhere.example']);
});

test('a user without a mailbox gets MailboxNotEnabledForRESTAPI; an unknown user ErrorInvalidUser', async () => {
  const carol = await createUser(client, 'carol@contoso.com', false);
  const noMbx = await graphFailure(client.api(`/users/${carol.id}/mailFolders`).get());
  assert.is(noMbx.statusCode, 404);
  assert.is(noMbx.code, 'MailboxNotEnabledForRESTAPI');
  assert.is(noMbx.message, 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
  const unknown = await graphFailure(client.api('/users/nobody@contoso.com/messages').get());
  assert.is(unknown.code, 'ErrorInvalidUser');
});

test('mailboxSettings answers the archive folder and time zone', async () => {
  const s = (await client.api(`/users/${alice.id}/mailboxSettings`).get()) as { archiveFolder: string; timeZone: string };
  const archive = (await client.api(`/users/${alice.id}/mailFolders/archive`).get()) as { id: string };
  assert.is(s.archiveFolder, archive.id);
  assert.is(s.timeZone, 'UTC');
});

test.run();
