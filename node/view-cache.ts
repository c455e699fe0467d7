// A bounded least-recently-used map: the full records and events of the
// documents being worked on, so opening or acting on one reads the store once.
// Bounded by count because a document's size varies little next to the
// budget (a few KB against 300 MB for the whole node).

export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  /** Entries that must stay whatever their recency (how many holders each): see Projection.hold. */
  private readonly pins = new Map<K, number>();

  constructor(private readonly max: number) {}

  get size(): number { return this.entries.size; }

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
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size <= this.max) return;
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.max) break;
      if (!this.pins.has(k)) this.entries.delete(k);
    }
  }

  pin(key: K): void { this.pins.set(key, (this.pins.get(key) ?? 0) + 1); }

  unpin(key: K): void {
    const n = (this.pins.get(key) ?? 0) - 1;
    if (n > 0) this.pins.set(key, n); else this.pins.delete(key);
  }

  delete(key: K): void { this.entries.delete(key); }

  /** Drops every entry not pinned. */
  clear(): void { for (const k of this.entries.keys()) if (!this.pins.has(k)) this.entries.delete(k); }
}
