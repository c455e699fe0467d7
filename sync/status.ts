// Honest sync status, computed from what the city confirmed — never from the
// absence of errors (CHT's users were told "all synced" with data still
// pending). "Confirmed" means the city stored the replication checkpoint for
// that sequence, which PouchDB writes only after the city accepted the batch.
// A stopped replicator (the city refused the credentials, or sync is not
// configured) is never up to date, whatever it confirmed before it stopped:
// the status says it stopped, why, and what to do.
import { ERRORS, errorAction, type ErrorCode } from './errors.js';

/** What the replicator knows; persisted fields survive a restart of the node. */
export interface SyncFacts {
  configured: boolean;
  /** running: a run is under way; waiting: next run scheduled; stopped: fatal error, only "sync now" retries. */
  phase: 'idle' | 'running' | 'waiting' | 'stopped';
  /** Local sequence up to which the city confirmed the push (persisted). */
  confirmedSeq: number | null;
  /** Local sequence up to which every file chunk is confirmed at the city (persisted). */
  chunkSeq: number | null;
  localSeq: number;
  /** Replicated documents changed locally after confirmedSeq and chunks after chunkSeq, and their size (JSON + attachments). */
  pendingDocs: number;
  pendingBytes: number;
  /** Did the last attempt reach the city at all? null before the first attempt. */
  reachable: boolean | null;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  nextRunAt: number | null;
  lastError: { code: ErrorCode; at: number; detail?: string } | null;
  /** Documents the city refused (validate_doc_update), persisted until an administrator resolves them. */
  refused: { id: string; reason: string }[];
  /** Measured over the last run that moved data. */
  rate: { docsPerSecond: number; bytesPerSecond: number } | null;
  batchSize: number;
  /** Chunks of files the city sent that it holds too large or corrupt: skipped by the inbox pull (persisted). */
  badInbox: { blob: string; chunk: string; reason: string }[];
}

export interface SyncStatus {
  configured: boolean;
  online: boolean | null;
  phase: SyncFacts['phase'];
  upToDate: boolean;
  lastSuccessfulSync: string | null;
  lastAttempt: string | null;
  nextRun: string | null;
  pending: { documents: number; bytes: number; localSeq: number; confirmedSeq: number | null; chunkSeq: number | null };
  refused: { count: number; ids: string[] };
  rate: { docsPerSecond: number; bytesPerSecond: number } | null;
  batchSize: number;
  /** CHT's scale: under 3 min since the last success is good, 3–6 tolerable, more is frustrating. */
  health: 'good' | 'tolerable' | 'frustrating' | 'never';
  lastError: { code: ErrorCode; at: string; vi: string; en: string } | null;
  /** While sync is stopped: what a person can do about it (from the error catalogue). */
  action: { vi: string; en: string } | null;
  /** Files from the city that cannot be received whole (a chunk too large or not matching its hash). */
  badInbox: { count: number; files: string[] };
  summary: { vi: string; en: string };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function computeStatus(f: SyncFacts, now: number): SyncStatus {
  // Up to date only when the city confirmed everything we hold, refused nothing, and sync still runs.
  const upToDate = f.configured && f.phase !== 'stopped' && f.confirmedSeq !== null && f.pendingDocs === 0 && f.refused.length === 0;
  const age = f.lastSuccessAt === null ? null : now - f.lastSuccessAt;
  const health = age === null ? 'never' : age < 3 * 60_000 ? 'good' : age < 6 * 60_000 ? 'tolerable' : 'frustrating';
  const lastError = f.lastError ? { code: f.lastError.code, at: new Date(f.lastError.at).toISOString(), vi: ERRORS[f.lastError.code].vi, en: ERRORS[f.lastError.code].en } : null;
  const action = !f.configured ? stopAction('sync_not_configured') : f.phase === 'stopped' ? stopAction(f.lastError?.code ?? 'sync_failed') : null;
  const badFiles = [...new Set(f.badInbox.map((b) => b.blob))];
  return {
    configured: f.configured, online: f.reachable, phase: f.phase, upToDate,
    lastSuccessfulSync: iso(f.lastSuccessAt), lastAttempt: iso(f.lastAttemptAt), nextRun: iso(f.nextRunAt),
    pending: { documents: f.pendingDocs, bytes: f.pendingBytes, localSeq: f.localSeq, confirmedSeq: f.confirmedSeq, chunkSeq: f.chunkSeq },
    refused: { count: f.refused.length, ids: f.refused.slice(0, 50).map((r) => r.id) },
    rate: f.rate, batchSize: f.batchSize, health, lastError, action, badInbox: { count: badFiles.length, files: badFiles.slice(0, 50) }, summary: summarize(f, upToDate),
  };
}

function summarize(f: SyncFacts, upToDate: boolean): { vi: string; en: string } {
  if (!f.configured) return { vi: ERRORS.sync_not_configured.vi, en: ERRORS.sync_not_configured.en };
  if (f.phase === 'stopped') return stoppedSummary(f.lastError?.code ?? 'sync_failed');
  if (f.refused.length > 0) return { vi: `${f.refused.length} văn bản bị thành phố từ chối; cần quản trị viên kiểm tra.`, en: `${f.refused.length} document(s) refused by the city; an administrator must look into it.` };
  if (upToDate) return { vi: 'Thành phố đã xác nhận nhận đủ mọi dữ liệu của phường.', en: 'The city has confirmed receipt of all of the ward\'s data.' };
  const pending = f.confirmedSeq === null && f.pendingDocs === 0
    ? { vi: 'Thành phố chưa xác nhận dữ liệu nào.', en: 'The city has not confirmed anything yet.' }
    : { vi: `Còn ${f.pendingDocs} mục chờ thành phố xác nhận.`, en: `${f.pendingDocs} item(s) still waiting for the city to confirm.` };
  if (f.reachable === false) return { vi: `Mất kết nối tới thành phố. ${pending.vi}`, en: `No connection to the city. ${pending.en}` };
  if (f.phase === 'running') return { vi: `Đang đồng bộ. ${pending.vi}`, en: `Syncing. ${pending.en}` };
  return pending;
}

/** "Sync stopped: <why>. <what to do>", for a replicator that will not run again until "Sync now". */
function stoppedSummary(code: ErrorCode): { vi: string; en: string } {
  const action = stopAction(code);
  return { vi: `Đồng bộ với thành phố đã dừng: ${ERRORS[code].vi} ${action.vi}`, en: `Sync with the city has stopped: ${ERRORS[code].en} ${action.en}` };
}

/** What to do about an error that stopped sync: the catalogue's advice, else tell the administrator. */
export function stopAction(code: ErrorCode): { vi: string; en: string } {
  return errorAction(code) ?? { vi: 'Hãy báo quản trị viên, rồi bấm "Đồng bộ ngay".', en: 'Tell the administrator, then press "Sync now".' };
}
