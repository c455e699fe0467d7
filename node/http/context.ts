// What the auth middleware puts on each request, and the guards routes use.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { wardError } from '../../sync/errors.js';
import type { Actor } from '../../sync/schema.js';
import type { Role } from '../../sync/workflow.js';
import type { Session, Sessions } from '../sessions.js';
import type { UserProfile, Users } from '../users.js';

export const SESSION_COOKIE = 'wd_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Caller { user: UserProfile; session: Session; token: string; mustChange: boolean }

export function caller(res: Response): Caller {
  const c = res.locals['caller'] as Caller | undefined;
  if (!c) throw wardError('not_logged_in');
  return c;
}

/** Who did it, from which device: goes into every event and audit entry. */
export function actorOf(req: Request, res: Response): Actor {
  const c = caller(res);
  const agent = String(req.headers['user-agent'] ?? '').slice(0, 200);
  return { user: c.user.username, role: c.user.role, device: `${req.ip ?? ''} ${agent}`.trim() };
}

/** Loads the session; every route after it may call caller(). Mutations need the CSRF header too. */
export function authenticate(sessions: Sessions, users: Users): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    const session = await sessions.lookup(token);
    if (!session || !token) throw wardError('not_logged_in');
    const user = await users.get(session.username);
    if (!user || !user.active) { await sessions.destroy(token); throw wardError('not_logged_in'); }
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && req.get(CSRF_HEADER) !== session.csrf) throw wardError('csrf');
    const mustChange = session.mustChange;
    res.locals['caller'] = { user, session, token, mustChange } satisfies Caller;
    // A one-time password only opens the door to choosing a real one.
    if (mustChange && !(req.method === 'POST' && req.path === '/auth/password') && !(req.method === 'GET' && req.path === '/auth/me') && !(req.method === 'POST' && req.path === '/auth/logout')) {
      throw wardError('password_change_required');
    }
    next();
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    if (!roles.includes(caller(res).user.role)) throw wardError('forbidden');
    next();
  };
}
