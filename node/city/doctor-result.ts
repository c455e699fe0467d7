// What `warddesk city doctor` finds, one verdict per check: typed data, so the
// CLI prints it and a test asserts it; every message in Vietnamese and English.

export type DoctorStatus = 'ok' | 'warn' | 'fail';

/** How to repair what a check found, in both languages. */
export interface DoctorFix { vi: string; en: string }

export interface DoctorResult { check: string; status: DoctorStatus; vi: string; en: string; fix?: DoctorFix }

export function ok(check: string, vi: string, en: string): DoctorResult { return { check, status: 'ok', vi, en }; }

export function warn(check: string, vi: string, en: string, fix?: DoctorFix): DoctorResult {
  return { check, status: 'warn', vi, en, ...(fix ? { fix } : {}) };
}

export function fail(check: string, vi: string, en: string, fix?: DoctorFix): DoctorResult {
  return { check, status: 'fail', vi, en, ...(fix ? { fix } : {}) };
}

/** The repair for a ward whose database, user, _security or rules are not as `city init` leaves them. */
export function rerunInit(url: string, ward: string): DoctorFix {
  return { vi: `chạy warddesk city init ${url} --wards ${ward}`, en: `run warddesk city init ${url} --wards ${ward}` };
}

/** An error message without a stack: the cause's code (ECONNREFUSED, …) says more than "fetch failed". */
export function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? err.message;
}
