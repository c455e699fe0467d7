// `warddesk city doctor <url>`: checks a city CouchDB the way the wards will
// use it and says what to fix. Runs with the city administrator's
// credentials, like `city init`; changes nothing but a throwaway ward it
// removes again (doctor-smoke.ts). Each check is guarded: an error becomes a
// FAIL line that names it, so one broken check never hides the others, and an
// unreachable server is one clear FAIL instead of a stack trace.
import { couchClient, type AdminCredentials } from './init.js';
import { fail, reason, warn, type DoctorResult } from './doctor-result.js';
import { checkServer, type ServerFacts } from './doctor-server.js';
import { checkLimits } from './doctor-limits.js';
import { THROWAWAY_PREFIX, smokeTest } from './doctor-smoke.js';
import { checkRules, checkSecurity, wardCodes } from './doctor-wards.js';

export interface DoctorOptions { url: string; admin: AdminCredentials; timeoutMs?: number }

export async function runDoctor(o: DoctorOptions): Promise<DoctorResult[]> {
  const unreachable = await login(o);
  if (unreachable) return [unreachable];
  const couch = couchClient(o.url, o.admin);
  const results: DoctorResult[] = [];
  const guarded = async <T>(check: string, run: () => Promise<T>, fallback: T): Promise<T> => {
    try { return await run(); } catch (err) {
      results.push(fail(check, `không kiểm tra được (${reason(err)})`, `could not be checked (${reason(err)})`));
      return fallback;
    }
  };
  const server = await guarded<ServerFacts | null>('server', () => checkServer(couch), null);
  if (server) results.push(server.result);
  const wards = await guarded('wards', () => wardCodes(couch), []);
  const stale = wards.filter((w) => w.startsWith(THROWAWAY_PREFIX));
  if (stale.length > 0) {
    results.push(warn('smoke:leftover', `còn phường thử của lần kiểm tra trước bị ngắt (hoặc đang chạy): ${stale.join(', ')}`, `throwaway wards left by an interrupted doctor run (or one running now): ${stale.join(', ')}`,
      { vi: 'xóa các cơ sở dữ liệu ward_doctor-* và người dùng ward-doctor-* đó', en: 'delete those ward_doctor-* databases and ward-doctor-* users' }));
  }
  results.push(...await guarded('smoke', () => smokeTest(couch, { url: o.url, admin: o.admin, engine: server?.engine ?? '?', wards }), []));
  results.push(...await guarded('security', () => checkSecurity(couch, o.url, wards), []));
  results.push(...await guarded('limits', () => checkLimits(couch, server?.kind ?? 'other'), []));
  results.push(...await guarded('rules', () => checkRules(couch, o.url, wards), []));
  return results;
}

/** Reaches the server and logs in as its administrator, or says in one FAIL why not. */
async function login(o: DoctorOptions): Promise<DoctorResult | null> {
  let base: URL;
  try { base = new URL(o.url); } catch { return fail('server', `địa chỉ không hợp lệ: ${o.url}`, `not a URL: ${o.url}`); }
  if (base.username || base.password) return fail('server', 'không ghi thông tin đăng nhập trong địa chỉ; dùng WARDDESK_CITY_ADMIN', 'put no credentials in the URL; use WARDDESK_CITY_ADMIN');
  const authorization = `Basic ${Buffer.from(`${o.admin.name}:${o.admin.password}`).toString('base64')}`;
  let res: Response;
  try {
    res = await fetch(`${o.url.replace(/\/+$/, '')}/_session`, { headers: { authorization, accept: 'application/json' }, signal: AbortSignal.timeout(o.timeoutMs ?? 15_000) });
  } catch (err) {
    return fail('server', `không kết nối được máy chủ thành phố ${o.url} (${reason(err)})`, `cannot reach the city server at ${o.url} (${reason(err)})`, { vi: 'kiểm tra địa chỉ, cổng và mạng; máy chủ có đang chạy không?', en: 'check the address, the port and the network; is the server running?' });
  }
  const body = await res.json().catch(() => null) as { userCtx?: { roles?: string[] } } | null;
  if (res.status === 401 || (res.ok && !body?.userCtx?.roles?.includes('_admin'))) {
    return fail('server', `${o.admin.name} không đăng nhập được với quyền quản trị máy chủ (HTTP ${res.status})`, `${o.admin.name} cannot log in as a server administrator (HTTP ${res.status})`, { vi: 'đặt WARDDESK_CITY_ADMIN=tên:mật-khẩu của quản trị viên CouchDB', en: 'set WARDDESK_CITY_ADMIN=name:password of a CouchDB administrator' });
  }
  if (!res.ok) return fail('server', `máy chủ trả lời HTTP ${res.status} cho /_session`, `the server answered HTTP ${res.status} to /_session`);
  return null;
}
