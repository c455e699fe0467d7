// Login, logout, who am I, change password.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { wardError } from '../../sync/errors.js';
import { parseInput } from '../../sync/validation.js';
import type { Ledger } from '../ledger.js';
import type { LoginAudit } from '../login-audit.js';
import type { Sessions } from '../sessions.js';
import type { DiskUsage } from '../store.js';
import { Password, type UserProfile, type Users } from '../users.js';
import { actorOf, caller, SESSION_COOKIE } from './context.js';
import { diskReport, type DiskReport } from './health-routes.js';

const Login = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });
const ChangePassword = z.strictObject({ oldPassword: z.string().min(1).max(200), newPassword: Password });

export interface AuthDeps {
  users: Users; sessions: Sessions; ledger: Ledger; loginAudit: LoginAudit; cookieSecure: boolean; sessionTtlMs: number;
  /** How full the data disk is: shown to admins, with a warning from 90 %. */
  disk?: () => DiskUsage;
}

/** Refused attempts wait this long: a flood's clients slow down, at no cost to the node (a timer, no work). */
const REFUSAL_DELAY_MS = 1_000;

export function publicUser(u: UserProfile) {
  return { username: u.username, fullName: u.fullName, title: u.title, role: u.role, active: u.active };
}

/** Routes reachable without a session. */
export function loginRouter(deps: AuthDeps): Router {
  const router = Router();
  router.post('/auth/login', async (req, res) => {
    const input = parseInput(Login, req.body);
    if (!input.ok) throw input.error;
    const address = req.socket.remoteAddress ?? '';
    const device = `${address} ${String(req.headers['user-agent'] ?? '').slice(0, 200)}`.trim();
    const username = input.value.username.toLowerCase();
    const verdict = await deps.users.login(username, input.value.password, address);
    if (!verdict.ok && !verdict.checked) {
      // Refused before any check: counted, not written one by one; the same answer for every name.
      deps.loginAudit.refused(address, username);
      await new Promise((ok) => setTimeout(ok, REFUSAL_DELAY_MS));
    } else {
      await deps.loginAudit.record({ at: new Date(), user: username, role: verdict.ok ? verdict.user.role : 'specialist', device, action: verdict.ok ? 'auth.login' : `auth.${verdict.code}` }, verdict.ok);
    }
    if (!verdict.ok) {
      if (verdict.retryAfterSeconds) res.set('Retry-After', String(verdict.retryAfterSeconds));
      throw wardError(verdict.code);
    }
    // Replace whatever cookie came in: never reuse a token the client chose.
    const old = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (old) await deps.sessions.destroy(old);
    const { token, session } = await deps.sessions.create(verdict.user.username, device, verdict.mustChange);
    setCookie(res, deps, token);
    res.json({ user: publicUser(verdict.user), csrfToken: session.csrf, mustChangePassword: verdict.mustChange, ...diskFor(verdict.user, deps) });
  });
  return router;
}

/** Routes for a logged-in caller. */
export function sessionRouter(deps: AuthDeps): Router {
  const router = Router();
  router.get('/auth/me', (_req, res) => {
    const c = caller(res);
    res.json({ user: publicUser(c.user), csrfToken: c.session.csrf, mustChangePassword: c.mustChange, ...diskFor(c.user, deps) });
  });
  router.post('/auth/logout', async (_req, res) => {
    await deps.sessions.destroy(caller(res).token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ ok: true });
  });
  router.post('/auth/password', async (req: Request, res: Response) => {
    const input = parseInput(ChangePassword, req.body);
    if (!input.ok) throw input.error;
    const c = caller(res);
    await deps.users.changePassword(c.user.username, input.value.oldPassword, input.value.newPassword, req.socket.remoteAddress ?? '');
    await deps.ledger.run(() => ({ command: { actor: actorOf(req, res), action: 'auth.password-changed', target: `user:${c.user.username}`, docs: [] }, result: undefined }));
    await deps.sessions.destroyAllFor(c.user.username);
    const { token, session } = await deps.sessions.create(c.user.username, c.session.device, false);
    setCookie(res, deps, token);
    res.json({ user: publicUser(c.user), csrfToken: session.csrf, mustChangePassword: false });
  });
  return router;
}

/** For an admin: how full the data disk is, and a warning in both languages from 90 % (health-routes.ts). */
function diskFor(user: UserProfile, deps: AuthDeps): { disk?: DiskReport } {
  if (user.role !== 'admin' || !deps.disk) return {};
  return { disk: diskReport(deps.disk()) };
}

function setCookie(res: Response, deps: AuthDeps, token: string): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, secure: deps.cookieSecure, sameSite: 'strict', path: '/', maxAge: deps.sessionTtlMs });
}
