// Doctor check 4: CouchDB's size limits against what WardDesk writes. Too low
// and a ward's records are refused with 413 and its sync stalls; unset or very
// high and any ward user may fill the city's disk with one request. The
// embedded server has no such settings (express-pouchdb has no
// `_node/_local/_config`), so there the check does not apply.
import type { couchClient } from './init.js';
import { MAX_CHUNK_BYTES } from '../../sync/city-contract.js';
import { ok, warn, type DoctorResult } from './doctor-result.js';
import type { ServerKind } from './doctor-server.js';

type Couch = ReturnType<typeof couchClient>;
const MiB = 1024 * 1024;
/** The largest file WardDesk accepts (BlobRecord.size); files stored before chunking travel as one attachment. */
const LARGEST_FILE = 50 * MiB;

interface Limit { section: string; key: string; least: number; most: number; recommended: number; why: { vi: string; en: string } }

const LIMITS: readonly Limit[] = [
  // A revocation list carries up to 2 MB of base64; a blob record of a 50 MiB file lists 12,800 chunk ids.
  { section: 'couchdb', key: 'max_document_size', least: 4 * MiB, most: 64 * MiB, recommended: 8_000_000, why: { vi: 'bản ghi lớn nhất vài MB', en: 'the largest records are a few MB' } },
  { section: 'couchdb', key: 'max_attachment_size', least: MAX_CHUNK_BYTES, most: LARGEST_FILE, recommended: LARGEST_FILE, why: { vi: `mỗi mảnh tệp tối đa ${MAX_CHUNK_BYTES / MiB} MiB, tệp cũ chưa chia mảnh tối đa 50 MiB`, en: `a chunk is at most ${MAX_CHUNK_BYTES / MiB} MiB, a file stored before chunking at most 50 MiB` } },
  // A file stored before chunking goes up base64 (+33 %) in one request.
  { section: 'chttpd', key: 'max_http_request_size', least: 8 * MiB, most: 256 * MiB, recommended: 128 * MiB, why: { vi: 'một yêu cầu mang một bản ghi hoặc một tệp cũ (base64)', en: 'one request carries a record or an older file (base64)' } },
];

export async function checkLimits(couch: Couch, kind: ServerKind): Promise<DoctorResult[]> {
  if (kind === 'embedded') {
    return [ok('limits', 'không áp dụng cho thành phố nhúng (express-pouchdb không có giới hạn kích thước để cấu hình)', 'not applicable to the embedded city (express-pouchdb has no size limits to configure)')];
  }
  const results: DoctorResult[] = [];
  for (const limit of LIMITS) results.push(judge(limit, await readSetting(couch, limit)));
  return results;
}

async function readSetting(couch: Couch, limit: Limit): Promise<string | null> {
  const r = await couch<unknown>('GET', `/_node/_local/_config/${limit.section}/${limit.key}`, undefined, [404]);
  return r.status === 200 && typeof r.body === 'string' ? r.body : null;
}

function judge(limit: Limit, raw: string | null): DoctorResult {
  const name = `${limit.section}/${limit.key}`;
  const check = `limits:${name}`;
  const fix = { vi: `đặt [${limit.section}] ${limit.key} = ${limit.recommended} (${limit.why.vi})`, en: `set [${limit.section}] ${limit.key} = ${limit.recommended} (${limit.why.en})` };
  const bytes = raw === null || raw.trim() === 'infinity' ? null : Number.parseInt(raw, 10);
  if (bytes === null || !Number.isFinite(bytes)) {
    return warn(check, `${name} chưa đặt (${raw ?? 'mặc định'}): không giới hạn, một người dùng phường có thể làm đầy ổ đĩa`, `${name} is not set (${raw ?? 'default'}): no limit, one ward user could fill the disk`, fix);
  }
  const size = `${name} = ${bytes} (${(bytes / MiB).toFixed(1)} MiB)`;
  if (bytes < limit.least) return warn(check, `${size}: quá nhỏ, bản ghi của phường sẽ bị từ chối (413)`, `${size}: too small, the wards' records would be refused (413)`, fix);
  if (bytes > limit.most) return warn(check, `${size}: quá lớn, một người dùng phường có thể làm đầy ổ đĩa`, `${size}: too large, one ward user could fill the disk`, fix);
  return ok(check, size, size);
}
