// The view cache's pins (node/view-cache.ts): a document whose change is staged
// but not yet written must stay cached whatever else is read meanwhile, because
// the store does not have the change yet (docs/decisions/0011, with 0010).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LruMap } from '../../node/view-cache.js';

test('a pinned entry survives any number of newer entries and a cache drop, until its last pin is released', () => {
  const cache = new LruMap<string, number>(2);
  cache.set('staged', 1);
  cache.pin('staged');
  cache.pin('staged');
  for (let i = 0; i < 100; i++) cache.set(`read${i}`, i);
  assert.is(cache.peek('staged'), 1, 'kept past 100 newer entries');
  assert.is(cache.size, 2, 'the others still bounded');
  cache.clear();
  assert.is(cache.peek('staged'), 1, 'a memory-pressure drop keeps it');
  cache.unpin('staged');
  cache.set('x', 0); cache.set('y', 0);
  assert.is(cache.peek('staged'), 1, 'one pin left');
  cache.unpin('staged');
  cache.set('z', 0);
  assert.is(cache.peek('staged'), undefined, 'evicted once released');
});

test.run();
