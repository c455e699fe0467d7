// Two-phase signing over HTTP (node/two-phase.ts): the leader's PWA asks the
// node what to sign, has `warddesk signer` on the leader's PC sign it with the
// token, and sends the signature back. The node records the step only once
// the signature verifies; the PIN and the key stay on the PC.
import { Router } from 'express';
import { z } from 'zod';
import { wardError } from '../../sync/errors.js';
import { parseInput } from '../../sync/validation.js';
import type { TwoPhaseSigning } from '../two-phase.js';
import { actorOf, caller, requireRole } from './context.js';

const Prepare = z.strictObject({ certificates: z.array(z.string().min(1).max(16 * 1024)).min(1).max(8) });
const Complete = z.strictObject({ signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(2048) });
const DocId = z.string().regex(/^doc:out:[0-9a-f-]{36}$/);

export function signingRouter(twoPhase: TwoPhaseSigning): Router {
  const router = Router();

  router.post('/documents/:id/signing', requireRole('leader'), async (req, res) => {
    const id = DocId.safeParse(req.params['id']);
    if (!id.success) throw wardError('document_not_found');
    const input = parseInput(Prepare, req.body);
    if (!input.ok) throw input.error;
    res.status(201).json(await twoPhase.prepare(actorOf(req, res), caller(res).user.role, id.data, input.value.certificates));
  });

  router.post('/signing/:signingId', requireRole('leader'), async (req, res) => {
    const input = parseInput(Complete, req.body);
    if (!input.ok) throw input.error;
    const view = await twoPhase.complete(actorOf(req, res), caller(res).user.role, String(req.params['signingId']).slice(0, 64), Buffer.from(input.value.signature, 'base64'));
    res.json({ id: view.id, state: view.derived.state, pdf: [...view.events].reverse().find((e) => e.action === 'sign')?.data['pdf'] });
  });

  return router;
}
