// A child process for test/node/durability.test.ts: opens a store, writes one
// command through the ledger (fsync on or off per argv), then prints ACK the
// way the node answers a request; `group`: twenty concurrent document
// commands sharing group commits, an ACK as each is answered; `rotate`: six
// commands of 1.5 MB one after another, so LevelDB starts a new log midway.
// Run under strace to see the order.
import { openStore, monotonicClock } from '../../node/store.js';
import { Ledger } from '../../node/ledger.js';

const [dir, mode] = process.argv.slice(2) as [string, 'fsync' | 'nofsync' | 'group' | 'rotate'];
const store = await openStore(dir);
// The node's flush (node/ward-node.ts).
const ledger = await Ledger.open({ db: store.docs, clock: monotonicClock(), ...(mode !== 'nofsync' ? { flush: () => store.syncLog() } : {}) });
const actor = { user: 'vanthu', role: 'clerk' as const, device: 'test' };
if (mode === 'rotate') {
  // LevelDB's memtable holds 4 MB: the third or fourth write goes to a new log.
  for (let i = 0; i < 6; i++) {
    await ledger.run(() => ({ command: { actor, action: 'test.write', target: `doc:${i}`, docs: [{ _id: `doc:${i}`, type: 'test', body: String(i).repeat(1_500_000) }] }, result: null }));
    process.stdout.write('ACK\n');
  }
} else if (mode === 'group') {
  await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.runGrouped(() => ({ command: { actor, action: 'test.write', target: `doc:${i}`, docs: [{ _id: `doc:${i}`, type: 'test' }] }, result: null }))
    .then(() => { process.stdout.write('ACK\n'); })));
} else {
  await ledger.run(() => ({ command: { actor, action: 'test.write', target: 'doc:x', docs: [{ _id: 'doc:x', type: 'test' }] }, result: null }));
  process.stdout.write('ACK\n');
}
await store.close();
