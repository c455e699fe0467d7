// A bounded least-recently-used map: the full records and events of the
// documents being worked on, so opening or acting on one reads the store once.
// Bounded by count and, with `weigh`, by bytes: a document with a long body
// and many events weighs ten of the usual, and the node's budget is 300 MB
// in all (docs/decisions/0011).

export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  /** Entries that must stay whatever their recency (how many holders each): see Projection.hold. */
  private readonly pins = new Map<K, number>();

  private readonly weights = new Map<K, number>();
  private held = 0;

  constructor(private readonly max: number, private readonly maxBytes = Number.POSITIVE_INFINITY, private readonly weigh: (value: V) => number = () => 0) {}

  get size(): number { return this.entries.size; }
  /** What the entries weigh together (by `weigh`). */
  get bytes(): number { return this.held; }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Map keeps insertion order: re-inserting makes this the most recent.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Without touching recency: for updating an entry in place. */
  peek(key: K): V | undefined { return this.entries.get(key); }

  set(key: K, value: V): void {
    this.delete(key);
    this.entries.set(key, value);
    const weight = this.weigh(value);
    this.weights.set(key, weight);
    this.held += weight;
    if (this.entries.size <= this.max && this.held <= this.maxBytes) return;
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.max && this.held <= this.maxBytes) break;
      // The entry just set stays, however heavy: Projection.hold pins it right after.
      if (!this.pins.has(k) && k !== key) this.delete(k);
    }
  }

  /** After changing an entry in place: weighs it again. */
  reweigh(key: K): void { const v = this.entries.get(key); if (v !== undefined) this.set(key, v); }

  pin(key: K): void { this.pins.set(key, (this.pins.get(key) ?? 0) + 1); }

  unpin(key: K): void {
    const n = (this.pins.get(key) ?? 0) - 1;
    if (n > 0) this.pins.set(key, n); else this.pins.delete(key);
  }

  delete(key: K): void {
    if (!this.entries.delete(key)) return;
    this.held -= this.weights.get(key) ?? 0;
    this.weights.delete(key);
  }

  /** Drops every entry not pinned. */
  clear(): void { for (const k of this.entries.keys()) if (!this.pins.has(k)) this.delete(k); }
}

/**
 * About what a JSON-shaped value takes on the heap: two bytes a character
 * (Vietnamese text is not one-byte), a few words a property. An estimate for
 * bounding a cache, cheaper than serialising the value.
 */
export function heapBytes(value: unknown): number {
  if (typeof value === 'string') return 16 + 2 * value.length;
  if (value === null || typeof value !== 'object') return 8;
  let n = 32;
  if (Array.isArray(value)) for (const v of value) n += 8 + heapBytes(v);
  else for (const k in value) n += 16 + heapBytes((value as Record<string, unknown>)[k]);
  return n;
}
