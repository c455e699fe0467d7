// The HTTP surface of the ward node: one router per feature, mounted here.
import express, { type Express } from 'express';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import type { Logger } from 'pino';
import type { WardServices } from '../ward-node.js';
import { authenticate } from './context.js';
import { errorHandler, notFound } from './errors.js';
import { loginRouter, sessionRouter } from './auth-routes.js';
import { userRouter } from './user-routes.js';
import { documentRouter } from './document-routes.js';
import { blobRouter } from './blob-routes.js';
import { auditRouter } from './audit-routes.js';
import { syncRouter } from './sync-routes.js';
import { certRouter } from './cert-routes.js';
import { signingRouter } from './signing-routes.js';
import { settingsRouter } from './settings-routes.js';
import { registerRouter } from './register-routes.js';
import { previewRouter } from './preview-routes.js';
import { setupRouter } from './setup-routes.js';
import { replicateRouter } from './replicate-routes.js';
import { findPwaDir, pwaRouter } from './pwa-static.js';
import { compressJson } from './compress-json.js';
import { pkiRouter } from './pki-routes.js';
import { healthRouter } from './health-routes.js';
import { wardError } from '../../sync/errors.js';
import { MemoryGuard } from '../memory-guard.js';

export function buildApp(s: WardServices, log: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');
  // The app loads only its own scripts and styles; it shows PDFs from blob: URLs in a frame.
  app.use(helmet({ contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null, 'frame-src': ["'self'", 'blob:'], 'img-src': ["'self'", 'data:', 'blob:'], 'worker-src': ["'self'"], 'manifest-src': ["'self'"], 'connect-src': ["'self'", 'http://127.0.0.1:*', 'http://localhost:*'] } } }));
  app.use(cookieParser());
  // JSON answers (documents, lists, the replication feed, errors) compressed above 1 KiB; files pass untouched.
  app.use(compressJson());

  // Liveness for anyone; the disk's state for an admin's session (health-routes.ts).
  app.use('/api', healthRouter({ sessions: s.sessions, users: s.users, disk: () => s.store.disk(), diskFull: () => s.store.diskFull, projection: s.projection }));

  // CRLs and CA certificates for any validator: no login (pki-routes.ts).
  app.use(pkiRouter(s.signing.pkiSource()));

  const api = express.Router();
  // JSON only, strict (objects and arrays at the top), bounded.
  api.use((req, _res, next) => {
    // Files (uploads, signature and seal images) are the only raw bodies.
    const raw = req.path.startsWith('/blobs') || req.path === '/me/signature-image' || req.path === '/seal/image';
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && !raw) {
      const type = String(req.headers['content-type'] ?? '');
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > 0 && !type.startsWith('application/json')) throw wardError('unsupported_media_type');
    }
    next();
  });
  api.use(express.json({ limit: s.config.bodyLimitBytes, strict: true }));
  // JSON may escape a lone surrogate ("\ud800"): no UTF-8 form, so the store and the audit hash fail on it (a 500). Refuse it here.
  api.use((req, _res, next) => {
    const broken = illFormedPath(req.body);
    if (broken !== null) throw wardError('invalid_input', [{ path: broken, vi: `Trường "${broken}" chứa ký tự hỏng (nửa cặp UTF-16).`, en: `Field "${broken}" contains a broken character (a lone UTF-16 surrogate).` }]);
    next();
  });
  // Reads wait until what is already applied in memory is on disk: nobody is shown a number or a step that a crash could undo (0010).
  api.use((req, _res, next) => { if (req.method === 'GET' || req.method === 'HEAD') void s.ledger.durable().then(() => next()); else next(); });
  const authDeps = { users: s.users, sessions: s.sessions, ledger: s.ledger, loginAudit: s.loginAudit, disk: () => s.store.disk(), cookieSecure: s.config.cookieSecure, sessionTtlMs: s.config.sessionTtlHours * 3_600_000 };
  api.use(loginRouter(authDeps));
  api.use(authenticate(s.sessions, s.users));
  // While the view is rebuilt from the store (a bad snapshot), requests wait for it: answered, slower, never from half a view.
  api.use(async (_req, _res, next) => { await s.projection.whenReady(); next(); });
  const memory = new MemoryGuard(s.config.memory.heapGuardPercent, () => { s.projection.dropCache(); log.warn('heap near its cap: cached documents dropped'); });
  api.use((_req, _res, next) => { memory.check(); next(); });
  api.use(sessionRouter(authDeps));
  api.use(userRouter(s.users, s.sessions));
  api.use(previewRouter(s.projection, s.settings));
  api.use(documentRouter(s.documents, s.projection));
  api.use(blobRouter(s.blobs, s.blobAccess, s.config.blobLimitBytes));
  api.use(auditRouter(s.ledger, s.store.docs));
  api.use(syncRouter(s.citySync));
  api.use(setupRouter({ signing: s.signing, users: s.users, activations: s.activations, lanTls: () => s.lanTls, wardCode: s.config.ward.code }));
  api.use(certRouter(s.signing, s.users, s.projection, { adminSetsPin: s.config.enrolment.adminSetsPin }));
  api.use(signingRouter(s.twoPhase));
  api.use(settingsRouter({ config: s.config, settings: s.settings, signing: s.signing, citySync: s.citySync }));
  api.use(registerRouter(s.projection, s.settings));
  api.use('/replicate', replicateRouter(s.store.docs, s.projection, s.ledger));
  app.use('/api', api);

  const pwaDir = findPwaDir();
  if (pwaDir) app.use(pwaRouter(pwaDir));

  app.use(notFound());
  app.use(errorHandler(log));
  return app;
}

/** The path of the first string (value or key) that is not well-formed Unicode, or null. Iterative: bodies may nest deeply. */
export function illFormedPath(body: unknown): string | null {
  const stack: [unknown, string][] = [[body, '(body)']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') { if (!value.isWellFormed()) return path; continue; }
    if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) continue;
    for (const [key, child] of Object.entries(value)) {
      const at = path === '(body)' ? key : `${path}.${key}`;
      if (!key.isWellFormed()) return at;
      stack.push([child, at]);
    }
  }
  return null;
}
