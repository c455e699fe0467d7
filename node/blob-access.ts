// Who may download a file by its hash: whoever may see a document that names
// it (node/working-set.ts: everyone but the author is kept from another
// official's draft), or who uploaded it and has not attached it yet (the
// editor links a fresh upload before the draft is saved). A hash is not a
// capability: it is printed in events, logs and the city's records.
import type { Projection } from './projection.js';
import { viewIsOthersDraft, type Reader } from './working-set.js';

/** Fresh uploads remembered per node run; past this many the oldest are forgotten (they are attached by then, or abandoned). */
const RECENT_UPLOADS = 10_000;

export class BlobAccess {
  private readonly uploads = new Map<string, Set<string>>();

  constructor(private readonly projection: Projection) {}

  /** Records that `user` sent these bytes (also when they were stored already: they hold them). */
  uploaded(sha256: string, user: string): void {
    const users = this.uploads.get(sha256) ?? new Set<string>();
    users.add(user);
    this.uploads.delete(sha256);
    this.uploads.set(sha256, users);
    if (this.uploads.size > RECENT_UPLOADS) this.uploads.delete(this.uploads.keys().next().value!);
  }

  async mayRead(sha256: string, reader: Reader): Promise<boolean> {
    for (const id of this.projection.documentsWithFile(sha256)) {
      const view = this.projection.get(id);
      if (view && !viewIsOthersDraft(view, reader) && await this.projection.namesFile(id, sha256)) return true;
    }
    return this.uploads.get(sha256)?.has(reader.user) ?? false;
  }
}
