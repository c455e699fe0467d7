// Writes a file so that a crash leaves the old content or the new, never half:
// a temp file beside it, flushed, then renamed over it. Owner-only by default
// (keys, PIN counters and revocation lists live here).
import { randomUUID } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';

export function writeAtomic(path: string, bytes: Buffer, mode = 0o600): void {
  const tmp = `${path}.${randomUUID()}.tmp`;
  writeFileSync(tmp, bytes, { mode, flush: true });
  renameSync(tmp, path);
}
