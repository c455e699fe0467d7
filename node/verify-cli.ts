// `warddesk verify FILE.pdf [--root city-root.pem] [--crl FILE …] [--json]`:
// the verdict on a signed PDF (certs/pdf-verify.ts) as a report in Vietnamese
// and English, or as JSON. Exit 0 only when everything is valid, 1 invalid,
// 2 unknown (e.g. no current CRL), 3 when it could not run (usage, unreadable
// file). Without --root, on a ward node: the city root at the top of the
// installed ward CA's chain and every data/keys/*.crl.
//
// Loads only the verifier up front: the keystore (node-forge) and the config
// (zod) only when no --root is given. Kept light on purpose (node/cli.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyPdf } from '../certs/pdf-verify.js';
import type { SignerRole } from '../certs/roles.js';
import type { PdfVerdict, SignatureVerdict, Validity } from '../certs/verdict.js';
import { WARD_CA } from './key-holders.js';

export const VERIFY_USAGE = `  warddesk verify FILE.pdf [--root city-root.pem] [--crl FILE …] [--json]
                                  check every signature; exit 0 valid, 1 invalid, 2 unknown (e.g. no CRL), 3 usage`;

export const EXIT: Record<Validity, number> = { valid: 0, invalid: 1, unknown: 2 };
const USAGE_EXIT = 3;

const LABEL: Record<Validity, string> = { valid: 'HỢP LỆ / VALID', invalid: 'KHÔNG HỢP LỆ / INVALID', unknown: 'CHƯA XÁC ĐỊNH / UNKNOWN' };
const WORD: Record<Validity, string> = { valid: 'hợp lệ / valid', invalid: 'không hợp lệ / invalid', unknown: 'chưa xác định / unknown' };
const ROLE: Record<SignatureVerdict['role'], string> = { leader: 'lãnh đạo / leader', agency: 'cơ quan / agency', unknown: 'không rõ vai trò / unknown role' };

interface Args { file: string; roots: string[]; crls: string[]; json: boolean }

function parse(args: string[]): Args | string {
  const out: Args = { file: '', roots: [], crls: [], json: false };
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '--json') out.json = true;
    else if (a === '--root' || a === '--crl') {
      const value = args[++i];
      if (!value) return `${a} cần một tệp / ${a} needs a file`;
      (a === '--root' ? out.roots : out.crls).push(value);
    } else if (a.startsWith('--')) return `Tùy chọn không rõ / unknown option: ${a}`;
    else if (out.file) return `Chỉ một tệp PDF / only one PDF file: ${a}`;
    else out.file = a;
  }
  return out.file ? out : 'Thiếu tệp PDF / missing the PDF file';
}

export async function verifyCommand(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (typeof args === 'string') { console.error(`${args}\n\n${VERIFY_USAGE}`); return USAGE_EXIT; }
  let pdf: Buffer;
  let roots: string[];
  let crls: Buffer[];
  let mappedRoles: ReadonlyMap<string, SignerRole> | undefined;
  try {
    pdf = readFileSync(args.file);
    roots = args.roots.map((p) => readFileSync(p, 'utf8'));
    crls = args.crls.map((p) => readFileSync(p));
    if (roots.length === 0) ({ roots, crls, mappedRoles } = await wardTrust(crls));
  } catch (err) {
    console.error(`Không đọc được tệp / cannot read a file: ${(err as Error).message}`);
    return USAGE_EXIT;
  }
  if (roots.length === 0) { console.error(`Cần --root city-root.pem / --root city-root.pem is required\n\n${VERIFY_USAGE}`); return USAGE_EXIT; }
  const verdict = await verifyPdf(pdf, { roots, crls, ...(mappedRoles ? { mappedRoles } : {}) });
  console.log(args.json ? JSON.stringify(verdict, null, 2) : report(args.file, verdict));
  return EXIT[verdict.status];
}

/** On a ward node: its city root and its CRL files (the node's replicated lists need the store, which a running node holds). */
async function wardTrust(crls: Buffer[]): Promise<{ roots: string[]; crls: Buffer[]; mappedRoles?: ReadonlyMap<string, SignerRole> }> {
  const [{ Keystore }, { TrustedRoots }, { RoleMappings }, { loadConfig }] = await Promise.all([import('../certs/keystore.js'), import('../certs/trusted-roots.js'), import('../certs/role-mappings.js'), import('./config.js')]);
  const keys = new Keystore(join(loadConfig(process.env, { logLevel: 'warn' }).dataDir, 'keys'));
  if (!keys.has(WARD_CA)) return { roots: [], crls };
  const chain = keys.chain(WARD_CA);
  const files = crls.length ? [] : readdirSync(keys.dir).filter((f) => f.endsWith('.crl')).map((f) => readFileSync(join(keys.dir, f)));
  // The city root and the roots the admin imported (`warddesk ca trust add`).
  // The admin's role mappings (certs/role-mappings.ts): a mapped certificate's role shows as such, not as 'unknown'.
  return { roots: [chain[chain.length - 1]!, ...new TrustedRoots(keys.dir).pems()], crls: [...crls, ...files], mappedRoles: new RoleMappings(keys.dir).all() };
}

/** The human report: one block per signature, every reason in both languages. */
export function report(file: string, v: PdfVerdict): string {
  const lines = [`Tệp / file: ${file}`, `Kết quả / result: ${LABEL[v.status]}`];
  for (const s of v.signatures) {
    lines.push('', `Chữ ký / signature #${s.index + 1} — ${ROLE[s.role]}${s.roleFrom === 'mapping' ? ' (vai trò do quản trị viên chỉ định / role mapped by the admin)' : ''}: ${s.signerName || '?'}: ${LABEL[s.status]}`);
    if (s.subject) lines.push(`  Chứng thư / certificate: ${s.subject} (serial ${s.serial})`);
    lines.push(`  Thời điểm ký / signing time: ${s.signingTime ?? '?'}`);
    lines.push(`  Phạm vi ký / signed: ${s.revision ? `phiên bản / revision ${s.revision}, ` : ''}${s.coversBytes} bytes`);
    lines.push(`  Toàn vẹn / integrity: ${WORD[s.integrity]}; chuỗi chứng thư / chain: ${WORD[s.chain]}; thu hồi / revocation: ${WORD[s.revocation]}`);
    for (const r of s.reasons) lines.push(`  - ${r.vi}`, `    ${r.en}`);
  }
  if (v.reasons.length) lines.push('');
  for (const r of v.reasons) lines.push(`- ${r.vi}`, `  ${r.en}`);
  return lines.join('\n');
}
