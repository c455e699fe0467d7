// The ward node's JSON API, called directly (until the data layer in ./data
// takes over the lists and the editor). Cookie session + x-csrf-token header;
// every failure becomes an ApiError carrying the server's code and both
// messages, or `network_unreachable` when the node cannot be reached.
import { ERRORS, type ErrorCode } from '../../sync/errors.js';

export type Role = 'specialist' | 'leader' | 'clerk' | 'admin';
export interface User { username: string; fullName: string; title: string; role: Role; active: boolean }
export interface BookRef { direction: 'out' | 'in'; register: string | null; year: number }
export type BookRows =
  | { direction: 'out'; year: number; rows: { number: number; numberAndSymbol: string; date: string; typeAndSubject: string; signer: string; recipients: string; medium: string; id: string }[] }
  | { direction: 'in'; year: number; rows: { number: number; arrivalDate: string; sender: string; originalSymbol: string; originalDate: string; typeAndSubject: string; handler: string; medium: string; id: string }[] };
const bookPath = (b: BookRef) => (b.direction === 'in' ? `/registers/in/${b.year}` : `/registers/out/${encodeURIComponent(b.register ?? '')}/${b.year}`);
export interface Handler { username: string; fullName: string; title: string; role: Role }
/** The data disk, in the admin-only part of GET /api/health; `message` from 90 % full. */
export interface DiskReport { usedPercent: number; freeBytes: number; totalBytes: number; warning: boolean; message?: { vi: string; en: string } }
export interface Health { ok: boolean; disk?: DiskReport; writesRefusedDiskFull?: boolean }
export interface Session { user: User; csrfToken: string; mustChangePassword: boolean }
export interface AttachmentRef { name: string; contentType: 'application/pdf' | 'image/png' | 'image/jpeg'; size: number; sha256: string }
export interface Recipient { name: string; agencyId?: string }
export interface DraftContent {
  docType: string; subject: string; body: string; unitCode?: string;
  signerAuthority: string; signerTitle: string; signerName: string;
  recipients: Recipient[]; attachments: AttachmentRef[];
}
export interface DocSummary {
  id: string; rev: string; direction: 'outgoing' | 'incoming'; state: string | null; exchangeStatus?: string; medium?: string;
  docType: string; subject: string; number?: string; symbol?: string; numberAndSymbol?: string; date?: string;
  author?: string; handler?: string; deadline?: string | null; lastActivity?: string; nextActions: string[];
  /** From the device's store: changes to it queued in the outbox, not yet taken by the node. */
  pendingCommands?: number;
}
export interface DocEvent { id: string; action: string; at: string; actor: { user: string; role: string }; comment?: string; data?: Record<string, unknown> }
export interface DocDetail extends DocSummary { content: Record<string, unknown>; createdAt: string; createdBy: string; events: DocEvent[] }
export interface DocQuery { q?: string; direction?: string; state?: string; docType?: string; from?: string; to?: string; handler?: string; author?: string; limit?: number; offset?: number }
export interface Reason { code: string; vi: string; en: string }
export interface SignatureVerdict { role?: string; signerName?: string; signingTime?: string; status: string; reasons: Reason[] }
export interface Verification { pdf: string; verdict: { status: string; signatures: SignatureVerdict[]; reasons: Reason[] } }
export interface Certificate { holder: string; role: string; subject: string; serial: string; validTo: string; revoked: { date: string; reason: string } | null }
export interface SetupStatus {
  ward: WardIdentity;
  ca: { subject: string; root: string; standalone: boolean; validTo: string } | null;
  tls: { issuer: 'bootstrap' | 'ward-ca'; names: string[] } | null;
  officials: Record<Role, number>;
  leaders: { username: string; fullName: string; key: boolean; image: boolean }[];
  seal: { key: boolean; image: boolean };
  activations: { holder: string; user: string | null; expiresAt: string }[];
}
export interface IssuedActivation { holder: string; user: string | null; code: string; link: string; expiresAt: string; serial: string }
export interface MyKeys { holder: string; key: boolean; image: boolean; seal: { key: boolean; image: boolean } | null }
export type RevocationReason = 'unspecified' | 'keyCompromise' | 'cACompromise' | 'affiliationChanged' | 'superseded' | 'cessationOfOperation';
export interface WardIdentity { code: string; agencyParent: string; agencyName: string; agencyCode: string; agencyId?: string; place: string }
export type EditableSetting = 'agencyParent' | 'agencyName' | 'place';
export interface WardSettingsView {
  ward: WardIdentity; overridden: EditableSetting[]; fromConfig: Pick<WardIdentity, EditableSetting>;
  registers: { key: string; types: string[] }[]; sealImage: boolean;
  /** The seal certificate: `stale` after a rename (its subject names the old agency). Optional: older nodes do not send it. */
  seal?: { installed: boolean; stale: boolean; subject: string | null };
  /** What the admin must act on (e.g. seal_reissue_required), in both languages. */
  notices?: { code: string; vi: string; en: string }[];
  city: { url: string | null; credentials: boolean; intervalSeconds: number; sync: { configured: boolean; online: boolean | null; upToDate: boolean; lastSuccessfulSync: string | null; summary: { vi: string; en: string } } };
}

/** A file stored on the node (POST /api/blobs). */
export interface BlobMeta { sha256: string; size: number; contentType: AttachmentRef['contentType'] }
/** The ward's link to the city as the node reports it (sync/status.ts), the parts the app shows. */
export interface CityLinkStatus {
  configured: boolean; online: boolean | null; upToDate: boolean; lastSuccessfulSync: string | null;
  phase?: 'idle' | 'running' | 'waiting' | 'stopped';
  pending?: { documents: number; bytes: number };
  rate?: { docsPerSecond: number; bytesPerSecond: number } | null;
  lastError?: { code: string; at: string; vi: string; en: string } | null;
  /** While the city sync is stopped: what to do about it. */
  action?: { vi: string; en: string } | null;
  summary: { vi: string; en: string };
}

export class ApiError extends Error {
  constructor(readonly code: string, readonly status: number, readonly vi: string, readonly en: string, readonly details: { path: string; vi: string; en: string }[] = []) {
    super(en);
    this.name = 'ApiError';
  }
  static of(code: ErrorCode): ApiError {
    const e = ERRORS[code];
    return new ApiError(code, e.status, e.vi, e.en);
  }
}

let csrf = '';
let asking: Promise<unknown> | null = null;
/**
 * The session's anti-forgery token, for our mutations and the data layer's
 * (its outbox sends queued changes). An app that started offline has none
 * yet: it is asked of the node (GET /auth/me, from the session cookie) first,
 * once for all callers waiting; with the node away it stays '' and the node's
 * refusal tells the caller to log in again.
 */
export async function csrfToken(): Promise<string> {
  if (!csrf) await (asking ??= call('GET', '/auth/me').catch(() => undefined).finally(() => { asking = null; }));
  return csrf;
}
const listeners = new Set<(ok: boolean) => void>();
/** Told after every request whether the node answered (the sync bar's "online"). */
export function onReachability(fn: (ok: boolean) => void): () => void { listeners.add(fn); return () => listeners.delete(fn); }
const reached = (ok: boolean) => { for (const fn of listeners) fn(ok); };

/**
 * What carries one request to the node and brings back its status and body:
 * fetch, or (upload.ts) an XMLHttpRequest, the only way to see upload
 * progress. It throws an ApiError of its own (a cancelled upload) or anything
 * else when the node could not be reached.
 */
export type Transport = (url: string, init: { method: string; headers: Record<string, string>; body: BodyInit | null }) => Promise<{ status: number; text: string }>;

const fetchTransport: Transport = async (url, init) => {
  const res = await fetch(url, { ...init, credentials: 'same-origin', cache: 'no-store' });
  return { status: res.status, text: await res.text() };
};

async function call<T>(method: string, path: string, body?: unknown, raw?: Blob, transport: Transport = fetchTransport): Promise<T> {
  // An app that started offline has no anti-forgery token yet: fetch it (from the session cookie) first, and once more if the node says it changed.
  if (method !== 'GET' && !path.startsWith('/auth/login')) await csrfToken();
  try { return await send<T>(method, path, body, raw, transport); } catch (e) {
    if (!(e instanceof ApiError && e.code === 'csrf')) throw e;
    await call('GET', '/auth/me');
    return send<T>(method, path, body, raw, transport);
  }
}

/** A raw body sent through another transport, with the same token, retry and error handling as every other call. */
export const callVia = <T>(transport: Transport, method: string, path: string, raw: Blob): Promise<T> => call<T>(method, path, undefined, raw, transport);

async function send<T>(method: string, path: string, body: unknown, raw: Blob | undefined, transport: Transport): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let payload: BodyInit | undefined;
  if (raw) { payload = raw; headers['content-type'] = raw.type; }
  else if (body !== undefined) { payload = JSON.stringify(body); headers['content-type'] = 'application/json'; }
  let res: { status: number; text: string };
  try {
    res = await transport(`/api${path}`, { method, headers, body: payload ?? null });
  } catch (e) {
    if (e instanceof ApiError) throw e;
    reached(false);
    throw ApiError.of('network_unreachable');
  }
  const { text } = res;
  let json: unknown = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  // A 502/503/504 without our error shape is a proxy or the service worker saying the node is away.
  if (res.status >= 502 && !(json && typeof json === 'object' && 'code' in json)) { reached(false); throw ApiError.of('network_unreachable'); }
  reached(true);
  if (res.status < 200 || res.status > 299) {
    const e = json as { code?: string; message?: { vi: string; en: string }; details?: { path: string; vi: string; en: string }[] } | null;
    if (e?.code && e.message) throw new ApiError(e.code, res.status, e.message.vi, e.message.en, e.details ?? []);
    const fallback = ERRORS.internal;
    throw new ApiError('internal', res.status, fallback.vi, fallback.en);
  }
  if (json && typeof json === 'object' && 'csrfToken' in json) csrf = String((json as { csrfToken: string }).csrfToken);
  // The node changed something: the device's working set pulls it (store.ts listens).
  if (method !== 'GET' && !path.startsWith('/auth/')) window.dispatchEvent(new CustomEvent('wd-node-changed'));
  return json as T;
}

const qs = (q: Record<string, unknown>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export const api = {
  login: (username: string, password: string) => call<Session>('POST', '/auth/login', { username, password }),
  me: () => call<Session>('GET', '/auth/me'),
  changePassword: (oldPassword: string, newPassword: string) => call<Session>('POST', '/auth/password', { oldPassword, newPassword }),
  logout: () => call<{ ok: boolean }>('POST', '/auth/logout'),

  list: (q: DocQuery) => call<{ total: number; items: DocSummary[] }>('GET', `/documents${qs({ ...q })}`),
  get: (id: string) => call<DocDetail>('GET', `/documents/${encodeURIComponent(id)}`),
  createOutgoing: (content: DraftContent) => call<DocDetail>('POST', '/documents/outgoing', content),
  createIncoming: (arrival: Record<string, unknown>) => call<DocDetail>('POST', '/documents/incoming', arrival),
  edit: (id: string, baseRev: string, content: DraftContent) => call<DocDetail>('PUT', `/documents/${encodeURIComponent(id)}`, { baseRev, content }),
  act: (id: string, step: string, comment?: string, data?: Record<string, unknown>) =>
    call<DocDetail>('POST', `/documents/${encodeURIComponent(id)}/actions/${step}`, { ...(comment ? { comment } : {}), ...(data ? { data } : {}) }),
  /** Two-phase signing with the official's own token (token-signer.ts). */
  prepareSigning: (id: string, certificates: string[]) => call<{ signingId: string; toSign: string; document: { number: string | null; subject: string; docType: string } }>('POST', `/documents/${encodeURIComponent(id)}/signing`, { certificates }),
  completeSigning: (signingId: string, signature: string) => call<{ id: string; state: string }>('POST', `/signing/${encodeURIComponent(signingId)}`, { signature }),
  verification: (id: string) => call<Verification>('GET', `/documents/${encodeURIComponent(id)}/verification`),
  /** `name`: what the download is saved as (the node adds the file's real extension). */
  blobUrl: (sha256: string, name?: string) => `/api/blobs/${sha256}${name ? `?name=${encodeURIComponent(name)}` : ''}`,
  /** The unsigned draft rendered as it will print. */
  previewUrl: (id: string) => `/api/documents/${encodeURIComponent(id)}/preview`,
  registers: () => call<{ items: BookRef[] }>('GET', '/registers'),
  registerBook: (b: BookRef) => call<BookRows>('GET', bookPath(b)),
  registerBookUrl: (b: BookRef, format: 'pdf' | 'csv') => `/api${bookPath(b)}?format=${format}`,
  /** Officials a document can be assigned to (leader and clerk only). */
  handlers: () => call<{ items: Handler[] }>('GET', '/handlers'),

  health: () => call<Health>('GET', '/health'),
  users: () => call<{ items: User[] }>('GET', '/users'),
  createUser: (u: { username: string; fullName: string; title: string; role: Role; password: string }) => call<User>('POST', '/users', u),
  patchUser: (username: string, patch: Partial<Pick<User, 'fullName' | 'title' | 'role' | 'active'>>) => call<User>('PATCH', `/users/${encodeURIComponent(username)}`, patch),
  resetPassword: (username: string) => call<{ username: string; oneTimePassword: string }>('POST', `/users/${encodeURIComponent(username)}/reset-password`),
  certificates: () => call<{ items: Certificate[] }>('GET', '/certificates'),
  enrol: (holder: string, caPin: string, pin: string) => call<{ holder: string; serial: string }>('POST', '/certificates', { holder, caPin, pin }),
  revoke: (serial: string, reason: RevocationReason, caPin: string) => call<{ holder: string; serial: string; crlNumber: number }>('POST', `/certificates/${encodeURIComponent(serial)}/revoke`, { caPin, reason }),
  settings: () => call<WardSettingsView>('GET', '/settings'),
  patchSettings: (patch: Partial<Pick<WardIdentity, EditableSetting>>) => call<WardSettingsView>('PATCH', '/settings', patch),
  sealImage: (png: Blob) => call<{ ok: boolean }>('PUT', '/seal/image', undefined, png),
  signatureImage: (png: Blob) => call<{ ok: boolean }>('PUT', '/me/signature-image', undefined, png),

  setupStatus: () => call<SetupStatus>('GET', '/setup/status'),
  installBundle: (b: { p12: string; pin: string; rootPem?: string; rootCrl?: string }) => call<{ subject: string }>('POST', '/setup/ca/bundle', b),
  standaloneCa: (pin: string, confirm: boolean) => call<{ subject: string }>('POST', '/setup/ca/standalone', { pin, confirm }),
  issueActivation: (holder: string, caPin: string) => call<IssuedActivation>('POST', '/certificates/activations', { holder, caPin }),
  activate: (code: string, pin: string) => call<{ holder: string; kind: string }>('POST', '/me/activate', { code, pin }),
  reissueTls: (caPin: string) => call<{ issuer: string; names: string[] }>('POST', '/setup/tls', { caPin }),
  myKeys: () => call<MyKeys>('GET', '/me/keys'),
  changePin: (which: 'mine' | 'seal', oldPin: string, newPin: string) => call<{ ok: boolean }>('POST', which === 'seal' ? '/seal/pin' : '/me/certificate/pin', { oldPin, newPin }),

  syncStatus: () => call<CityLinkStatus>('GET', '/sync/status'),
  /** Runs the node's city sync now (after it stopped) and answers the status it left. */
  citySyncNow: () => call<CityLinkStatus>('POST', '/sync/now'),
};

/** For `catch (e)`: anything thrown becomes an ApiError a person can read. */
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  // The data layer throws sync/errors.ts WardErrors: same code, status and messages.
  const w = e as { code?: unknown; status?: number; vi?: unknown; en?: unknown; details?: { path: string; vi: string; en: string }[] } | null;
  if (w && typeof w.code === 'string' && typeof w.vi === 'string' && typeof w.en === 'string') return new ApiError(w.code, w.status ?? 400, w.vi, w.en, [...(w.details ?? [])]);
  return ApiError.of('internal');
}
