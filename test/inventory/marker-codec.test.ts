// The marker's wire form: what apply writes, discovery must read back as the same marker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMarker, encodeMarker } from '../../engine/inventory/marker-codec.js';
import { toMarker } from '../../engine/discovery/markers-read.js';

const marker = {
  sourceTenant: 'contoso',
  sourceUserId: 'u1',
  wave: 'wave-01-pilot',
  phase: 'synced',
  sync: { mailbox: { initialDoneAt: '2026-11-23T10:00:00.000Z', items: 25, bytes: 12800, deltaLinks: { a1b2: 'opaque' } } },
};

test('nested watermarks are stored as JSON strings (open extensions hold primitives only)', () => {
  const wire = encodeMarker({ ...marker, notificationSentAt: undefined, lastAppliedCommit: null });
  assert.type(wire.sync, 'string');
  assert.not.ok('notificationSentAt' in wire);
  assert.not.ok('lastAppliedCommit' in wire);
});

test('what apply writes, discovery reads back unchanged (OData bookkeeping dropped)', () => {
  const body = { '@odata.type': '#microsoft.graph.openTypeExtension', id: 'dev.t2t.migration', extensionName: 'dev.t2t.migration', ...encodeMarker(marker) };
  assert.equal(toMarker(body), marker);
  assert.equal(decodeMarker(body), marker);
});

test('a plain string that merely looks like an object is kept as it is', () => {
  assert.equal(decodeMarker({ wave: '{not json}' }), { wave: '{not json}' });
});

test.run();
