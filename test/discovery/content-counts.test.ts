// A size without a count: OneDrive gives bytes but, on some tenants, no file count (quota.fileCount).
// Bytes without a single item mean "not counted", never "0 files".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contentLine, formatBytes, renderReportText, totals, type DiscoveryReport } from '../../engine/discovery/report.js';
import { sizeText } from '../../engine/resources/content-sync/index.js';

test('the discovery report says files are not counted instead of 0 files', () => {
  assert.is(contentLine('onedrive', totals(11, 0, 15_258), 'files'), '    onedrive       11  14.9 KB, files not counted (per user: 1.4 KB)');
  assert.is(contentLine('onedrive', totals(2, 10, 2048), 'files'), '    onedrive        2  10 files, 2.0 KB (per user: 5 files, 1.0 KB)');
  assert.is(contentLine('archives', totals(0, 0, 0), 'items'), '    archives        0  0 items, 0 B (per user: 0 items, 0 B)');
});

test('the JSON report says so too: items without a count are marked, not a plain 0; no user gives averages of 0, not NaN', () => {
  // what `t2t discover -o json` prints of a scope is these totals as they are
  assert.equal(JSON.parse(JSON.stringify(totals(11, 0, 15_258))), { count: 11, items: 0, bytes: 15_258, averageItems: 0, averageBytes: 1387, itemsCounted: false });
  assert.equal(totals(2, 10, 2048).itemsCounted, true);
  assert.equal(JSON.parse(JSON.stringify(totals(0, 0, 0))), { count: 0, items: 0, bytes: 0, averageItems: 0, averageBytes: 0, itemsCounted: true });
});

test('sizes never show 1024.0 of a unit: just under a MB or GB is shown in the next unit', () => {
  assert.is(formatBytes(1023), '1023 B');
  assert.is(formatBytes(1024), '1.0 KB');
  assert.is(formatBytes(1024 * 1024 - 1), '1.0 MB');
  assert.is(formatBytes(1024 * 1024 - 60), '1023.9 KB');
  assert.is(formatBytes(1024 ** 3 - 1), '1.0 GB');
  assert.is(formatBytes(1.5 * 1024 ** 3), '1.5 GB');
  assert.is(formatBytes(1024 ** 5 * 2), '2048.0 TB');
});

test('the report text says one of a thing in the singular', () => {
  const zero = totals(0, 0, 0);
  const one = { added: 0, updated: 0, removed: 0 };
  const report: DiscoveryReport = {
    project: 'p',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1000,
    hash: 'a'.repeat(64),
    unresolved: ['x@contoso.com'],
    tenants: [{
      tenant: 'contoso', role: 'source', mode: 'delta', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1000, requests: 1, pages: 1,
      counts: { users: 2, members: 1, guests: 1, groups: 0, mailboxes: 1, mailUsers: 1, contacts: 1, licensedUsers: 1, skus: 0, domains: 1, markers: 0 },
      licences: [], changes: { users: one, groups: one, recipients: one }, skipped: { users: 0, groups: 0, recipients: 0 },
      scope: { users: 1, mailboxes: zero, archives: zero, onedrive: zero, unreadable: 0 }, warnings: [],
    }],
  };
  const text = renderReportText(report);
  assert.match(text, /^  users +2  \(1 member, 1 guest, 1 licensed\)/m);
  assert.match(text, /^  recipients +3  \(1 mailbox, 1 mail user, 1 contact\)/m);
  assert.match(text, /^  migration scope: 1 wave member$/m);
  assert.match(text, /^warning: 1 wave member not found in any source tenant: x@contoso\.com$/m);
  assert.match(text, /^inventory a{12}, 1 tenant in 1\.0 s$/m);
});

test("a content sync's summary gives the size alone when there is no count", () => {
  assert.is(sizeText({ items: 0, bytes: 2355 }), '2.3 KiB');
  assert.is(sizeText({ items: 5, bytes: 2355 }), '5 items, 2.3 KiB');
  assert.is(sizeText({ items: 0, bytes: 0 }), '0 items, 0 B');
});

test.run();
