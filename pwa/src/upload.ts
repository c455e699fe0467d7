// Files sent to the ward node with their progress. A scan can be 50 MB over a
// ward's Wi-Fi, so the person sees bytes and percent and can cancel. fetch
// reports no upload progress, hence XMLHttpRequest, plugged into api.ts as a
// Transport so the anti-forgery token, its retry and the server's refusals are
// handled exactly as for every other call. Uploads under way are listed here
// for the sync bar (TRANSFER_EVENT on window after every change).
import { ApiError, callVia, type BlobMeta, type Transport } from './api.js';
import { both, type Lang, type MessageKey } from './i18n.js';
import { megabytes, percent } from './sizes.js';

export interface Transfer {
  readonly id: number;
  /** The file's name as it will be attached. */
  readonly name: string;
  /** Bytes the browser has sent so far, of `total`. */
  readonly loaded: number;
  readonly total: number;
  /** The stored file, or an ApiError in both languages (`upload_cancelled`, `upload_interrupted`, `body_too_large`, or the node's own). */
  readonly done: Promise<BlobMeta>;
  cancel(): void;
}

/** Fired on window when an upload starts, moves or ends. */
export const TRANSFER_EVENT = 'wd-transfer';

const running = new Map<number, Transfer>();
let nextId = 1;
const changed = () => window.dispatchEvent(new CustomEvent(TRANSFER_EVENT));

/** Uploads under way on this page, oldest first. */
export const transfers = (): Transfer[] => [...running.values()];

/** A name safe to attach: no folder separators. */
export const attachmentName = (fileName: string): string => fileName.replace(/[/\\]/g, '_');

/** Starts sending `file` to POST /api/blobs. */
export function upload(file: Blob, name: string): Transfer {
  return new Upload(file, name);
}

export const isCancelled = (e: unknown): boolean => e instanceof ApiError && e.code === 'upload_cancelled';

/** "Đang tải lên 12,3 / 48,0 MB (26%)" in the reader's language. */
export const progressLabel = (t: Pick<Transfer, 'loaded' | 'total'>, lead: string): string =>
  `${lead} ${megabytes(t.loaded)} / ${megabytes(t.total)} MB (${percent(t.loaded, t.total)})`;

class Upload implements Transfer {
  readonly id = nextId++;
  loaded = 0;
  total: number;
  readonly done: Promise<BlobMeta>;
  private xhr: XMLHttpRequest | null = null;
  private cancelled = false;

  constructor(file: Blob, readonly name: string) {
    this.total = file.size;
    running.set(this.id, this);
    changed();
    this.done = callVia<BlobMeta>(this.transport, 'POST', '/blobs', file)
      .catch((e: unknown) => { throw this.explain(e); })
      .finally(() => { running.delete(this.id); changed(); });
  }

  cancel(): void {
    this.cancelled = true;
    this.xhr?.abort();
  }

  /** Called once per attempt (api.ts sends again after a refreshed anti-forgery token). */
  private readonly transport: Transport = (url, init) => new Promise((resolve, reject) => {
    if (this.cancelled) { reject(this.error('upload_cancelled', 'upload_cancelled', 0)); return; }
    const xhr = new XMLHttpRequest();
    this.xhr = xhr;
    this.loaded = 0;
    xhr.open(init.method, url);
    for (const [name, value] of Object.entries(init.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      this.loaded = e.loaded;
      if (e.lengthComputable) this.total = e.total;
      changed();
    };
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    // api.ts turns a plain Error into network_unreachable (and tells the sync bar); explain() then names the file.
    xhr.onerror = () => reject(new Error('upload connection lost'));
    xhr.onabort = () => reject(this.error('upload_cancelled', 'upload_cancelled', 0));
    // The body is the file itself (a Blob), which XMLHttpRequest sends as is.
    xhr.send(init.body as Blob | null);
  });

  /** The node's refusals stay as they are, except the two a person needs said with the file's name and size. */
  private explain(e: unknown): unknown {
    if (!(e instanceof ApiError)) return e;
    // A 413 from a proxy in front of the node has no JSON body: the status alone says it.
    if (e.code === 'body_too_large' || e.status === 413) return this.error('body_too_large', 'upload_too_large', 413);
    if (e.code === 'network_unreachable') return this.error('upload_interrupted', 'upload_interrupted', 503);
    return e;
  }

  private error(code: string, key: MessageKey, status: number): ApiError {
    const values = (lang: Lang) => ({ name: this.name, size: megabytes(this.total, lang), sent: megabytes(this.loaded, lang) });
    const m = both(key, values('vi'), values('en'));
    return new ApiError(code, status, m.vi, m.en);
  }
}
