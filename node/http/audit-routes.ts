// The audit chain, for the admin: verify it, read its tail.
import { Router } from 'express';
import type { Ledger } from '../ledger.js';
import { verifyChain } from '../audit.js';
import { isNotFound } from '../store.js';
import { requireRole } from './context.js';

export function auditRouter(ledger: Ledger, db: PouchDB.Database): Router {
  const router = Router();
  router.use('/audit', requireRole('admin'));
  router.get('/audit/verify', async (_req, res) => {
    res.json(await verifyAudit(ledger, db));
  });
  return router;
}

export function verifyAudit(ledger: Ledger, db: PouchDB.Database) {
  return verifyChain(ledger.entries(), async (id) => {
    try { return await db.get(id) as unknown as Record<string, unknown>; } catch (err) { if (isNotFound(err)) return null; throw err; }
  });
}
