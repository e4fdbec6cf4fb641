// apply --dry-run prints one line per write it would send: long string values (a marker's
// content-sync watermarks, a JSON text of delta links) are shortened to their start and length.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeWrite } from '../../engine/apply/write-recorder.js';

test('a Graph write: method, target and body, a long string shortened with its length', () => {
  const sync = JSON.stringify({ mailbox: { items: 25, deltaLinks: { inbox: 'https://graph.microsoft.com/v1.0/users/x/mailFolders/inbox/messages/delta?$deltatoken=' + 'a'.repeat(300) } } });
  const line = describeWrite({ tenant: 'fabrikam', method: 'PATCH', target: '/users/t-1/extensions/dev.t2t.migration', body: { phase: 'synced', sync } });
  assert.ok(line.startsWith('fabrikam: PATCH /users/t-1/extensions/dev.t2t.migration {"phase":"synced","sync":"{'), line);
  assert.match(line, new RegExp(`… \\(${sync.length} characters\\)"}$`));
  assert.ok(line.length < 250, `one line of reasonable length, not ${line.length}`);
});

test('a cmdlet with short parameters is printed whole', () => {
  const line = describeWrite({ tenant: 'fabrikam', method: 'CMDLET', target: 'Set-MailUser', body: { Identity: 'alice@fabrikam.com', HiddenFromAddressListsEnabled: false } });
  assert.is(line, 'fabrikam: Set-MailUser {"Identity":"alice@fabrikam.com","HiddenFromAddressListsEnabled":false}');
});

test.run();
