// Running out of the heap's cap kills a Node process outright, with every
// official's request in it. So past a share of the cap the node first drops
// what it can (the cache of whole documents), and if the heap is still that
// full, refuses the request with a clear error instead of starting work that
// could push it over; health and login keep answering, and the node recovers
// by itself as the garbage collector frees memory.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { wardError } from '../sync/errors.js';

export class MemoryGuard {
  private relieved = 0;

  constructor(private readonly percent: number, private readonly relieve: () => void, private readonly heapPercent: () => number = usedHeapPercent) {}

  /** Throws memory_low when the heap is past the guard even after relieving it. */
  check(): void {
    if (this.heapPercent() < this.percent) return;
    this.relieve();
    this.relieved += 1;
    if (this.heapPercent() >= this.percent) throw wardError('memory_low');
  }

  /** How many times the cache was dropped for memory (for the health report). */
  get pressureEvents(): number { return this.relieved; }
}

function usedHeapPercent(): number {
  const h = getHeapStatistics();
  return (100 * h.used_heap_size) / h.heap_size_limit;
}

let fullCollection: (() => void) | null = null;

/**
 * A full garbage collection, now. Reading the projection's snapshot leaves
 * about as much garbage as the view it builds (the 75 MB file at 200,000
 * documents, and what was copied out of it), and with no requests V8 frees it
 * only 30–45 s later: resident memory stays at its boot peak meanwhile. Once,
 * after a boot, not on a request's path.
 */
export function collectGarbage(): void {
  if (!fullCollection) {
    // Node offers gc() only behind --expose-gc; the flag set now gives it to a fresh context.
    setFlagsFromString('--expose-gc');
    fullCollection = runInNewContext('gc') as () => void;
  }
  fullCollection();
}
