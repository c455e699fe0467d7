// Doctor checks 3 and 5, per ward database: `_security` exactly as `city init`
// sets it (the ward's user its only member, no member roles, admins only
// _admin), and the design document holding the rules `city init` would
// install today. A database that drifted either way is open to other users
// or judges writes by older rules; both are repaired by running init again.
import type { couchClient } from './init.js';
import { DESIGN_DOC_ID, RULES_VERSION, WARD_CODE, wardDbName, wardUserName } from '../../sync/city-contract.js';
import { wardDesignDoc } from '../../sync/validate-doc-update.js';
import { fail, ok, rerunInit, warn, type DoctorResult } from './doctor-result.js';

type Couch = ReturnType<typeof couchClient>;
interface Names { names?: unknown; roles?: unknown }
interface Security { members?: Names; admins?: Names }

/** The ward codes of every `ward_<code>` database on the server. */
export async function wardCodes(couch: Couch): Promise<string[]> {
  const { body } = await couch<string[]>('GET', '/_all_dbs');
  return body.filter((db) => db.startsWith('ward_')).map((db) => db.slice(5)).filter((code) => WARD_CODE.test(code));
}

/** What is wrong with a ward database's `_security`, or null when it is as `city init` sets it. */
export function securityProblem(security: Security, ward: string): string | null {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const members = list(security.members?.names);
  if (members.length !== 1 || members[0] !== wardUserName(ward)) return `members ${JSON.stringify(members)}, expected ["${wardUserName(ward)}"]`;
  if (list(security.members?.roles).length > 0) return `member roles ${JSON.stringify(list(security.members?.roles))}, expected none`;
  if (list(security.admins?.names).length > 0) return `admin names ${JSON.stringify(list(security.admins?.names))}, expected none`;
  const adminRoles = list(security.admins?.roles);
  if (adminRoles.some((r) => r !== '_admin')) return `admin roles ${JSON.stringify(adminRoles)}, expected ["_admin"]`;
  return null;
}

export async function checkSecurity(couch: Couch, url: string, wards: string[]): Promise<DoctorResult[]> {
  const results: DoctorResult[] = [];
  let good = 0;
  for (const ward of wards) {
    const { body } = await couch<Security>('GET', `/${encodeURIComponent(wardDbName(ward))}/_security`);
    const problem = securityProblem(body, ward);
    if (!problem) { good += 1; continue; }
    results.push(fail(`security:${wardDbName(ward)}`, `_security của ${wardDbName(ward)} sai: ${problem}`, `${wardDbName(ward)} _security is wrong: ${problem}`, rerunInit(url, ward)));
  }
  return [...summary('security', url, wards.length, good, '_security đúng', '_security as city init sets it'), ...results];
}

export async function checkRules(couch: Couch, url: string, wards: string[]): Promise<DoctorResult[]> {
  const results: DoctorResult[] = [];
  let good = 0;
  for (const ward of wards) {
    const db = wardDbName(ward);
    const found = await couch<{ rulesVersion?: unknown; validate_doc_update?: unknown }>('GET', `/${encodeURIComponent(db)}/${DESIGN_DOC_ID}`, undefined, [404]);
    const check = `rules:${db}`;
    if (found.status === 404) { results.push(fail(check, `${db} không có quy tắc ghi (${DESIGN_DOC_ID})`, `${db} has no write rules (${DESIGN_DOC_ID})`, rerunInit(url, ward))); continue; }
    const current = await wardDesignDoc(ward);
    if (found.body.rulesVersion !== RULES_VERSION) {
      results.push(fail(check, `${db} có quy tắc cũ (rulesVersion ${String(found.body.rulesVersion)}, hiện tại ${RULES_VERSION})`, `${db} has older rules (rulesVersion ${String(found.body.rulesVersion)}, current ${RULES_VERSION})`, rerunInit(url, ward)));
    } else if (found.body.validate_doc_update !== current.validate_doc_update) {
      results.push(fail(check, `${db}: validate_doc_update khác bản city init cài hôm nay`, `${db}: validate_doc_update differs from what city init installs today`, rerunInit(url, ward)));
    } else good += 1;
  }
  return [...summary('rules', url, wards.length, good, `quy tắc ghi phiên bản ${RULES_VERSION}`, `write rules version ${RULES_VERSION}`), ...results];
}

/** One line for all the ward databases that passed, so a city of 150 wards reads in one screen. */
function summary(check: string, url: string, wards: number, good: number, vi: string, en: string): DoctorResult[] {
  if (wards === 0) return [warn(check, 'chưa có cơ sở dữ liệu phường nào (ward_*)', 'no ward databases yet (ward_*)', { vi: `chạy warddesk city init ${url} --wards <mã phường,…>`, en: `run warddesk city init ${url} --wards <ward,…>` })];
  return good === 0 ? [] : [ok(check, `${good}/${wards} cơ sở dữ liệu phường: ${vi}`, `${good}/${wards} ward databases: ${en}`)];
}
