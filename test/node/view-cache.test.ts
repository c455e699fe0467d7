// The view cache's pins (node/view-cache.ts): a document whose change is staged
// but not yet written must stay cached whatever else is read meanwhile, because
// the store does not have the change yet (docs/decisions/0011, with 0010).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { heapBytes, LruMap } from '../../node/view-cache.js';

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

test('bounded by weight too: one heavy document pushes out several light ones, never a pinned one, and changing an entry weighs it again', () => {
  const light = { subject: 'Về việc tiêm chủng', body: 'ngắn' };
  const heavy = { subject: 'Về việc chuyển đổi số', body: 'Căn cứ Luật Tổ chức chính quyền địa phương; '.repeat(200) };
  const cap = 4 * heapBytes(light) + 10;
  assert.ok(heapBytes(heavy) > cap / 2, 'the heavy one weighs more than half the cap');
  const cache = new LruMap<string, typeof light>(100, cap, heapBytes);
  for (const k of ['a', 'b', 'c', 'd']) cache.set(k, light);
  cache.pin('a');
  cache.set('big', heavy);
  assert.ok(cache.bytes <= cap || cache.size === 2, 'within the cap (or only the pinned one and the newest left)');
  assert.is(cache.peek('a'), light, 'the pinned one stays');
  assert.is(cache.peek('big'), heavy);
  assert.is(cache.peek('b'), undefined, 'the oldest light one went');
  const grown = { ...light };
  cache.set('e', grown);
  const before = cache.bytes;
  grown.body = 'dài hơn '.repeat(50);
  cache.reweigh('e');
  assert.ok(cache.bytes > before, 'weighed again after the change');
});

test.run();
