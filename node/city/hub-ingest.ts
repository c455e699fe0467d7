// The city hub's ingest: follows the changes feed of every ward database in
// the city CouchDB (real CouchDB 3 or the embedded server, HTTP API only),
// folds each document with the ward's own workflow rules, verifies its signed
// PDF with certs/ against the city root and every revocation list seen in any
// ward database, and records a verdict per document (node/city/hub-store.ts).
// Resumes from a checkpoint per ward after a restart; re-checks a document
// when its PDF finishes arriving or a new revocation list could change it.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { loadCrls } from '../../certs/revocation.js';
import type { TrustOptions } from '../../certs/pdf-verify.js';
import { appendLtv, signatureCertificates, type Timestamper } from '../../certs/pdf-ltv.js';
import { wardDbName } from '../../sync/city-contract.js';
import { foldHubDocument, type Folded } from '../../sync/hub-fold.js';
import { HubDocument, type HubWard, hubDocId } from '../../sync/hub-records.js';
import { DocumentRecord, EventRecord } from '../../sync/schema.js';
import { vnIso } from '../../sync/vn-time.js';
import { compareEvents } from '../../sync/workflow.js';
import { HubStore } from './hub-store.js';
import { judge, readCityFile, type CityFile, type Judgement } from './hub-verify.js';
import type { HubView } from './hub-view.js';
import { documentEvents, withoutCouchFields, type CityJson, type GatheredEvents } from './document-events.js';
import { tamperDetail, WardRecords } from './ward-records.js';
import { advanceChain, NEW_CHAIN } from './hub-chain.js';
import type { AuditEntry } from '../audit.js';
import { CouchHttpError, type AdminCredentials } from './init.js';

export interface HubOptions {
  url: string;
  admin: AdminCredentials;
  dataDir: string;
  /** PEM certificates of the city root(s) every signature must chain to. */
  roots: string[];
  /** The root's own revocation lists (DER or PEM), besides those found in ward databases. */
  rootCrls?: Buffer[];
  /** How often the list of ward databases is read again (a new ward is followed from then on). */
  discoverMs?: number;
  /** How long one longpoll of a caught-up ward waits for a change. */
  longpollMs?: number;
  pageSize?: number;
  now?: () => Date;
  /**
   * The city TSA and its chain: with it, every document judged valid gets a city-owned LTV copy
   * (PAdES B-LTA: DSS with the chains and CRLs used, then a document timestamp). Without it, none.
   */
  ltv?: { timestamper: Timestamper; tsaChain: string[] };
  log?: (message: string, err?: unknown) => void;
}

export interface Hub {
  view: HubView;
  /** Resolves once every ward database, as it stands now, has been read and judged. */
  caughtUp(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  readonly stats: { verifications: number; pages: number; documents: number; wards: number; ltv: number };
}

interface Change { id: string; seq: string | number; deleted?: boolean; doc?: Record<string, unknown> & { _id: string } }
interface ChangesPage { results: Change[]; last_seq: string | number }

const FIRST_ACTIONS = new Set(['create', 'arrive', 'register-paper']);
const LAG_WINDOW = 100;
/** Documents of one page judged at once (each waits mostly on the city's answers). */
const CONCURRENCY = 8;

export async function startHub(o: HubOptions): Promise<Hub> {
  mkdirSync(o.dataDir, { recursive: true });
  const store = await HubStore.open(join(o.dataDir, 'hub'));
  const hub = new CityHub(o, store);
  await hub.start();
  return hub;
}

class CityHub implements Hub {
  readonly stats = { verifications: 0, pages: 0, documents: 0, wards: 0, ltv: 0 };
  private readonly base: string;
  private readonly authorization: string;
  private readonly abort = new AbortController();
  private readonly followers = new Map<string, Promise<void>>();
  private readonly crls = new Map<string, Buffer>();
  /** Hub ids of documents whose PDF has not fully arrived, per ward. */
  private readonly pending = new Map<string, Set<string>>();
  private readonly lags = new Map<string, number[]>();
  private gate: Promise<unknown> = Promise.resolve();
  private discoverTimer: NodeJS.Timeout | null = null;
  private closed = false;
  readonly view: HubView;

  constructor(private readonly o: HubOptions, private readonly store: HubStore) {
    this.base = o.url.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${o.admin.name}:${o.admin.password}`).toString('base64')}`;
    for (const d of store.documents()) if (d.pdf && !d.pdf.complete) this.pendingOf(d.ward).add(d._id);
    this.view = {
      documents: () => store.documents(),
      wards: () => store.wards(),
      document: (ward, docId) => store.get(hubDocId(ward, docId)),
      onChange: (l) => store.onChange(l),
      steps: async (ward, docId) => {
        const [read] = await this.records(ward).byKeys([docId]);
        const record = read?.doc ? DocumentRecord.safeParse(withoutCouchFields(read.doc)) : null;
        if (!record?.success) return [];
        const { events } = await this.allEvents(ward, record.data, store.get(hubDocId(ward, docId)), []);
        return events.sort(compareEvents).map((e) => ({ action: e.action, at: e.at, user: e.actor.user, role: e.actor.role, ...(e.comment ? { comment: e.comment } : {}) }));
      },
      ltv: (ward, docId) => store.ltv(hubDocId(ward, docId)),
      file: async (ward, sha256) => {
        const f = await this.cityFile(ward, sha256);
        return f.state === 'ok' ? f.bytes : null;
      },
    };
  }

  private now(): Date { return this.o.now?.() ?? new Date(); }
  private log(message: string, err?: unknown): void { (this.o.log ?? ((m, e) => console.error(`hub: ${m}`, e instanceof Error ? e.message : e ?? '')))(message, err); }

  async start(): Promise<void> {
    await this.discover();
    const every = this.o.discoverMs ?? 30_000;
    const tick = () => {
      this.discoverTimer = setTimeout(() => { this.discover().catch((e: unknown) => this.log('listing ward databases failed', e)).finally(() => { if (!this.closed) tick(); }); }, every);
      this.discoverTimer.unref();
    };
    tick();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.discoverTimer) clearTimeout(this.discoverTimer);
    this.abort.abort();
    await Promise.allSettled([...this.followers.values()]);
    await this.gate.catch(() => undefined);
    await this.store.close();
  }

  async caughtUp(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.discover();
    const targets = await Promise.all([...this.followers.keys()].map(async (ward) => ({ ward, seq: seqNumber((await this.json<{ update_seq: string | number }>(`/${wardDbName(ward)}`)).update_seq) })));
    for (const t of targets) {
      while (seqNumber(this.store.ward(t.ward)?.since ?? '0') < t.seq) {
        if (Date.now() > deadline) throw new Error(`hub: ward ${t.ward} not caught up within ${timeoutMs} ms`);
        await sleep(25);
      }
    }
    await this.gate;
  }

  // ---- the city over HTTP -------------------------------------------------

  private async request(path: string, init: RequestInit = {}, timeoutMs = 60_000): Promise<Response> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]);
    return fetch(this.base + path, { ...init, signal, headers: { authorization: this.authorization, accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  }

  private async get(path: string): Promise<Response | null> {
    const r = await this.request(path);
    if (r.status === 404) { await r.body?.cancel(); return null; }
    if (!r.ok) throw new CouchHttpError(r.status, await r.text(), `GET ${path}`);
    return r;
  }

  private async json<T>(path: string, init: RequestInit = {}, timeoutMs?: number): Promise<T> {
    const r = await this.request(path, init, timeoutMs);
    const text = await r.text();
    if (!r.ok) throw new CouchHttpError(r.status, text, `${init.method ?? 'GET'} ${path}`);
    return JSON.parse(text) as T;
  }

  // ---- wards ----------------------------------------------------------------

  private async discover(): Promise<void> {
    const dbs = await this.json<string[]>('/_all_dbs');
    const wards = dbs.filter((d) => d.startsWith('ward_')).map((d) => d.slice('ward_'.length));
    const fresh = wards.filter((w) => !this.followers.has(w));
    if (fresh.length === 0) return;
    // Revocation lists first: a document is never judged without the lists the city already holds.
    const issuers: string[] = [];
    for (const ward of fresh) issuers.push(...await this.readCrls(ward));
    if (issuers.length > 0 && this.stats.pages > 0) await this.serial(() => this.rejudgeForCrls(issuers));
    for (const ward of fresh) {
      if (this.closed) return;
      this.followers.set(ward, this.follow(ward));
    }
    this.stats.wards = this.followers.size;
  }

  private async readCrls(ward: string): Promise<string[]> {
    // Genuine revisions only: a ward's branch of the root's list could otherwise put an older list in its place.
    const read = await this.records(ward).byPrefix('crl:');
    return read.flatMap((r) => (r.doc ? this.takeCrl(r.id, r.doc) : []));
  }

  /** Keeps a list seen for the first time; returns its issuer (to re-check what it may concern). */
  private takeCrl(id: string, doc: Record<string, unknown>): string[] {
    if (this.crls.has(id)) return [];
    const [der] = loadCrls({ docs: [doc as { der?: unknown }] });
    if (!der) return [];
    this.crls.set(id, der);
    return [String(doc['issuer'] ?? '')];
  }

  private trust(): TrustOptions {
    return { roots: this.o.roots, crls: [...(this.o.rootCrls ?? []), ...this.crls.values()], now: this.now() };
  }

  private async follow(ward: string): Promise<void> {
    const db = wardDbName(ward);
    const pageSize = this.o.pageSize ?? 200;
    const longpoll = this.o.longpollMs ?? 25_000;
    let failures = 0;
    let live = false;
    while (!this.closed) {
      try {
        const since = this.store.ward(ward)?.since ?? '0';
        const feed: string = live ? `&feed=longpoll&timeout=${longpoll}` : '';
        // conflicts=true: a second branch of any record must be seen, not just the winner (ward-records.ts).
        const page: ChangesPage = await this.json<ChangesPage>(`/${db}/_changes?since=${encodeURIComponent(since)}&include_docs=true&conflicts=true&limit=${pageSize}${feed}`, {}, longpoll + 30_000);
        if (page.results.length > 0 || String(page.last_seq) !== since) await this.serial(() => this.apply(ward, page));
        live = page.results.length < pageSize;
        failures = 0;
      } catch (err) {
        if (this.closed) return;
        if (err instanceof CouchHttpError && err.status === 404) { this.log(`ward database ${db} is gone; no longer followed`); this.followers.delete(ward); return; }
        failures += 1;
        this.log(`reading ${db} failed (attempt ${failures}); retrying`, err);
        // Exponential backoff with jitter, capped at a minute: the city may be restarting.
        await sleep(Math.min(60_000, 500 * 2 ** Math.min(failures, 7)) * (0.5 + Math.random()));
      }
    }
  }

  /** One writer at a time: pages of different wards and re-checks never write the same record at once. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.gate.then(work, work);
    this.gate = next.catch(() => undefined);
    return next;
  }

  // ---- one page of a ward's changes ------------------------------------------

  private async apply(ward: string, page: ChangesPage): Promise<void> {
    const seenAt = vnIso(this.now());
    const seenMs = this.now().getTime();
    const byDoc = new Map<string, { record?: DocumentRecord; events: EventRecord[]; tampered: string[] }>();
    const entry = (docId: string) => byDoc.get(docId) ?? (byDoc.set(docId, { events: [], tampered: [] }), byDoc.get(docId)!);
    let filesMoved = false;
    const issuers: string[] = [];
    const lags = this.lags.get(ward) ?? [];
    const reader = this.records(ward);
    const audit = new Map<number, AuditEntry>();
    const branchedAudit = new Set<number>();
    /** Malformed or tampered records this page skipped: counted per ward, shown on the dashboard. */
    let skipped = 0;
    for (const ch of page.results) {
      if (!ch.doc || ch.deleted) continue;
      // Only a revision whose hash (and, with branches, the ward's chain) holds is read; a tampered record marks its document.
      const integrity = await reader.judge(ch.doc);
      const doc = integrity.doc;
      if (integrity.state === 'tampered') {
        skipped += 1;
        const owner = ch.id.startsWith('doc:') ? ch.id : typeof ch.doc['docId'] === 'string' ? ch.doc['docId'] : null;
        this.log(`${ward}: ${tamperDetail(ch.id, integrity)}`);
        if (owner && /^doc:(out|in):/.test(owner)) entry(owner).tampered.push(tamperDetail(ch.id, integrity));
      }
      if (ch.id.startsWith('audit:')) {
        const seq = Number(ch.id.slice('audit:'.length));
        if (integrity.state === 'tampered') branchedAudit.add(seq); else if (doc) audit.set(seq, doc as unknown as AuditEntry);
        continue;
      }
      if (!doc) continue;
      if (ch.id.startsWith('doc:')) {
        const parsed = DocumentRecord.safeParse(withoutCouchFields(doc));
        if (parsed.success) entry(ch.id).record = parsed.data;
        else { skipped += 1; this.log(`${ward}: ${ch.id} is not a valid document record; skipped`); }
      } else if (ch.id.startsWith('ev:')) {
        const parsed = EventRecord.safeParse(withoutCouchFields(doc));
        if (!parsed.success) { skipped += 1; this.log(`${ward}: ${ch.id} is not a valid event; skipped`); continue; }
        entry(parsed.data.docId).events.push(parsed.data);
        lags.push(Math.max(0, (seenMs - Date.parse(parsed.data.at)) / 1000));
      } else if (ch.id.startsWith('blob:') || ch.id.startsWith('chunk:')) {
        filesMoved = true;
      } else if (ch.id.startsWith('crl:')) {
        issuers.push(...this.takeCrl(ch.id, doc));
      }
    }
    this.lags.set(ward, lags.slice(-LAG_WINDOW));

    const records: HubDocument[] = [];
    const docIds = [...byDoc.keys()];
    // Records the page lacks (an event for a document seen in an earlier page), fetched in one request.
    const missing = docIds.filter((id) => !byDoc.get(id)!.record);
    for (const read of await reader.byKeys(missing)) {
      if (read.integrity.state === 'tampered') entry(read.id).tampered.push(tamperDetail(read.id, read.integrity));
      const parsed = read.doc ? DocumentRecord.safeParse(withoutCouchFields(read.doc)) : null;
      if (parsed?.success) entry(parsed.data._id).record = parsed.data;
    }
    // Several documents at once: the time goes in round trips to the city (events, blob, chunks), not here.
    records.push(...await mapLimit(docIds, CONCURRENCY, async (docId) => {
      const e = byDoc.get(docId)!;
      const known = this.store.get(hubDocId(ward, docId));
      // Events ahead of their document are judged when it arrives; a document with no genuine record left keeps what the hub knew, flagged.
      if (!e.record) return known && e.tampered.length > 0 ? HubStore.check(tamperedRecord(known, e.tampered)) : null;
      const complete = !known && e.events.some((ev) => FIRST_ACTIONS.has(ev.action));
      const gathered = complete ? { events: e.events, tampered: [] } : await this.allEvents(ward, e.record, known, e.events);
      return this.record(ward, e.record, gathered.events, known, seenAt, [...e.tampered, ...gathered.tampered]);
    }));
    const touched = new Set(records.map((r) => r._id));
    if (filesMoved) records.push(...await this.rejudge(ward, [...this.pendingOf(ward)].filter((id) => !touched.has(id)), seenAt));
    if (issuers.length > 0) await this.rejudgeForCrls(issuers, touched);

    const prior = this.store.ward(ward) ?? this.store.newWard(ward);
    const chain = audit.size > 0 || branchedAudit.size > 0 ? await advanceChain(prior.chain ?? NEW_CHAIN, audit, branchedAudit, reader) : prior.chain;
    if (chain?.broken && !prior.chain?.broken) this.log(`${ward}: audit chain broken at entry ${chain.broken.at}: ${chain.broken.reason}`);
    for (const r of records) this.track(r);
    const sorted = [...this.lags.get(ward)!].sort((a, b) => a - b);
    const wardRecord: HubWard = {
      ...prior,
      since: String(page.last_seq),
      lastSeenAt: page.results.length > 0 ? seenAt : prior.lastSeenAt,
      pendingFiles: this.pendingOf(ward).size,
      lagP50Seconds: sorted.length ? round(sorted[Math.floor(sorted.length / 2)]!) : prior.lagP50Seconds,
      lagMaxSeconds: sorted.length ? round(sorted.at(-1)!) : prior.lagMaxSeconds,
      ...(chain ? { chain } : {}),
      ...(skipped > 0 || prior.skippedRecords ? { skippedRecords: (prior.skippedRecords ?? 0) + skipped } : {}),
    };
    await this.store.commit(records, HubStore.checkWard(wardRecord));
    await this.addLtv(ward, records);
    this.stats.pages += 1;
    this.stats.documents = this.store.size;
  }

  private async record(ward: string, record: DocumentRecord, events: EventRecord[], known: HubDocument | undefined, seenAt: string, tampered: readonly string[]): Promise<HubDocument> {
    const folded = foldHubDocument(ward, record, events);
    const same = known && known.verdict !== 'tampered' && known.signing === folded.signing && known.pdf?.sha256 === folded.pdfSha && known.pdf?.complete
      && known.signatures.length === folded.expectedRoles.length;
    const judged: Judgement = same ? { verdict: known.verdict, reasons: known.reasons, signatures: known.signatures, ...(known.pdf ? { pdf: known.pdf } : {}) } : await this.judge(ward, folded, hubDocId(ward, record._id));
    // Whatever the PDF says, a document whose records were rewritten at the city is never counted as signed.
    const judgement = tampered.length > 0 ? tamperedJudgement(judged, tampered) : judged;
    const { pdfSha: _p, expectedRoles: _r, ...fields } = folded;
    return HubStore.check({
      _id: hubDocId(ward, record._id), type: 'hub-document', ward, docId: record._id,
      ...fields, ...judgement,
      seenAt: known?.seenAt ?? seenAt,
      ...(same ? (known.verifiedAt ? { verifiedAt: known.verifiedAt } : {}) : folded.signing === 'digital' ? { verifiedAt: seenAt } : {}),
    });
  }

  private async judge(ward: string, folded: Pick<Folded, 'signing' | 'pdfSha' | 'expectedRoles' | 'subject'>, hubId: string): Promise<Judgement> {
    if (folded.signing === 'digital') this.stats.verifications += 1;
    const ltvCopy = folded.signing === 'digital' ? await this.store.ltv(hubId) : null;
    return judge(folded, (sha) => this.cityFile(ward, sha), this.trust(), ltvCopy);
  }

  /** A file as the ward's database at the city holds it (blob record, then its chunks). */
  private cityFile(ward: string, sha256: string): Promise<CityFile> {
    return readCityFile((p) => this.get(`/${wardDbName(ward)}/${encodeURIComponent(p).replace('%2F', '/')}`), sha256);
  }

  /** Judges again documents already recorded (their events unchanged). */
  private async rejudge(ward: string, hubIds: string[], at: string): Promise<HubDocument[]> {
    return mapLimit(hubIds, CONCURRENCY, async (id) => {
      const d = this.store.get(id);
      if (!d || d.signing !== 'digital' || d.verdict === 'tampered') return null;
      const expectedRoles: Folded['expectedRoles'] = d.issuedAt ? ['leader', 'agency'] : ['leader'];
      const j = await this.judge(ward, { signing: 'digital', expectedRoles, subject: d.subject, ...(d.pdf ? { pdfSha: d.pdf.sha256 } : {}) }, id);
      const { pdf: _old, ...rest } = d;
      return HubStore.check({ ...rest, ...j, verifiedAt: at });
    });
  }

  /** A new revocation list: every digitally signed document of its issuer's ward (all of them for the root) is judged again. */
  private async rejudgeForCrls(issuers: string[], skip: Set<string> = new Set()): Promise<void> {
    const all = issuers.includes('city-root') || issuers.some((i) => !this.followers.has(i));
    const at = vnIso(this.now());
    const byWard = new Map<string, string[]>();
    for (const d of this.store.documents()) {
      if (d.signing !== 'digital' || skip.has(d._id) || (!all && !issuers.includes(d.ward))) continue;
      byWard.set(d.ward, [...(byWard.get(d.ward) ?? []), d._id]);
    }
    for (const [ward, ids] of byWard) {
      const records = await this.rejudge(ward, ids, at);
      for (const r of records) this.track(r);
      await this.store.commit(records, null);
    }
  }

  /**
   * City-owned LTV copies of the documents just judged valid. A failure (the TSA down, a file
   * gone) is logged and tried again when the document is next judged; the verdict stands.
   */
  private async addLtv(ward: string, records: HubDocument[]): Promise<void> {
    const ltv = this.o.ltv;
    if (!ltv) return;
    for (const r of records) {
      if (r.verdict !== 'valid' || !r.pdf?.complete || await this.store.hasLtv(r._id)) continue;
      try {
        const f = await this.cityFile(ward, r.pdf.sha256);
        if (f.state !== 'ok') continue;
        const trust = this.trust();
        const copy = await appendLtv(f.bytes, { certificates: [...signatureCertificates(f.bytes), ...this.o.roots, ...ltv.tsaChain], crls: trust.crls ?? [], timestamper: ltv.timestamper });
        await this.store.putLtv(r._id, r.pdf.sha256, copy, vnIso(this.now()));
        this.stats.ltv += 1;
      } catch (err) { this.log(`${ward}: LTV copy of ${r.docId} not made`, err); }
    }
  }

  private track(r: HubDocument): void {
    const set = this.pendingOf(r.ward);
    if (r.pdf && !r.pdf.complete) set.add(r._id); else set.delete(r._id);
  }

  private pendingOf(ward: string): Set<string> {
    return this.pending.get(ward) ?? (this.pending.set(ward, new Set()), this.pending.get(ward)!);
  }

  private records(ward: string): WardRecords { return new WardRecords(this.cityJson, ward); }

  /** Every event of a document at the city; the page's own events win (they are what this pass folds). */
  private async allEvents(ward: string, record: DocumentRecord, known: HubDocument | undefined, fromPage: EventRecord[]): Promise<GatheredEvents> {
    const numberEventId = known?.numberEventId && !fromPage.some((e) => e._id === known.numberEventId) ? known.numberEventId : null;
    const read = await documentEvents(this.cityJson, ward, record._id, { numberEventId });
    const byId = new Map(read.events.map((e) => [e._id, e]));
    for (const ev of fromPage) byId.set(ev._id, ev);
    return { events: [...byId.values()], tampered: read.tampered };
  }

  private readonly cityJson: CityJson = (path, body) => this.json(path, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
}

/** CouchDB 3 sequences are "N-opaque"; the embedded server's are numbers. The numeric part orders them. */
function seqNumber(seq: string | number): number {
  return typeof seq === 'number' ? seq : Number.parseInt(seq, 10) || 0;
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order; drops nulls. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R | null>): Promise<R[]> {
  const out: (R | null)[] = new Array(items.length).fill(null);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  }));
  return out.filter((r): r is R => r !== null);
}

const TAMPERED = {
  vi: 'Hồ sơ của văn bản tại thành phố đã bị ghi đè bằng một nhánh khác hoặc không khớp mã băm của nó: không được tính là đã ký số.',
  en: 'A record of this document at the city was overwritten by another branch or does not match its hash: it does not count as signed.',
};

function tamperedJudgement(j: Judgement, tampered: readonly string[]): Judgement {
  const detail = tampered.slice(0, 5).join('; ').slice(0, 900);
  return { ...j, verdict: 'tampered', reasons: [{ code: 'tampered', vi: `${TAMPERED.vi} (${detail})`, en: `${TAMPERED.en} (${detail})` }, ...j.reasons].slice(0, 50) };
}

function tamperedRecord(known: HubDocument, tampered: readonly string[]): HubDocument {
  const { verdict: _v, reasons: _r, ...rest } = known;
  return { ...rest, ...tamperedJudgement({ verdict: known.verdict, reasons: known.reasons, signatures: known.signatures, ...(known.pdf ? { pdf: known.pdf } : {}) }, tampered) };
}

function round(n: number): number { return Math.round(n * 10) / 10; }

function sleep(ms: number): Promise<void> { return new Promise((ok) => setTimeout(ok, ms).unref()); }
