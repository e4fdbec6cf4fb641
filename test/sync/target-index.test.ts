// TargetIndex pairing rules without a service: the internet message id decides when both sides
// show one; creation time (and size) pair items when a side does not show it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TargetIndex } from '../../engine/sync/target-index.js';

const T0 = '2024-03-01T10:00:00.000Z';

test('equal creation time and size: each source item claims the copy with its own message id, in any order', () => {
  const index = new TargetIndex([{ id: 'copyA', createdDateTime: T0, size: 100, messageId: '<a@x>' }]);
  assert.is(index.claim({ id: 'B', createdDateTime: T0, size: 100, messageId: '<b@x>' }), undefined, 'B has no copy');
  assert.is(index.claim({ id: 'A', createdDateTime: T0, size: 100, messageId: '<A@X>' })?.id, 'copyA', 'message ids compare case-insensitively');
});

test('without message ids (a service that does not return them): creation time, then size, pair the items', () => {
  const index = new TargetIndex([
    { id: 'c1', createdDateTime: T0, size: 100 },
    { id: 'c2', createdDateTime: T0, size: 200 },
  ]);
  assert.is(index.claim({ id: 's2', createdDateTime: T0, size: 200 })?.id, 'c2');
  assert.is(index.claim({ id: 's1', createdDateTime: '2024-03-01T10:00:00Z', size: 100 })?.id, 'c1');
  assert.is(index.claim({ id: 's3', createdDateTime: T0, size: 100 }), undefined, 'each copy is claimed once');
  assert.equal(index.unclaimed(), []);
});

test('one side without a message id: creation time still pairs them (copies made before the service showed it)', () => {
  const index = new TargetIndex([{ id: 'old', createdDateTime: T0, size: 100 }]);
  assert.is(index.claim({ id: 'A', createdDateTime: T0, size: 100, messageId: '<a@x>' })?.id, 'old');
});

test.run();
