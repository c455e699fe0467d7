// Upload and download of files (scans, PDFs, images), addressed by sha-256.
import express, { Router } from 'express';
import { wardError } from '../../sync/errors.js';
import { isBlobType, type Blobs } from '../blobs.js';
import type { BlobAccess } from '../blob-access.js';
import { actorOf, caller } from './context.js';

const SHA256 = /^[0-9a-f]{64}$/;
const EXTENSION: Record<string, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' };

/**
 * The name a download is saved under: the one the app asks for (?name=, e.g.
 * the attachment's or "01/QĐ-UBND"), made safe for file systems, with the
 * extension of what the file really is. A hash is no name for an official.
 */
export function downloadName(asked: unknown, sha: string, contentType: string): string {
  const ext = EXTENSION[contentType] ?? 'bin';
  const base = typeof asked === 'string'
    ? asked.normalize('NFC').replace(/\.(pdf|png|jpe?g)$/iu, '').replace(/[\p{Cc}\p{Cf}"\\/:*?<>|]+/gu, '-').replace(/\s+/gu, ' ').trim().slice(0, 120)
    : '';
  return `${base || sha.slice(0, 12)}.${ext}`;
}

/** RFC 6266: an ASCII fallback for old clients and the UTF-8 name for the rest. */
function contentDisposition(name: string): string {
  const ascii = name.normalize('NFD').replace(/[\u0300-\u036f]/gu, '').replace(/đ/gu, 'd').replace(/Đ/gu, 'D').replace(/[^\x20-\x7e]/gu, '_').replace(/["\\]/gu, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function blobRouter(blobs: Blobs, access: BlobAccess, limitBytes: number): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: limitBytes });
  router.post('/blobs', raw, async (req, res) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!isBlobType(type)) throw wardError('unsupported_media_type');
    if (!Buffer.isBuffer(req.body)) throw wardError('bad_attachment');
    const meta = await blobs.put(actorOf(req, res), req.body, type);
    access.uploaded(meta.sha256, caller(res).user.username);
    res.status(201).json(meta);
  });
  router.get('/blobs/:sha256', async (req, res) => {
    const sha = String(req.params['sha256']);
    if (!SHA256.test(sha)) throw wardError('attachment_not_found');
    // Answered as absent, like another official's draft: a file's existence is its document's.
    const c = caller(res);
    if (!await access.mayRead(sha, { user: c.user.username, role: c.user.role })) throw wardError('attachment_not_found');
    const blob = await blobs.read(sha);
    if (!blob) throw wardError('attachment_not_found');
    res.set('Content-Type', blob.contentType);
    res.set('Content-Disposition', contentDisposition(downloadName(req.query['name'], sha, blob.contentType)));
    res.set('Cache-Control', 'private, max-age=31536000, immutable');
    res.send(blob.bytes);
  });
  return router;
}
