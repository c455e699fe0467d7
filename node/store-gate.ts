// Reopening LevelDB after a full disk (store.ts) must not race the node's
// reads: leveldown aborts the whole process ("pthread destroy mutex") when an
// operation reaches a handle that is being closed, or an iterator is created
// on one. With the view read from the store on demand (0011) and writes in
// groups (0010), reads are in flight at any moment. So every operation on a
// handle passes this gate: while it is being reopened new ones wait, and the
// reopen waits for the ones in flight. Iterators are created on their first
// read, inside the gate. (level's deferred-open covers only a first open, and
// PouchDB keeps its own levelup above the handle, unaware of a reopen.)
import { createRequire } from 'node:module';
import type { LevelDown } from 'leveldown';

type Callback = (...args: unknown[]) => void;
type Method = (...args: unknown[]) => unknown;
interface NativeIterator { _next(cb: Callback): unknown; _end(cb: Callback): unknown; _seek(target: unknown): void }

// leveldown's own iterator class: its AbstractIterator is the one leveldown's abstract-leveldown checks against.
const LeveldownIterator = createRequire(import.meta.url)('leveldown/iterator.js') as { prototype: object };
const AbstractIterator = Object.getPrototypeOf(LeveldownIterator.prototype).constructor as { new(db: object): object; call(self: object, db: object): void; prototype: object };

const GATED = ['_get', '_getMany', '_put', '_del', '_batch', '_clear'] as const;

export class StoreGate {
  private inFlight = 0;
  private closed = false;
  /** Reopens so far: a native iterator made before the last one was ended by it. */
  private reopens = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly drained: (() => void)[] = [];

  /** Puts every data operation of `handle` behind the gate. */
  guard(handle: LevelDown): void {
    const h = handle as unknown as Record<string, Method>;
    for (const method of GATED) {
      const original = h[method]!.bind(handle);
      h[method] = (...args: unknown[]) => {
        const callback = args.pop() as Callback;
        this.enter(() => original(...args, (...result: unknown[]) => { this.leave(); callback(...result); }));
      };
    }
    // PouchDB refuses a read outright ("database is closed") when the handle's status is not
    // "open", before any operation reaches the gate: while the gate reopens it, the handle reports
    // "open", and what is asked meanwhile waits for the reopen like any other operation.
    let status = (handle as unknown as { status: string }).status;
    Object.defineProperty(handle, 'status', { configurable: true, enumerable: true, get: () => (this.closed ? 'open' : status), set: (value: string) => { status = value; } });
    const makeIterator = h['_iterator']!.bind(handle) as (options: unknown) => NativeIterator;
    h['_iterator'] = (options: unknown) => this.lazyIterator(handle, () => makeIterator(options));
  }

  /** Runs `reopen` with no operation in flight and none starting until it is done. */
  async exclusive(reopen: () => Promise<void>): Promise<void> {
    this.closed = true;
    try {
      if (this.inFlight > 0) await new Promise<void>((ok) => this.drained.push(ok));
      this.reopens += 1;
      await reopen();
    } finally {
      this.closed = false;
      for (const run of this.waiting.splice(0)) this.enter(run);
    }
  }

  private enter(run: () => void): void {
    if (this.closed) { this.waiting.push(run); return; }
    this.inFlight += 1;
    run();
  }

  private leave(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const ok of this.drained.splice(0)) ok();
  }

  /** An iterator whose native one is made on its first read, inside the gate. */
  private lazyIterator(db: object, make: () => NativeIterator): object {
    const it = Object.create(AbstractIterator.prototype) as Record<string, unknown>;
    AbstractIterator.call(it, db);
    let real: NativeIterator | null = null;
    let madeAt = -1;
    let seek: { target: unknown } | null = null;
    // A reopen ends every native iterator itself, and leveldown never calls back an end asked of an
    // iterator already ended: an iterator that straddled a reopen would hang its reader (a view read
    // during the recovery from a full disk did). Its next read fails instead; its end is answered here.
    const stale = () => real !== null && madeAt !== this.reopens;
    it['_next'] = (callback: Callback) => {
      this.enter(() => {
        try {
          if (!real) { real = make(); madeAt = this.reopens; if (seek) real._seek(seek.target); }
        } catch (err) { this.leave(); process.nextTick(callback, err); return; }
        if (stale()) { this.leave(); process.nextTick(callback, new Error('the store was reopened under this read: read again')); return; }
        real._next((...result: unknown[]) => { this.leave(); callback(...result); });
      });
    };
    it['_end'] = (callback: Callback) => { if (real && !stale()) real._end(callback); else process.nextTick(callback); };
    it['_seek'] = (target: unknown) => { if (real) real._seek(target); else seek = { target }; };
    return it;
  }
}
