// A child process for test/node/durability.test.ts: opens a store, writes one
// command through the ledger (fsync on or off per argv), then prints ACK the
// way the node answers a request. Run under strace to see the order.
import { join } from 'node:path';
import { openStore, monotonicClock } from '../../node/store.js';
import { Ledger } from '../../node/ledger.js';
import { syncLevelDb } from '../../node/durability.js';

const [dir, mode] = process.argv.slice(2) as [string, 'fsync' | 'nofsync'];
const store = await openStore(dir);
const ledger = await Ledger.open({ db: store.docs, clock: monotonicClock(), ...(mode === 'fsync' ? { flush: () => syncLevelDb(join(dir, 'docs')) } : {}) });
await ledger.run(() => ({ command: { actor: { user: 'vanthu', role: 'clerk', device: 'test' }, action: 'test.write', target: 'doc:x', docs: [{ _id: 'doc:x', type: 'test' }] }, result: null }));
process.stdout.write('ACK\n');
await store.close();
