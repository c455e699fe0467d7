// Persistent storage: without it a browser may evict the working set and the
// outbox under storage pressure (CHT's advice: ask, and show what is left).
interface StorageManagerLike { persist?(): Promise<boolean>; persisted?(): Promise<boolean>; estimate?(): Promise<{ usage?: number; quota?: number }> }

function storageManager(): StorageManagerLike | null {
  return (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator?.storage ?? null;
}

/** Asks once per start; false outside a browser or when refused. */
export async function askPersistentStorage(): Promise<boolean> {
  const sm = storageManager();
  try {
    if (!sm?.persist) return false;
    if (sm.persisted && await sm.persisted()) return true;
    return await sm.persist();
  } catch { return false; }
}

export async function storageEstimate(persisted: boolean): Promise<{ usage: number; quota: number; persisted: boolean } | null> {
  const sm = storageManager();
  try {
    if (!sm?.estimate) return null;
    const e = await sm.estimate();
    return { usage: e.usage ?? 0, quota: e.quota ?? 0, persisted };
  } catch { return null; }
}
