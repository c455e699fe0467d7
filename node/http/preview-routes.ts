// The draft as it will print, before anyone signs: the leader reads the
// rendered page (layout, headings, nơi nhận) before approving and signing,
// with the number and date still blank. Rendered on request, never stored.
//   GET /api/documents/:id/preview
import { Router } from 'express';
import { wardError } from '../../sync/errors.js';
import { z } from 'zod';
import type { OutgoingDraft } from '../../sync/schema.js';
import { renderDocument } from '../pdf-render.js';
import type { Projection } from '../projection.js';
import type { WardSettings } from '../ward-settings.js';
import { viewIsOthersDraft } from '../working-set.js';
import { caller } from './context.js';

const DocId = z.string().regex(/^doc:out:[0-9a-f-]{36}$/);

export function previewRouter(projection: Projection, settings: WardSettings): Router {
  const router = Router();
  router.get('/documents/:id/preview', async (req, res) => {
    const id = DocId.safeParse(req.params['id']);
    const view = id.success ? await projection.view(id.data) : undefined;
    const c = caller(res);
    if (!view || viewIsOthersDraft(view, { user: c.user.username, role: c.user.role })) throw wardError('document_not_found');
    const { pdf } = await renderDocument({ content: view.record.content as OutgoingDraft, ward: settings.current() });
    res.set('Content-Type', 'application/pdf').set('Content-Disposition', 'inline; filename="xem-truoc.pdf"').set('Cache-Control', 'no-store').send(pdf);
  });
  return router;
}
