import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { featuresInUse, missingRoles, phasesInUse, requiredRole } from '../../engine/tenant/permissions.js';
import type { Project, Wave } from '../../engine/manifest/model.js';

const wave = (name: string, phase: Wave['phase'], profile = 'standard') => ({ name, phase, profile }) as unknown as Wave;
const project = (waves: Wave[], createAs: 'member' | 'guest' = 'member') =>
  ({ waves, profiles: { standard: { createAs }, guests: { createAs: 'guest' } } }) as unknown as Pick<Project, 'waves' | 'profiles'>;

test('phases in use follow the furthest declared phase of each wave', () => {
  assert.equal(phasesInUse(project([])), ['discover']);
  assert.equal(phasesInUse(project([wave('a', 'discovered')])), ['discover']);
  assert.equal(phasesInUse(project([wave('a', 'synced')])), ['discover', 'prepare', 'sync']);
  assert.equal(phasesInUse(project([wave('a', 'prepared'), wave('b', 'cutover')])), ['discover', 'prepare', 'sync', 'cutover']);
  assert.equal(phasesInUse(project([wave('a', 'prepared', 'guests')])), ['discover', 'prepare', 'invitations']);
});

test('broader roles meet narrower requirements', () => {
  assert.equal(missingRoles(['Directory.ReadWrite.All', 'Exchange.ManageAsApp'], ['discover'], 'source'), []);
  assert.equal(missingRoles(['User.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Exchange.ManageAsApp'], ['discover', 'prepare'], 'target'), []);
  // The mailbox import/export permission stands in for Mail.ReadWrite.
  const sync = missingRoles(['MailboxItem.ImportExport.All', 'Files.ReadWrite.All', 'User.ReadWrite.All', 'Exchange.ManageAsApp'], ['sync'], 'target');
  assert.equal(sync, []);
});

test('missing roles are listed once, with the phase that first needs them', () => {
  const missing = missingRoles(['User.Read.All', 'Group.Read.All', 'Directory.Read.All'], ['discover', 'prepare', 'cutover'], 'target');
  assert.equal(missing.map((m) => `${m.phase}:${m.role}`), ['discover:Exchange.ManageAsApp', 'prepare:User.ReadWrite.All', 'prepare:Group.ReadWrite.All', 'cutover:Mail.Send']);
});

test('optional features count from the phase that uses them, and their permissions only then', () => {
  const w = (phase: Wave['phase'], emailRewrite = 'none') => ({ name: phase, phase, profile: 'p', emailRewrite }) as unknown as Wave;
  const p = (waves: Wave[], profile: object, groups: object[] = []) => ({ waves, groups, profiles: { p: { createAs: 'member', workloads: [], ...profile } } }) as unknown as Project;
  assert.equal([...featuresInUse(p([w('prepared', 'dayTwo')], { workloads: ['onedrive'], notification: {} }))], []);
  assert.equal([...featuresInUse(p([w('cutover', 'dayTwo')], { workloads: ['archive'], notification: {} }, [{}]))].sort(), ['emailRewrite', 'groups', 'mail', 'notification']);
  const all = ['User.Read.All', 'Group.Read.All', 'Directory.Read.All', 'Exchange.ManageAsApp', 'User.ReadWrite.All'];
  assert.equal(missingRoles(all, ['discover', 'prepare', 'sync', 'cutover'], 'target', new Set()), []);
  assert.equal(missingRoles(all, ['discover', 'prepare', 'sync', 'cutover'], 'target', new Set(['mail'])).map((m) => m.role), ['Mail.ReadWrite']);
  assert.equal(missingRoles(all, ['prepare'], 'source', new Set(['groups'])), [], 'carried groups are written in the target only');
});

test('the role a refused request needed is derived from method and path', () => {
  assert.is(requiredRole('POST', '/users'), 'User.ReadWrite.All');
  assert.is(requiredRole('GET', 'https://graph.microsoft.com/v1.0/users?$top=5'), 'User.Read.All');
  assert.is(requiredRole('PATCH', '/groups/1'), 'Group.ReadWrite.All');
  assert.is(requiredRole('POST', '/users/abc/sendMail'), 'Mail.Send');
  assert.is(requiredRole('POST', '/users/abc/mailFolders/inbox/messages'), 'Mail.ReadWrite');
  assert.is(requiredRole('PUT', '/users/abc/drive/root:/a.txt:/content'), 'Files.ReadWrite.All');
  assert.is(requiredRole('POST', '/invitations'), 'User.Invite.All');
  assert.is(requiredRole('POST', '/beta/admin/exchange/mailboxes/x/exportItems'), 'MailboxItem.ImportExport.All');
  assert.is(requiredRole('GET', '/beta/users/abc/settings/exchange'), 'User.Read.All'); // Graph: usersettings-list-exchange
  assert.is(requiredRole('GET', '/subscribedSkus'), 'Directory.Read.All');
  assert.is(requiredRole('GET', '/somethingElse'), undefined);
});

test.run();
