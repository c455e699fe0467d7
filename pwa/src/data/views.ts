// Documents as the UI sees them, folded from the local replica's records and
// events with sync/'s workflow rules, with the device's queued commands laid
// over them (marked pending) so offline work shows at once.
import type { DocumentRecord, EventRecord, IncomingArrival, OutgoingDraft } from '../../../sync/schema.js';
import { applyEvent, availableActions, compareEvents, emptyState, shownMedium, type DerivedState } from '../../../sync/workflow.js';
import { accentedText, foldVietnamese } from '../../../sync/text.js';
import type { ConflictRecord, DataUser, DocDetail, DocEvent, QueuedCommand } from './types.js';

/** `folded` / `accented`: the search texts, computed at the first search (folding every body at start costs ~100 ms per 5,000). */
export interface LocalView extends DocDetail { activeMs: number; folded: () => string; accented: () => string }

/** Body text past this length adds little to finding a document (same bound as the node's index). */
const SEARCHED_BODY_CHARS = 2000;

export function buildViews(
  user: DataUser, records: readonly DocumentRecord[], events: readonly EventRecord[],
  commands: readonly QueuedCommand[], conflicts: readonly ConflictRecord[], idMap: ReadonlyMap<string, string>,
): Map<string, LocalView> {
  const byDoc = new Map<string, EventRecord[]>();
  for (const ev of events) (byDoc.get(ev.docId) ?? byDoc.set(ev.docId, []).get(ev.docId)!).push(ev);
  const views = new Map<string, LocalView>();
  for (const record of records) {
    const evs = (byDoc.get(record._id) ?? []).sort(compareEvents);
    views.set(record._id, fold(user, record, evs.map((e) => ({ ev: e, pending: false }))));
  }
  // Queued commands, in order, over what the node last told us.
  for (const cmd of commands) {
    const c = cmd.command;
    if (c.kind === 'create') {
      const id = idMap.get(`local:${cmd.clientId}`);
      if (id && views.has(id)) continue; // accepted and already pulled
      const record = localRecord(user, id ?? `local:${cmd.clientId}`, c.content, cmd.queuedAt);
      views.set(record._id, fold(user, record, [{ ev: localEvent(user, record._id, 'create', cmd), pending: true }]));
      continue;
    }
    const docId = idMap.get(c.docId) ?? c.docId;
    const view = views.get(docId);
    if (!view) continue;
    const record = { ...recordOf(view), ...(c.kind === 'edit' ? { content: c.content as DocumentRecord['content'] } : {}) };
    const action = c.kind === 'edit' ? 'edit' : c.action;
    const pendingEvent = localEvent(user, docId, action, cmd, c.kind === 'act' ? c.comment : undefined);
    views.set(docId, fold(user, record, [...view.events.map((e) => ({ ev: eventOf(docId, e), pending: e.pending })), { ev: pendingEvent, pending: true }]));
  }
  for (const view of views.values()) {
    view.pendingCommands = commands.filter((cmd) => commandDoc(cmd, idMap) === view.id).length;
    view.conflicts = conflicts.filter((k) => (idMap.get(k.docId) ?? k.docId) === view.id).length;
  }
  return views;
}

/** The document a command is about, in node ids where known. */
export function commandDoc(cmd: QueuedCommand, idMap: ReadonlyMap<string, string>): string {
  const raw = cmd.command.kind === 'create' ? `local:${cmd.clientId}` : cmd.command.docId;
  return idMap.get(raw) ?? raw;
}

function fold(user: DataUser, record: DocumentRecord, events: { ev: EventRecord; pending: boolean }[]): LocalView {
  let derived: DerivedState = emptyState();
  let numberText: string | null = null;
  let symbol: string | null = null;
  let date = record.createdAt;
  let activeMs = Date.parse(record.createdAt);
  for (const { ev } of events) {
    derived = applyEvent(record.direction, derived, ev);
    activeMs = Math.max(activeMs, Date.parse(ev.at) || 0);
    if ((ev.action === 'number' || ev.action === 'register') && ev.data['number'] !== undefined) {
      numberText = String(ev.data['numberText'] ?? ev.data['number']);
      symbol = typeof ev.data['symbol'] === 'string' ? ev.data['symbol'] : null;
      date = ev.at;
    }
  }
  const content = record.content;
  const parties = record.direction === 'outgoing'
    ? ((content as OutgoingDraft).recipients ?? []).map((r) => r.name).join(' ')
    : `${(content as IncomingArrival).senderName} ${(content as IncomingArrival).originalSymbol}`;
  const body = record.direction === 'outgoing' ? ((content as OutgoingDraft).body ?? '').slice(0, SEARCHED_BODY_CHARS) : '';
  const timeline: DocEvent[] = events.map(({ ev, pending }) => ({
    id: ev._id, action: ev.action, at: ev.at, actor: { user: ev.actor.user, role: ev.actor.role }, data: ev.data, pending, ...(ev.comment ? { comment: ev.comment } : {}),
  }));
  return {
    id: record._id, rev: record._rev ?? null, direction: record.direction, state: derived.state, medium: shownMedium(record.direction, derived, record.content),
    docType: content.docType, subject: content.subject, number: numberText, symbol,
    numberAndSymbol: numberText && symbol ? `${numberText}/${symbol}` : numberText,
    date, author: derived.author, handler: derived.handler, deadline: derived.deadline, lastActivity: derived.lastAt,
    nextActions: user.role === 'admin' ? [] : availableActions(record.direction, derived, { user: user.username, role: user.role }),
    pendingCommands: 0, conflicts: 0,
    content: content as unknown as Record<string, unknown>, createdAt: record.createdAt, createdBy: record.createdBy, events: timeline,
    activeMs,
    folded: memo(() => foldVietnamese([content.subject, numberText ?? '', symbol ?? '', parties, body].join(' '))),
    accented: memo(() => accentedText([content.subject, numberText ?? '', symbol ?? '', parties, body].join(' '))),
  };
}

function memo(fn: () => string): () => string {
  let value: string | null = null;
  return () => (value ??= fn());
}

function recordOf(view: LocalView): DocumentRecord {
  return {
    _id: view.id, ...(view.rev ? { _rev: view.rev } : {}), type: 'document', ward: '', direction: view.direction,
    createdAt: view.createdAt, createdBy: view.createdBy, content: view.content as unknown as DocumentRecord['content'],
  };
}

function eventOf(docId: string, e: DocEvent): EventRecord {
  return { _id: e.id, type: 'event', ward: '', docId, action: e.action as EventRecord['action'], at: e.at, actor: { ...e.actor, role: e.actor.role as EventRecord['actor']['role'], device: '' }, data: e.data, ...(e.comment ? { comment: e.comment } : {}) };
}

function localRecord(user: DataUser, id: string, content: Record<string, unknown>, at: string): DocumentRecord {
  const draft = { recipients: [], attachments: [], signerAuthority: '', signerTitle: '', signerName: '', body: '', ...content } as unknown as OutgoingDraft;
  return { _id: id, type: 'document', ward: '', direction: 'outgoing', createdAt: at, createdBy: user.username, content: draft };
}

function localEvent(user: DataUser, docId: string, action: string, cmd: QueuedCommand, comment?: string): EventRecord {
  return {
    _id: `pending:${cmd._id}`, type: 'event', ward: '', docId, action: action as EventRecord['action'], at: cmd.queuedAt,
    actor: { user: user.username, role: user.role, device: '' }, data: {}, ...(comment ? { comment } : {}),
  };
}
