// A child process for test/node/durability.test.ts: opens a store, writes one
// command through the ledger (fsync on or off per argv), then prints ACK the
// way the node answers a request; `group`: twenty concurrent document
// commands sharing group commits, an ACK as each is answered. Run under
// strace to see the order.
import { join } from 'node:path';
import { openStore, monotonicClock } from '../../node/store.js';
import { Ledger } from '../../node/ledger.js';
import { syncLevelDb } from '../../node/durability.js';

const [dir, mode] = process.argv.slice(2) as [string, 'fsync' | 'nofsync' | 'group'];
const store = await openStore(dir);
const ledger = await Ledger.open({ db: store.docs, clock: monotonicClock(), ...(mode !== 'nofsync' ? { flush: () => syncLevelDb(join(dir, 'docs')) } : {}) });
const actor = { user: 'vanthu', role: 'clerk' as const, device: 'test' };
if (mode === 'group') {
  await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.runGrouped(() => ({ command: { actor, action: 'test.write', target: `doc:${i}`, docs: [{ _id: `doc:${i}`, type: 'test' }] }, result: null }))
    .then(() => { process.stdout.write('ACK\n'); })));
} else {
  await ledger.run(() => ({ command: { actor, action: 'test.write', target: 'doc:x', docs: [{ _id: 'doc:x', type: 'test' }] }, result: null }));
  process.stdout.write('ACK\n');
}
await store.close();
