// Doctor check 2: do the rules run, on this server, for a ward? Reading the
// design document says what is installed, not whether the server's JavaScript
// engine can run it: on CouchDB with QuickJS the bundle failed at every write
// (500), which only a real write shows. So a throwaway ward is made as
// `city init` makes one, and its own user writes a record the rules accept,
// one they refuse, and tries to read another ward. The throwaway database(s)
// and user(s) are removed afterwards, also when a step fails.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { couchClient, initCity, type AdminCredentials } from './init.js';
import { wardDbName, wardUserName, type WardCredentials } from '../../sync/city-contract.js';
import { checkWrite } from '../../sync/write-rules.js';
import { fail, ok, reason, rerunInit, type DoctorFix, type DoctorResult } from './doctor-result.js';

type Couch = ReturnType<typeof couchClient>;
/** Every non-2xx status, so the ward's client hands back refusals instead of throwing. */
const ANY_STATUS = Array.from({ length: 300 }, (_, i) => 300 + i);
/** Marks the throwaway wards; `doctor-` plus random hex never names a real ward by accident. */
export const THROWAWAY_PREFIX = 'doctor-';

export interface SmokeOptions { url: string; admin: AdminCredentials; engine: string; wards: string[] }

export async function smokeTest(couch: Couch, o: SmokeOptions): Promise<DoctorResult[]> {
  const ward = `${THROWAWAY_PREFIX}${randomBytes(4).toString('hex')}`;
  const existing = o.wards.find((w) => !w.startsWith(THROWAWAY_PREFIX));
  const throwaways = existing ? [ward] : [ward, `${ward}-b`];
  const other = existing ?? `${ward}-b`;
  const outDir = mkdtempSync(join(tmpdir(), 'warddesk-doctor-'));
  const results: DoctorResult[] = [];
  try {
    await initCity({ url: o.url, admin: o.admin, wards: throwaways, outDir });
    const creds = JSON.parse(readFileSync(join(outDir, `${ward}.credentials.json`), 'utf8')) as WardCredentials;
    rmSync(outDir, { recursive: true, force: true });
    const asWard = couchClient(o.url, { name: creds.username, password: creds.password });
    results.push(await acceptedWrite(asWard, ward, o.engine), await refusedWrite(asWard, ward, other, o.engine), await isolation(asWard, o.url, other));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    for (const w of throwaways) {
      try { await removeWard(couch, w); } catch (err) {
        results.push(fail('smoke:cleanup', `không xóa được phường thử ${w}: ${reason(err)}`, `could not remove the throwaway ward ${w}: ${reason(err)}`, { vi: `xóa cơ sở dữ liệu ${wardDbName(w)} và người dùng ${wardUserName(w)}`, en: `delete database ${wardDbName(w)} and user ${wardUserName(w)}` }));
      }
    }
  }
  return results;
}

/** A profile the rules must accept: checked against write-rules.ts here first, so a refusal is the server's doing. */
async function acceptedWrite(asWard: Couch, ward: string, engine: string): Promise<DoctorResult> {
  const profile = { _id: 'user:doctor', type: 'user', username: 'doctor', fullName: 'WardDesk city doctor', title: '', role: 'specialist', active: true, updatedAt: new Date().toISOString() };
  expect(checkWrite(profile, null, { name: wardUserName(ward), roles: [] }, ward).ok, 'the smoke profile must pass the write rules');
  const r = await asWard<{ reason?: string }>('PUT', `/${wardDbName(ward)}/${profile._id}`, profile, ANY_STATUS);
  if (r.status === 201 || r.status === 202) return ok('smoke:accepted', 'người dùng phường ghi được bản ghi hợp lệ', 'the ward user can write a valid record');
  return unexpected('smoke:accepted', r, engine, { vi: 'bản ghi hợp lệ', en: 'a valid record' });
}

/** An event that is well formed but names another ward: only the ward check refuses it. */
async function refusedWrite(asWard: Couch, ward: string, other: string, engine: string): Promise<DoctorResult> {
  const event = (w: string) => ({
    _id: 'ev:out:00d0c70rcheck0:000000000000000', type: 'event', ward: w, docId: 'doc:out:00d0c70rcheck0', action: 'submit',
    at: new Date().toISOString(), actor: { user: 'doctor', role: 'specialist', device: '' }, data: {},
  });
  const ctx = { name: wardUserName(ward), roles: [] };
  expect(checkWrite(event(ward), null, ctx, ward).ok && !checkWrite(event(other), null, ctx, ward).ok, 'the smoke event must differ from an accepted one only by its ward');
  const forged = event(other);
  const r = await asWard<{ error?: string; reason?: string }>('PUT', `/${wardDbName(ward)}/${forged._id}`, forged, ANY_STATUS);
  if (r.status === 403 && r.body.error === 'forbidden') return ok('smoke:refused', `quy tắc từ chối sự kiện của phường khác (403: ${r.body.reason ?? ''})`, `the rules refuse an event of another ward (403: ${r.body.reason ?? ''})`);
  if (r.status === 201 || r.status === 202) {
    // The rules were installed a moment ago: the server does not run validate_doc_update at all.
    return fail('smoke:refused', 'máy chủ nhận sự kiện giả của phường khác: máy chủ không chạy validate_doc_update', 'the server stored a forged event of another ward: it does not run validate_doc_update', { vi: 'kiểm tra máy chủ truy vấn JavaScript của CouchDB ([query_servers], js_engine)', en: 'check CouchDB\'s JavaScript query server ([query_servers], js_engine)' });
  }
  return unexpected('smoke:refused', r, engine, { vi: 'sự kiện giả (phải bị từ chối 403)', en: 'a forged event (must be refused with 403)' });
}

async function isolation(asWard: Couch, url: string, other: string): Promise<DoctorResult> {
  const r = await asWard('GET', `/${encodeURIComponent(wardDbName(other))}/_all_docs?limit=1`, undefined, ANY_STATUS);
  if (r.status === 401 || r.status === 403) return ok('smoke:isolation', `người dùng phường không đọc được ${wardDbName(other)} (${r.status})`, `the ward user cannot read ${wardDbName(other)} (${r.status})`);
  return fail('smoke:isolation', `người dùng phường đọc được ${wardDbName(other)} (HTTP ${r.status})`, `the ward user can read ${wardDbName(other)} (HTTP ${r.status})`, rerunInit(url, other));
}

/** A write that did not go as the rules say: a 5xx or a wrong refusal is the engine's doing (the rules were installed a moment ago). */
function unexpected(check: string, r: { status: number; body: { reason?: string } }, engine: string, what: { vi: string; en: string }): DoctorResult {
  const said = String(r.body.reason ?? '').slice(0, 200);
  const fix = /quickjs/i.test(engine) ? QUICKJS_FIX : LOG_FIX;
  if (r.status >= 500) {
    return fail(check, `máy chủ lỗi ${r.status} khi chạy quy tắc ghi cho ${what.vi}: quy tắc không chạy được trong JavaScript của máy chủ này (${engine}) — ${said}`,
      `the server failed (${r.status}) running the write rules on ${what.en}: the rules do not run in this server's JavaScript (${engine}) — ${said}`, fix);
  }
  if (r.status === 403) {
    return fail(check, `quy tắc trên máy chủ (${engine}) từ chối ${what.vi} mà WardDesk chấp nhận: ${said}`, `the rules on the server (${engine}) refuse ${what.en} that WardDesk accepts: ${said}`, fix);
  }
  return fail(check, `ghi ${what.vi}: HTTP ${r.status} ${said}`, `writing ${what.en}: HTTP ${r.status} ${said}`);
}

const QUICKJS_FIX: DoctorFix = {
  vi: 'chạy quy tắc bằng SpiderMonkey ([couchdb] js_engine = spidermonkey) cho tới khi quy tắc chạy được trong QuickJS',
  en: 'run the rules in SpiderMonkey ([couchdb] js_engine = spidermonkey) until they run in QuickJS',
};
const LOG_FIX: DoctorFix = { vi: 'xem lỗi validate_doc_update trong nhật ký CouchDB (couch.log)', en: 'look for the validate_doc_update error in the CouchDB log (couch.log)' };

async function removeWard(couch: Couch, ward: string): Promise<void> {
  await couch('DELETE', `/${encodeURIComponent(wardDbName(ward))}`, undefined, [404]);
  const userPath = `/_users/${encodeURIComponent(`org.couchdb.user:${wardUserName(ward)}`)}`;
  const user = await couch<{ _rev?: string }>('GET', userPath, undefined, [404]);
  if (user.status === 200 && user.body._rev) await couch('DELETE', `${userPath}?rev=${encodeURIComponent(user.body._rev)}`);
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`city doctor is out of step with sync/write-rules.ts: ${what}`);
}
