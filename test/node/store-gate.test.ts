// The gate every LevelDB operation passes (node/store-gate.ts) while the store
// is reopened after a full disk: on a real leveldown handle in a temp dir, a
// read that straddles the reopen must end, with an answer or an error, never
// hang its reader (leveldown never calls back an end asked of an iterator its
// close already ended).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import leveldown from 'leveldown';
import { StoreGate } from '../../node/store-gate.js';

type Cb = (err?: Error | null, key?: unknown, value?: unknown) => void;
interface Iter { next(cb: Cb): void; end(cb: (err?: Error | null) => void): void }
/** The parts of leveldown's handle used here (its own types name fewer). */
interface Handle {
  status: string;
  open(options: { createIfMissing?: boolean }, cb: (err?: Error | null) => void): void;
  close(cb: (err?: Error | null) => void): void;
  batch(ops: { type: 'put'; key: string; value: string }[], cb: (err?: Error | null) => void): void;
  iterator(options: { keyAsBuffer: boolean; valueAsBuffer: boolean }): Iter;
}

const call = (fn: (cb: (err?: Error | null) => void) => void) => new Promise<void>((ok, fail) => fn((err) => (err ? fail(err) : ok())));
/** The callback's outcome, or "no answer" after `ms`. */
const within = <T>(ms: number, fn: (cb: (...args: unknown[]) => void) => void) => new Promise<T[] | 'no answer'>((ok) => {
  const timer = setTimeout(() => ok('no answer'), ms);
  fn((...args) => { clearTimeout(timer); ok(args as T[]); });
});

test('an iterator that straddles a reopen fails its next read and ends at once; one made after it reads everything', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-gate-'));
  const raw = leveldown(join(dir, 'db'));
  const handle = raw as unknown as Handle;
  try {
    await call((cb) => handle.open({}, cb));
    const gate = new StoreGate();
    gate.guard(raw);
    await call((cb) => handle.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '2' }], cb));

    const before = handle.iterator({ keyAsBuffer: false, valueAsBuffer: false });
    const first = await within<unknown>(2_000, (cb) => before.next(cb));
    assert.equal(first !== 'no answer' && first.slice(0, 3), [null, 'a', '1']);

    await gate.exclusive(async () => {
      await call((cb) => handle.close(cb));
      await call((cb) => handle.open({ createIfMissing: false }, cb));
    });
    assert.is(handle.status, 'open');

    const next = await within<Error | null>(2_000, (cb) => before.next(cb));
    assert.ok(next !== 'no answer', 'the next read answers');
    assert.match(String((next as (Error | null)[])[0]?.message), /reopened/);
    const end = await within<Error | null>(2_000, (cb) => before.end(cb));
    assert.ok(end !== 'no answer', 'ending it answers (it hung before)');

    const after = handle.iterator({ keyAsBuffer: false, valueAsBuffer: false });
    const keys: unknown[] = [];
    for (;;) {
      const r = await within<unknown>(2_000, (cb) => after.next(cb));
      assert.ok(r !== 'no answer');
      if ((r as unknown[])[1] === undefined) break;
      keys.push((r as unknown[])[1]);
    }
    assert.equal(keys, ['a', 'b']);
    await call((cb) => after.end(cb));
  } finally {
    await call((cb) => handle.close(cb)).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
