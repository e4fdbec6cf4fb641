// The migration marker is an open extension on the target user, and Graph holds at most 2 KB in
// one: a marker that would pass it leaves out content-sync delta positions, longest first.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MARKER_MAX_BYTES, fitMarker } from '../../engine/apply/marker-store.js';
import { encodeMarker } from '../../engine/inventory/marker-codec.js';

const bytes = (m: Record<string, unknown>) => Buffer.byteLength(JSON.stringify(encodeMarker(m)));
// an Exchange folder id and a delta query, about as long as the real ones
const folder = (i: number) => `AAMkAGI2TG93AAA${String(i).padStart(3, '0')}`.padEnd(120, 'A');
const link = (i: number) => `$deltatoken=${String(i).repeat(3)}`.padEnd(180, 'x');

const base = { sourceTenant: 'contoso', sourceUserId: 'u1', wave: 'wave-01-pilot', phase: 'synced' };

test('a marker within 2 KB is kept as it is', () => {
  const m = { ...base, sync: { mailbox: { items: 3, bytes: 30, deltaLinks: { [folder(1)]: link(1) } } } };
  const r = fitMarker(m);
  assert.is(r.dropped, 0);
  assert.is(r.marker, m);
});

test('delta positions are left out, longest first, until the marker fits; totals and dates stay', () => {
  const links: Record<string, string> = {};
  for (let i = 0; i < 12; i++) links[folder(i)] = link(i);
  links['short'] = 'token=1';
  const m = { ...base, sync: { mailbox: { initialDoneAt: '2026-11-23T10:00:00.000Z', items: 250, bytes: 128000, deltaLinks: links }, onedrive: { items: 4, bytes: 400, deltaLinks: { drive: 'token=abc' } } } };
  assert.ok(bytes(m) > MARKER_MAX_BYTES);
  const r = fitMarker(m);
  assert.ok(bytes(r.marker) <= MARKER_MAX_BYTES, `${bytes(r.marker)} bytes`);
  assert.ok(r.dropped > 0 && r.dropped < 12);
  const sync = r.marker['sync'] as Record<string, { items: number; bytes: number; initialDoneAt?: string; deltaLinks: Record<string, string> }>;
  assert.is(sync['mailbox']!.items, 250);
  assert.is(sync['mailbox']!.initialDoneAt, '2026-11-23T10:00:00.000Z');
  assert.is(sync['mailbox']!.deltaLinks['short'], 'token=1', 'the short ones are kept');
  assert.is(sync['onedrive']!.deltaLinks['drive'], 'token=abc');
  assert.is(Object.keys(m.sync.mailbox.deltaLinks).length, 13, 'the input is not changed');
});

test('a marker too big without any delta position is returned as it is', () => {
  const m = { ...base, note: 'x'.repeat(3000) };
  const r = fitMarker(m);
  assert.is(r.dropped, 0);
  assert.is(r.marker, m);
});

test.run();
