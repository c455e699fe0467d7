// Outgoing and incoming documents: create, edit, take a workflow step, list, search.
import { Router } from 'express';
import { z } from 'zod';
import { wardError } from '../../sync/errors.js';
import { INCOMING_ACTIONS, OUTGOING_ACTIONS, type Action } from '../../sync/schema.js';
import { EXCHANGE_STATUS, availableActions, shownMedium, type IncomingState, type Role } from '../../sync/workflow.js';
import { parseInput } from '../../sync/validation.js';
import { DocumentQuery, queryDocuments } from '../document-query.js';
import type { Documents } from '../documents.js';
import type { DocumentRecord } from '../../sync/schema.js';
import { docDate, type DocSummary, type DocView, type Projection } from '../projection.js';
import { viewIsOthersDraft } from '../working-set.js';
import { actorOf, caller, requireRole } from './context.js';

const DocId = z.string().regex(/^doc:(out|in):[0-9a-f-]{36}$/);
const StepAction = z.enum([...OUTGOING_ACTIONS, ...INCOMING_ACTIONS]);
const EditBody = z.object({ baseRev: z.string().max(100).optional(), content: z.unknown() }).strict();

export function documentRouter(documents: Documents, projection: Projection): Router {
  const router = Router();

  router.get('/documents', async (req, res) => {
    const query = parseInput(DocumentQuery, req.query);
    if (!query.ok) throw query.error;
    const c = caller(res);
    await projection.whenReady();
    const { total, items } = queryDocuments(projection, query.value, { user: c.user.username, role: c.user.role });
    // Only the page's records are read: their subjects are not kept in memory.
    const records = await projection.records(items.map((v) => v.id));
    res.json({ total, items: items.flatMap((v) => { const record = records.get(v.id); return record ? [summary(v, record, c.user.username, c.user.role)] : []; }) });
  });

  router.get('/documents/:id', async (req, res) => {
    const c = caller(res);
    const view = await documents.get(docId(req.params['id']));
    // Another official's draft is answered as absent, not forbidden: its existence is the author's too.
    if (viewIsOthersDraft(view, { user: c.user.username, role: c.user.role })) throw wardError('document_not_found');
    res.json(detail(view, c.user.username, c.user.role));
  });

  router.post('/documents/outgoing', requireRole('specialist', 'leader', 'clerk'), async (req, res) => {
    const c = caller(res);
    const view = await documents.createOutgoing(actorOf(req, res), c.user.role, req.body);
    res.status(201).json(detail(view, c.user.username, c.user.role));
  });

  router.post('/documents/outgoing/paper', requireRole('clerk'), async (req, res) => {
    const c = caller(res);
    const view = await documents.createOutgoing(actorOf(req, res), c.user.role, req.body, true);
    res.status(201).json(detail(view, c.user.username, c.user.role));
  });

  router.post('/documents/incoming', requireRole('clerk'), async (req, res) => {
    const c = caller(res);
    const view = await documents.createIncoming(actorOf(req, res), c.user.role, req.body);
    res.status(201).json(detail(view, c.user.username, c.user.role));
  });

  router.put('/documents/:id', async (req, res) => {
    const id = docId(req.params['id']);
    const body = parseInput(EditBody, req.body);
    if (!body.ok) throw body.error;
    const c = caller(res);
    const view = await documents.editDraft(actorOf(req, res), c.user.role, id, body.value.content, body.value.baseRev);
    res.json(detail(view, c.user.username, c.user.role));
  });

  router.post('/documents/:id/actions/:action', async (req, res) => {
    const id = docId(req.params['id']);
    const action = parseInput(StepAction, req.params['action']);
    if (!action.ok || action.value === 'create' || action.value === 'arrive' || action.value === 'edit' || action.value === 'register-paper') throw wardError('illegal_transition');
    const c = caller(res);
    const view = await documents.act(actorOf(req, res), c.user.role, id, action.value as Action, req.body ?? {});
    res.json(detail(view, c.user.username, c.user.role));
  });

  return router;
}

function docId(raw: string | undefined): string {
  const parsed = DocId.safeParse(raw);
  if (!parsed.success) throw wardError('document_not_found');
  return parsed.data;
}

function summary(v: DocSummary, record: DocumentRecord, username: string, role: Role) {
  return {
    id: v.id,
    rev: record._rev,
    direction: v.direction,
    state: v.derived.state,
    exchangeStatus: v.direction === 'incoming' && v.derived.state ? EXCHANGE_STATUS[v.derived.state as IncomingState] : undefined,
    medium: shownMedium(v.direction, v.derived, record.content),
    docType: record.content.docType,
    subject: record.content.subject,
    number: v.numberText,
    symbol: v.symbol,
    numberAndSymbol: v.numberText && v.symbol ? `${v.numberText}/${v.symbol}` : v.numberText,
    date: docDate(v),
    author: v.derived.author,
    handler: v.derived.handler,
    deadline: v.derived.deadline,
    lastActivity: v.derived.lastAt,
    nextActions: role === 'admin' ? [] : availableActions(v.direction, v.derived, { user: username, role }),
  };
}

function detail(v: DocView, username: string, role: Role) {
  return {
    ...summary(v, v.record, username, role),
    content: v.record.content,
    createdAt: v.record.createdAt,
    createdBy: v.record.createdBy,
    events: v.events.map((e) => ({ id: e._id, action: e.action, at: e.at, actor: { user: e.actor.user, role: e.actor.role }, comment: e.comment, data: e.data })),
  };
}
