// The workflow rules of Decree 30/2020 (outgoing) and Decision 28/2018
// (incoming) as one table. A document's state is never stored: it is folded
// from its events, so the audit trail and the state cannot disagree.
import type { Action, EventRecord } from './schema.js';

export type Role = 'specialist' | 'leader' | 'clerk' | 'admin';
export const ROLES: readonly Role[] = ['specialist', 'leader', 'clerk', 'admin'];

export type OutgoingState = 'draft' | 'submitted' | 'returned' | 'approved' | 'signed' | 'numbered' | 'issued' | 'sent';
export type IncomingState = 'arrived' | 'refused' | 'registered' | 'assigned' | 'in_progress' | 'done';
export type DocState = OutgoingState | IncomingState;

/** Who may take a step: a role, the document's author, or the assigned handler. */
export type Who = Role | 'author' | 'handler' | 'city';

export interface Transition {
  action: Action;
  from: readonly (DocState | null)[];
  to: DocState | null; // null: state unchanged (edit, recipient status)
  who: readonly Who[];
  needsComment?: boolean;
}

export const OUTGOING_TRANSITIONS: readonly Transition[] = [
  { action: 'create', from: [null], to: 'draft', who: ['specialist', 'leader', 'clerk'] },
  // A document signed and issued on paper outside WardDesk, registered so the signing rate stays honest.
  { action: 'register-paper', from: [null], to: 'signed', who: ['clerk'] },
  { action: 'edit', from: ['draft', 'returned'], to: null, who: ['author'] },
  { action: 'submit', from: ['draft', 'returned'], to: 'submitted', who: ['author'] },
  { action: 'return', from: ['submitted'], to: 'returned', who: ['leader'], needsComment: true },
  { action: 'approve', from: ['submitted'], to: 'approved', who: ['leader'] },
  // Electronic signing needs the PKI: the event must carry a signature certs/ verifies.
  { action: 'sign', from: ['approved'], to: 'signed', who: ['leader'] },
  // The leader signed the printed document by hand; the clerk records it.
  { action: 'sign-paper', from: ['approved'], to: 'signed', who: ['clerk'] },
  { action: 'number', from: ['signed'], to: 'numbered', who: ['clerk'] },
  { action: 'issue', from: ['numbered'], to: 'issued', who: ['clerk'] },
  { action: 'send', from: ['issued'], to: 'sent', who: ['clerk'] },
  { action: 'recipient-status', from: ['sent'], to: null, who: ['city'] },
];

export const INCOMING_TRANSITIONS: readonly Transition[] = [
  { action: 'arrive', from: [null], to: 'arrived', who: ['clerk', 'city'] },
  { action: 'refuse', from: ['arrived'], to: 'refused', who: ['clerk'], needsComment: true },
  { action: 'register', from: ['arrived'], to: 'registered', who: ['clerk'] },
  { action: 'assign', from: ['registered', 'assigned', 'in_progress'], to: 'assigned', who: ['leader'] },
  { action: 'start', from: ['assigned'], to: 'in_progress', who: ['handler'] },
  { action: 'done', from: ['in_progress'], to: 'done', who: ['handler'] },
];

/** Decision 28/2018 / QCVN 102:2016 exchange status codes for incoming documents. */
export const EXCHANGE_STATUS: Record<IncomingState, string> = {
  arrived: '01', refused: '02', registered: '03', assigned: '04', in_progress: '05', done: '06',
};

export type Direction = 'outgoing' | 'incoming';

export function transitionsFor(direction: Direction): readonly Transition[] {
  return direction === 'outgoing' ? OUTGOING_TRANSITIONS : INCOMING_TRANSITIONS;
}

/** What is known of a document from its events alone. */
export interface DerivedState {
  state: DocState | null;
  author: string | null;
  handler: string | null;
  /** Hạn xử lý set at the latest assignment (YYYY-MM-DD), null when none was set. */
  deadline: string | null;
  medium: 'electronic' | 'paper';
  numberEventId: string | null;
  lastAt: string | null;
}

export function emptyState(): DerivedState {
  return { state: null, author: null, handler: null, deadline: null, medium: 'electronic', numberEventId: null, lastAt: null };
}

/** Folds one event into the state; events must be applied in order (at, _id). */
export function applyEvent(direction: Direction, current: DerivedState, event: EventRecord): DerivedState {
  const rule = transitionsFor(direction).find((t) => t.action === event.action);
  if (!rule) return current;
  const next: DerivedState = { ...current, lastAt: event.at };
  if (rule.to) next.state = rule.to;
  if (event.action === 'create' || event.action === 'arrive' || event.action === 'register-paper') next.author = event.actor.user;
  if (event.action === 'assign' && typeof event.data['handler'] === 'string') {
    next.handler = event.data['handler'];
    next.deadline = typeof event.data['deadline'] === 'string' ? event.data['deadline'] : null;
  }
  if (event.action === 'sign-paper' || event.action === 'register-paper') next.medium = 'paper';
  if (event.action === 'number' || event.action === 'register') next.numberEventId = event._id;
  return next;
}

export function deriveState(direction: Direction, events: readonly EventRecord[]): DerivedState {
  return [...events].sort(compareEvents).reduce((s, e) => applyEvent(direction, s, e), emptyState());
}

export function compareEvents(a: EventRecord, b: EventRecord): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : a._id < b._id ? -1 : a._id > b._id ? 1 : 0;
}

export type TransitionVerdict =
  | { ok: true; rule: Transition }
  | { ok: false; code: 'illegal_transition' | 'wrong_role' | 'invalid_input' };

/** May `user` with `role` take `action` on a document in `current` state? */
export function checkTransition(
  direction: Direction, current: DerivedState, action: Action,
  actor: { user: string; role: Role | 'city' }, comment: string | undefined,
): TransitionVerdict {
  const rule = transitionsFor(direction).find((t) => t.action === action);
  if (!rule) return { ok: false, code: 'illegal_transition' };
  if (!rule.from.includes(current.state)) return { ok: false, code: 'illegal_transition' };
  const allowed = rule.who.some((who) =>
    who === actor.role
    || (who === 'author' && current.author === actor.user && actor.role !== 'city')
    || (who === 'handler' && current.handler === actor.user && actor.role !== 'city'));
  if (!allowed) return { ok: false, code: 'wrong_role' };
  if (rule.needsComment && !(comment && comment.trim().length > 0)) return { ok: false, code: 'invalid_input' };
  return { ok: true, rule };
}

/** The steps a person could take next: drives "my tasks" in the PWA. */
export function availableActions(direction: Direction, current: DerivedState, actor: { user: string; role: Role }): Action[] {
  return transitionsFor(direction)
    .filter((t) => t.from[0] !== null && t.action !== 'recipient-status')
    .filter((t) => checkTransition(direction, current, t.action, actor, 'x').ok)
    .map((t) => t.action);
}

/**
 * What an official is shown as the document's form: an incoming document is
 * paper when it arrived on paper (its content says so); an outgoing one when
 * it was signed or registered on paper (its events say so).
 */
export function shownMedium(direction: Direction, derived: DerivedState, content: object): 'electronic' | 'paper' {
  return direction === 'incoming' && 'medium' in content && content.medium === 'paper' ? 'paper' : derived.medium;
}
