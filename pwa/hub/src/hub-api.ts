// What the dashboard reads from the hub (/api/hub, node/city/hub-http.ts),
// typed as the page uses it. The browser sends the city administrator's
// HTTP Basic credentials it asked for when the page opened.
import type { HubCounts, Rate } from '../../../sync/hub-rate.js';

export type Counted = HubCounts & { rate: Rate };
export interface Summary { version: number; range: { from: string | null; to: string | null; weeks: number }; total: Counted; units: { total: number; at100: number; list: { ward: string; unit: string }[] }; wards: number }
export interface WeekRow extends Counted { week: string }
export interface WardRow extends Counted { ward: string; units: number; unitsAt100: number }
export interface SentRow { ward: string; docId: string; subject: string; state: string; code: string; lastEventAt: string }
export interface SyncRow { ward: string; lastSeenAt: string | null; silentSeconds: number | null; pendingFiles: number; lagP50Seconds: number | null; lagMaxSeconds: number | null; documents: number; health: string; chainEntries: number; chainBrokenAt: number | null; chainBrokenReason: string | null }
export interface Reason { code: string; vi: string; en: string }
export interface HubDoc {
  ward: string; docId: string; direction: string; docType: string; unit: string; subject: string; state: string; symbol?: string;
  issuedAt?: string; week?: string; signing: string; verdict: string; reasons: Reason[];
  signatures: { role: string; signerName: string; signingTime: string | null; status: string }[];
  pdf?: { sha256: string; size: number; complete: boolean };
}
export interface DocList { total: number; offset: number; limit: number; rows: HubDoc[] }
export interface DocDetail { document: HubDoc; timeline: { at: string; what: string; state?: string }[]; steps: { action: string; at: string; user: string; role: string; comment?: string }[] | null; pdf: (HubDoc['pdf'] & { url: string }) | null }

export class HubApiError extends Error {
  constructor(readonly status: number, readonly body: { message?: { vi: string; en: string } } | null) { super(`HTTP ${status}`); }
}

export async function getJson<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const res = await fetch(withQuery(path, params), { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const body = await res.json().catch(() => null) as unknown;
  if (!res.ok) throw new HubApiError(res.status, body as HubApiError['body']);
  return body as T;
}

export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
