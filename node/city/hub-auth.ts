// Who may read the dashboard: the city administrator (WARDDESK_CITY_ADMIN),
// over HTTP Basic. Decided over a session login because the dashboard holds
// signing data of every ward but nothing a click can change (read-only: no
// CSRF surface), Basic works the same for the page, curl and a spreadsheet's
// CSV import, and the hub keeps no session store. The password travels with
// every request, so the hub listens on 127.0.0.1 unless told otherwise and
// must sit behind HTTPS when it listens elsewhere (README). Ten wrong tries
// from one address within 15 minutes lock that address out for the rest of the window.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { wardError } from '../../sync/errors.js';
import type { AdminCredentials } from './init.js';

const MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60 * 1000;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** `Authorization: Basic …` → name and password, or null. */
export function parseBasic(header: string | undefined): AdminCredentials | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const at = text.indexOf(':');
  return at < 0 ? null : { name: text.slice(0, at), password: text.slice(at + 1) };
}

export function basicAuth(admin: AdminCredentials, now: () => number = Date.now): RequestHandler {
  // Compared as fixed-length digests so the time taken says nothing about the secret.
  const expected = digest(`${admin.name}\u0000${admin.password}`);
  const failures = new Map<string, { count: number; since: number }>();
  return (req, res, next) => {
    const ip = req.ip ?? 'unknown';
    const seen = failures.get(ip);
    if (seen && now() - seen.since > WINDOW_MS) failures.delete(ip);
    const locked = (failures.get(ip)?.count ?? 0) >= MAX_FAILURES;
    const given = parseBasic(req.headers.authorization);
    if (!locked && given && timingSafeEqual(digest(`${given.name}\u0000${given.password}`), expected)) { next(); return; }
    if (locked) { next(wardError('account_locked')); return; }
    if (given) {
      const f = failures.get(ip) ?? { count: 0, since: now() };
      f.count += 1;
      failures.set(ip, f);
    }
    res.setHeader('WWW-Authenticate', 'Basic realm="WardDesk city hub", charset="UTF-8"');
    next(wardError(given ? 'bad_credentials' : 'not_logged_in'));
  };
}
