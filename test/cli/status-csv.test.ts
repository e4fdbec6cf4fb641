// `t2t status --output csv` is opened in spreadsheets: a cell from tenant or manifest data that
// begins with =, +, -, @, a tab or a carriage return would be read as a formula there (CSV
// injection: an apply error quoting a display name such as =HYPERLINK(...), an address such as
// =1+2@contoso.com). Such a cell is written with a leading ' inside quotes, which the spreadsheet
// shows as text; other cells are as before.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic } from '../../bench/plan/generate.js';
import { writeProjectFiles } from '../../bench/plan/project-files.js';
import { writeCache } from '../../bench/plan/run.js';
import type { InventoryRecipient, InventoryUser } from '../../engine/inventory/model.js';
import { appendJobLog } from '../../engine/state/job-log.js';
import { runCli } from '../helpers/cli.js';

/** Gives synthetic source user i another address, in the tenant and in the wave that lists it. */
function rename(s: ReturnType<typeof generateSynthetic>, i: number, address: string): void {
  const user = s.inventory.tenants['contoso']!.users[i] as { -readonly [K in keyof InventoryUser]: InventoryUser[K] };
  user.userPrincipalName = address;
  user.mail = address;
  user.proxyAddresses = [`SMTP:${address}`];
  const mailbox = s.inventory.tenants['contoso']!.recipients[i] as { -readonly [K in keyof InventoryRecipient]: InventoryRecipient[K] };
  mailbox.primarySmtpAddress = address;
  mailbox.emailAddresses = [`SMTP:${address}`];
  const members = s.project.waves[0]!.members.users as string[];
  members[members.indexOf(`user${i}@contoso.com`)] = address;
}

test('cells that a spreadsheet would read as a formula are written as text; the others as they are', async () => {
  const dir = await mkdtemp(join(tmpdir(), 't2t-status-csv-'));
  try {
    const synthetic = generateSynthetic(6, { waves: 1 });
    rename(synthetic, 0, '=1+2@contoso.com');
    rename(synthetic, 1, '-5@contoso.com');
    rename(synthetic, 2, '+1@contoso.com');
    await writeProjectFiles(dir, synthetic.project);
    await writeCache(join(dir, '.t2t'), synthetic.project, synthetic.inventory);
    // the last apply failed for user3 with an error quoting tenant text (what status shows as error)
    const failed = async (user: string, error: string) => appendJobLog(join(dir, '.t2t'), { wave: 'wave-0', user }, { event: 'user.result', status: 'failed', error });
    await failed('user3@contoso.com', '=HYPERLINK("http://evil.example/","click")');
    await failed('user4@contoso.com', '@SUM(1+1)');

    const r = await runCli(['status', dir, '--offline', '--output', 'csv']);
    assert.is(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.is(lines[0], 'wave,source,sourceType,target,targetType,declared,phase,paused,error');
    const row = (source: string): string => {
      const found = lines.find((l) => l.split(',')[1] === source);
      assert.ok(found, `no row for ${source} in\n${r.stdout}`);
      return found!;
    };
    assert.match(row(`"'=1+2@contoso.com"`), /^wave-0,"'=1\+2@contoso\.com",Member,/);
    assert.match(row(`"'-5@contoso.com"`), /^wave-0,"'-5@contoso\.com",Member,/);
    assert.match(row(`"'+1@contoso.com"`), /^wave-0,"'\+1@contoso\.com",Member,/);
    assert.ok(row('user3@contoso.com').endsWith(`,failed,false,"'=HYPERLINK(""http://evil.example/"",""click"")"`), row('user3@contoso.com'));
    assert.ok(row('user4@contoso.com').endsWith(`,failed,false,"'@SUM(1+1)"`), row('user4@contoso.com'));
    // an ordinary row is unchanged: no quote, no prefix
    assert.match(row('user5@contoso.com'), /^wave-0,user5@contoso\.com,Member,(user5@fabrikam\.com,Member)?,prepared,[a-z-]+,false,$/);
    // the text and JSON outputs show the address as it is
    const json = await runCli(['status', dir, '--offline', '--output', 'json']);
    assert.ok(json.stdout.includes('"source": "=1+2@contoso.com"'), json.stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
