// Discovery's progress lines read as English: one page, two pages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeProgress } from '../../engine/cli/discovery-progress.js';
import { plural } from '../../engine/util/plural.js';

const at = (step: string, pages: number, objects: number) => describeProgress({ tenant: 'contoso', step, pages, objects, done: true } as Parameters<typeof describeProgress>[0]);

test('counts of one are singular, others plural, for every step', () => {
  assert.is(at('users', 1, 1), 'contoso: users, 1 page, 1 user');
  assert.is(at('users', 2, 300), 'contoso: users, 2 pages, 300 users');
  assert.is(at('groups', 1, 0), 'contoso: groups, 1 page, 0 groups');
  assert.is(at('recipients', 1, 1), 'contoso: recipients, 1 cmdlet, 1 recipient');
  assert.is(at('markers', 3, 1), 'contoso: markers, 3 batches, 1 marker read');
  assert.is(at('content', 0, 1), 'contoso: content sizes, 1 user');
  assert.is(at('domains', 1, 1), 'contoso: 1 domain');
  assert.is(at('licences', 1, 2), 'contoso: 2 licences');
});

test('plural', () => {
  assert.is(plural(0, 'page'), '0 pages');
  assert.is(plural(1, 'wave member'), '1 wave member');
  assert.is(plural(2, 'request'), '2 requests');
});

test.run();
