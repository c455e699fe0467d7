// `warddesk city …`: the city side, wired from node/cli.ts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { adminFromEnv, initCity, type AdminCredentials } from './init.js';
import { startCityServer } from './server.js';
import { distributeCrls } from './crl-distribution.js';
import { startHub } from './hub-ingest.js';
import { sendToWards, sentStatuses } from './send.js';
import { WardError } from '../../sync/errors.js';
import { startHubServer } from './hub-http.js';
import { doctorCommand } from './doctor-command.js';
import { openTsa, tsaCommand, TSA_USAGE } from './tsa-command.js';
import { issueToken } from '../../certs/tsa.js';

export const CITY_USAGE = `  warddesk city start [--port N] [--host H] [--data DIR] [--pki ROOT-DIR] [--tsa DIR]
                                 run the embedded CouchDB-compatible city server (demos, tests; default 127.0.0.1:5984, ./city-data);
                                 --pki: serve ROOT-DIR's city-root.pem/.crl and each ward's CRL at /pki/<ca>.cer|.crl, no login;
                                 --tsa: also the city's RFC 3161 time-stamping authority at POST /_tsa (PIN: WARDDESK_TSA_PIN)
${TSA_USAGE}
  warddesk city init <url> --wards a,b,c [--out DIR]
                                 create per-ward databases, users, _security and rules on a CouchDB 3 (or the embedded server);
                                 writes DIR/<ward>.credentials.json (default ./city-credentials) for each ward to install
  warddesk city doctor <url> [--json]
                                 check the city server: version and JavaScript engine, the rules as a throwaway ward
                                 sees them (removed afterwards), each ward's _security and rules, size limits;
                                 one OK/WARN/FAIL line per check with the fix; exit 1 when any check fails
  warddesk city publish-crls <url> [--root-crl city-root.crl]
                                 copy each ward's revocation list (and the root's) into every other ward's inbox
  warddesk city hub <url> --root city-root.pem [--root-crl city-root.crl] [--data DIR] [--port N] [--host H] [--tsa DIR]
                                 follow every ward database, verify every signature against the city root and all
                                 CRLs, keep a verdict per document in DIR (default ./hub-data); resumes after a restart;
                                 serves the dashboard on --host/--port (default 127.0.0.1:8090, login WARDDESK_CITY_ADMIN);
                                 with --tsa (PIN: WARDDESK_TSA_PIN), keeps a city-owned LTV copy of each valid document
                                 (PAdES B-LTA: DSS + document timestamp)
  warddesk city send <url> (--wards a,b | --all) --pdf FILE --type CV --symbol 123/UBND-VP --date 2026-11-20
                     --subject "…" [--sender "UBND Thành phố …"] [--attach FILE…]
                     [--root city-root.pem [--root-crl city-root.crl]]
                                 put a document (its PDF, and PDF/PNG/JPEG attachments) into the wards' inboxes;
                                 with --root the PDF must bear a valid signature (recorded); sending again writes nothing
  warddesk city sent <url> [--send ID] [--json]
                                 what became of the documents the city sent, per ward, with the steps' times:
                                 Decision 28/2018 status (01 received, 02 refused, 03 accepted, 04 assigned,
                                 05 in progress, 06 done)
  City administrator: WARDDESK_CITY_ADMIN=name:password (environment only).`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Runs `warddesk city <sub> …`; returns the exit code, or -1 to keep running (a server). */
export async function cityCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'start') return start(rest);
  if (sub === 'init') return init(rest);
  if (sub === 'doctor') return doctorCommand(rest, CITY_USAGE);
  if (sub === 'hub') return hub(rest);
  if (sub === 'tsa') return tsaCommand(rest);
  if (sub === 'send') return send(rest);
  if (sub === 'sent') return sent(rest);
  if (sub === 'publish-crls') {
    const url = rest.find((a) => !a.startsWith('--') && a !== flag(rest, '--root-crl'));
    if (!url) { console.error(CITY_USAGE); return 2; }
    const rootCrl = flag(rest, '--root-crl');
    const r = await distributeCrls({ url, admin: adminFromEnv(), ...(rootCrl ? { rootCrl: readFileSync(rootCrl) } : {}) });
    console.log(`revocation lists: ${r.lists}, copies written: ${r.copies}`);
    return 0;
  }
  console.error(`Unknown city command.\n\n${CITY_USAGE}`);
  return 2;
}

async function start(args: string[]): Promise<number> {
  const dataDir = resolve(flag(args, '--data') ?? './city-data');
  mkdirSync(dataDir, { recursive: true });
  let admin: AdminCredentials;
  if (process.env['WARDDESK_CITY_ADMIN']) admin = adminFromEnv();
  else admin = generatedAdmin(dataDir);
  // express-pouchdb (2019) leaves some plugin rejections unhandled; one bad
  // request must not stop the city for every ward. Log it and keep serving.
  process.on('unhandledRejection', (reason) => { console.error('city: unhandled rejection (request answered or dropped):', reason instanceof Error ? reason.message : reason); });
  const pkiDir = flag(args, '--pki');
  const tsaDir = flag(args, '--tsa');
  const tsa = tsaDir ? await openTsa(tsaDir) : undefined;
  const city = await startCityServer({ dataDir, port: Number(flag(args, '--port') ?? 5984), host: flag(args, '--host') ?? '127.0.0.1', admin, ...(pkiDir ? { pkiDir: resolve(pkiDir) } : {}), ...(tsa ? { tsa } : {}) });
  // One JSON line a supervisor (or a test) can wait for.
  console.log(JSON.stringify({ city: 'listening', url: city.url, dataDir }));
  const stop = async () => { await city.close(); process.exit(0); };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return -1;
}

/** No admin given: make one, keep it in a 0600 file in the data dir, and say where (never print it). */
function generatedAdmin(dataDir: string): AdminCredentials {
  const file = join(dataDir, 'city-admin.txt');
  if (!existsSync(file)) writeFileSync(file, `admin:${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  const admin = adminFromEnv({ WARDDESK_CITY_ADMIN: readFileSync(file, 'utf8').trim() });
  console.error(`City administrator credentials are in ${file} (use them as WARDDESK_CITY_ADMIN=name:password).`);
  return admin;
}

async function init(args: string[]): Promise<number> {
  const url = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]!.startsWith('--')));
  const wards = (flag(args, '--wards') ?? '').split(',').map((w) => w.trim()).filter(Boolean);
  if (!url || wards.length === 0) { console.error(`city init needs a URL and --wards.\n\n${CITY_USAGE}`); return 2; }
  const results = await initCity({ url, admin: adminFromEnv(), wards, outDir: resolve(flag(args, '--out') ?? './city-credentials'), report: (line) => console.log(line) });
  for (const r of results) {
    console.log(`${r.ward}: database ${r.db}${r.createdDb ? ' (created)' : ''}, user ${r.username}${r.newPassword ? ' (new password)' : ''}, credentials ${r.credentialsFile}`);
  }
  return 0;
}

async function hub(args: string[]): Promise<number> {
  const valued = new Set(['--root', '--root-crl', '--data', '--port', '--host', '--tsa']);
  const url = args.find((a, i) => !a.startsWith('--') && !(i > 0 && valued.has(args[i - 1]!)));
  const root = flag(args, '--root');
  if (!url || !root) { console.error(`city hub needs the city URL and --root (the city root certificate, PEM).\n\n${CITY_USAGE}`); return 2; }
  const rootCrl = flag(args, '--root-crl');
  const dataDir = resolve(flag(args, '--data') ?? './hub-data');
  const started = Date.now();
  const admin = adminFromEnv();
  const tsaDir = flag(args, '--tsa');
  const tsa = tsaDir ? await openTsa(tsaDir) : undefined;
  const ltv = tsa ? { ltv: { timestamper: async (imprint: Buffer) => issueToken(tsa, { imprint }), tsaChain: tsa.chain } } : {};
  const h = await startHub({ url, admin, dataDir, roots: [readFileSync(root, 'utf8')], ...(rootCrl ? { rootCrls: [readFileSync(rootCrl)] } : {}), ...ltv });
  // The dashboard serves while the ingest catches up (figures grow as wards are read); same admin credentials.
  const dashboard = await startHubServer(h.view, { port: Number(flag(args, '--port') ?? 8090), host: flag(args, '--host') ?? '127.0.0.1', admin });
  console.log(JSON.stringify({ hub: 'dashboard', url: dashboard.url }));
  const stop = async () => { await dashboard.close(); await h.close(); process.exit(0); };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  await h.caughtUp(24 * 3_600_000);
  // One JSON line a supervisor (or a test) can wait for.
  console.log(JSON.stringify({ hub: 'caught-up', dataDir, wards: h.stats.wards, documents: h.stats.documents, verifications: h.stats.verifications, seconds: Math.round((Date.now() - started) / 100) / 10 }));
  return -1;
}

/** `city send`'s arguments; `--attach` takes one or more files (and may repeat). */
function sendArgs(args: string[]): { url?: string; values: Record<string, string | boolean | string[] | undefined>; attach: string[]; extra: string[] } {
  const { values, tokens } = parseArgs({
    args, allowPositionals: true, strict: true, tokens: true,
    options: {
      wards: { type: 'string' }, all: { type: 'boolean' }, pdf: { type: 'string' }, type: { type: 'string' }, symbol: { type: 'string' },
      date: { type: 'string' }, subject: { type: 'string' }, sender: { type: 'string' }, attach: { type: 'string', multiple: true },
      root: { type: 'string' }, 'root-crl': { type: 'string', multiple: true },
    },
  });
  const attach = [...(values.attach ?? [])];
  const positionals: string[] = [];
  let afterAttach = false;
  for (const t of tokens) {
    if (t.kind === 'option') afterAttach = t.name === 'attach';
    else if (t.kind === 'positional') (afterAttach ? attach : positionals).push(t.value);
  }
  const [url, ...extra] = positionals;
  return { ...(url ? { url } : {}), values, attach, extra };
}

async function send(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof sendArgs>;
  try { parsed = sendArgs(args); } catch (err) { console.error(`${(err as Error).message}\n\n${CITY_USAGE}`); return 2; }
  const { url, values: v, attach, extra } = parsed;
  const str = (name: string): string | undefined => (typeof v[name] === 'string' ? v[name] as string : undefined);
  const pdfFile = str('pdf');
  if (!url || !pdfFile || extra.length > 0) { console.error(`city send needs the city URL and --pdf.\n\n${CITY_USAGE}`); return 2; }
  const wards = v['all'] === true ? 'all' as const : (str('wards') ?? '').split(',').map((w) => w.trim()).filter(Boolean);
  const root = str('root');
  const rootCrls = (v['root-crl'] as string[] | undefined) ?? [];
  try {
    const r = await sendToWards({
      url, admin: adminFromEnv(), wards, pdf: readFileSync(pdfFile),
      meta: { docType: str('type') as 'CV', originalSymbol: str('symbol') ?? '', originalDate: str('date') ?? '', subject: str('subject') ?? '', ...(str('sender') ? { senderName: str('sender')! } : {}), fileName: basename(pdfFile) },
      attachments: attach.map((f) => ({ name: basename(f), bytes: readFileSync(f) })),
      ...(root ? { trust: { roots: [readFileSync(root, 'utf8')], crls: rootCrls.map((f) => readFileSync(f)) } } : {}),
    });
    if (r.signature) console.log(`signature: ${r.signature.status} (${r.signature.signers.map((s) => `${s.role} ${s.signerName}`).join(', ')})`);
    for (const w of r.wards) console.log(`${w.ward}: ${w.docId} ${w.written ? 'sent' : 'already there'}`);
    console.log(`send id: ${r.sendId}`);
    return 0;
  } catch (err) {
    if (!(err instanceof WardError)) throw err;
    console.error(`${err.vi}\n${err.en}`);
    for (const d of err.details ?? []) console.error(`  ${d.path}: ${d.vi} / ${d.en}`);
    return 1;
  }
}

async function sent(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: false, options: { send: { type: 'string' }, json: { type: 'boolean' } } });
  const [url] = positionals;
  if (!url) { console.error(`city sent needs the city URL.\n\n${CITY_USAGE}`); return 2; }
  const sendId = typeof values.send === 'string' ? values.send : undefined;
  const rows = await sentStatuses({ url, admin: adminFromEnv(), ...(sendId ? { sendId } : {}) });
  if (values.json === true) { console.log(JSON.stringify(rows, null, 2)); return 0; }
  for (const r of rows) {
    console.log(`${r.sendId}  ${r.ward}  ${r.code} ${r.state}  ${r.originalSymbol}  sent ${r.sentAt}${r.signature ? `  signature ${r.signature.status}` : ''}`);
    for (const s of r.steps) console.log(`    ${s.at}  ${s.action}  ${s.user}${s.comment ? ` — ${s.comment}` : ''}`);
  }
  if (rows.length === 0) console.log('Chưa gửi văn bản nào. / Nothing sent yet.');
  return 0;
}
