// The backup's on-disk format and the streaming readers and writers both
// sides share. A backup is a folder (0700, files 0600: it holds password
// hashes and PIN-encrypted keys):
//
//   manifest.json     written last: format, counts, sizes and SHA-256 of every file
//   docs.ndjson       one line per document revision (every leaf, with its
//                     revision history); attachments are listed without data
//   docs.bin          the attachments' raw bytes, in the order the lines list them
//   secrets.ndjson    the same for the secrets store (sessions left out)
//   secrets.bin
//   files/…           the data directory's other files (key stores, settings)
//
// Bytes are never base64 inside JSON and never gathered into one string, so
// memory stays bounded by one batch of documents (a few MB) whatever the size
// of the ward: the old format built each database as one string and died at
// ~400 MB of files ("Invalid string length"). Written by hand on node:fs
// because the pieces are simple (buffered sequential reads and writes with a
// running hash) and a tar library would add a dependency for no gain.
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

export const BACKUP_FORMAT = 'warddesk-backup/2';
/** The first format (one NDJSON per database, attachments inline in base64): still restored. */
export const BACKUP_FORMAT_V1 = 'warddesk-backup/1';
export const DATABASES = ['docs', 'secrets'] as const;
export type DbName = (typeof DATABASES)[number];
/** Owner only: a backup holds password hashes and key stores. */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export interface DbManifest {
  documents: number;
  /** SHA-256 of the NDJSON file. */
  sha256: string;
  bytes?: number;
  /** The attachment stream (format 2). */
  attachments?: { count: number; bytes: number; sha256: string };
  updateSeq: number | string;
}
export interface FileEntry { path: string; size: number; sha256: string }
export interface Manifest {
  format: string;
  createdAt: string;
  ward: string | null;
  databases: Record<DbName, DbManifest>;
  /** Format 1: top-level names only; format 2: every file with its hash. */
  files: string[] | FileEntry[];
}

export type BackupErrorCode = 'node_running' | 'not_a_backup' | 'backup_corrupt' | 'target_not_empty' | 'no_data' | 'restore_running';

/** A refusal the CLI prints as is: its message is in Vietnamese, then English. */
export class BackupError extends Error {
  constructor(readonly code: BackupErrorCode, message: string) {
    super(message);
  }
}

export function corrupt(what: string, whatVi: string): BackupError {
  return new BackupError('backup_corrupt', `Bản sao lưu bị hỏng hoặc không đầy đủ (${whatVi}): không khôi phục gì. / The backup is damaged or incomplete (${what}): nothing was restored.`);
}

/** CouchDB's attachment digest: `md5-` and the base64 MD5 of the bytes. */
export function attachmentDigest(bytes: Uint8Array): string {
  return `md5-${createHash('md5').update(bytes).digest('base64')}`;
}

const FLUSH_BYTES = 1 << 20;

/** Appends to a new file (0600) through a 1 MB buffer, hashing what it writes; fsyncs on close. */
export class HashingWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;
  private constructor(private readonly handle: FileHandle) {}

  static async create(path: string): Promise<HashingWriter> {
    const handle = await open(path, 'wx', FILE_MODE);
    await handle.chmod(FILE_MODE); // the umask cannot widen it, but a restrictive one may not narrow it either: say it.
    return new HashingWriter(handle);
  }

  async write(data: string | Uint8Array): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.hash.update(buf);
    this.bytes += buf.length;
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.handle.write(all);
  }

  /** Flushes, fsyncs and closes; returns the SHA-256 of everything written. */
  async close(): Promise<string> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    return this.hash.digest('hex');
  }

  async abort(): Promise<void> { await this.handle.close().catch(() => undefined); }
}

/** Reads a file sequentially (lines or exact byte counts) through a bounded buffer, hashing what it consumes. */
export class HashingReader {
  private buf = Buffer.alloc(0);
  private eof = false;
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;
  private constructor(private readonly handle: FileHandle, private readonly name: string) {}

  static async open(path: string, name: string): Promise<HashingReader> {
    return new HashingReader(await open(path, 'r'), name);
  }

  private async fill(): Promise<boolean> {
    if (this.eof) return false;
    const chunk = Buffer.allocUnsafe(FLUSH_BYTES);
    const { bytesRead } = await this.handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) { this.eof = true; return false; }
    this.buf = this.buf.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([this.buf, chunk.subarray(0, bytesRead)]);
    return true;
  }

  private take(n: number): Buffer {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.hash.update(out);
    this.bytes += out.length;
    return out;
  }

  /** The next line without its newline, or null at the end; a line longer than `maxBytes` is damage. */
  async line(maxBytes: number): Promise<string | null> {
    let from = 0;
    for (;;) {
      const at = this.buf.indexOf(10, from);
      if (at >= 0) { const line = this.take(at + 1); return line.toString('utf8', 0, at); }
      from = this.buf.length;
      if (this.buf.length > maxBytes) throw corrupt(`${this.name}: a line longer than ${maxBytes} bytes`, `${this.name}: dòng dài quá ${maxBytes} byte`);
      if (!(await this.fill())) {
        if (this.buf.length === 0) return null;
        throw corrupt(`${this.name} ends in the middle of a line`, `${this.name} bị cắt giữa dòng`);
      }
    }
  }

  /** Exactly `n` bytes (a copy, so the caller may keep it), or a "truncated" refusal. */
  async exactly(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (!(await this.fill())) throw corrupt(`${this.name} is truncated`, `${this.name} bị cắt cụt`);
    }
    return Buffer.from(this.take(n));
  }

  /** True when every byte of the file was consumed. */
  async atEnd(): Promise<boolean> { return this.buf.length === 0 && !(await this.fill()); }

  digest(): string { return this.hash.digest('hex'); }

  async close(): Promise<void> { await this.handle.close().catch(() => undefined); }
}
