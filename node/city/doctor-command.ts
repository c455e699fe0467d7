// Prints `warddesk city doctor`'s verdicts: one line per check, status first so
// a person scans the left edge; the fix on its own line under a WARN or FAIL.
// Exit code 1 when any check fails, so a deployment script can stop there.
import { parseArgs } from 'node:util';
import { adminFromEnv, type AdminCredentials } from './init.js';
import { runDoctor } from './doctor.js';
import type { DoctorResult } from './doctor-result.js';

const LABEL = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL' } as const;

export function formatResult(r: DoctorResult): string {
  const line = `${LABEL[r.status]}  ${r.check}: ${r.vi} / ${r.en}`;
  return r.fix ? `${line}\n      → sửa: ${r.fix.vi} / fix: ${r.fix.en}` : line;
}

export async function doctorCommand(args: string[], usage: string): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: false, options: { json: { type: 'boolean' } } });
  const [url] = positionals;
  if (!url) { console.error(`city doctor needs the city URL.\n\n${usage}`); return 2; }
  let admin: AdminCredentials;
  try { admin = adminFromEnv(); } catch (err) { console.error((err as Error).message); return 2; }
  const results = await runDoctor({ url, admin });
  if (values.json === true) console.log(JSON.stringify(results, null, 2));
  else for (const r of results) console.log(formatResult(r));
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
