// The workflow's actions, apart from the zod schemas in schema.ts: the city's
// validate_doc_update checks an event's action too, and it must not pull zod
// into the bundle couchjs runs (see record-shapes.ts). schema.ts re-exports them.

export const OUTGOING_ACTIONS = ['create', 'register-paper', 'edit', 'submit', 'return', 'approve', 'sign', 'sign-paper', 'number', 'issue', 'send', 'recipient-status'] as const;
export const INCOMING_ACTIONS = ['arrive', 'refuse', 'register', 'assign', 'start', 'done', 'recall'] as const;
export type OutgoingAction = (typeof OUTGOING_ACTIONS)[number];
export type IncomingAction = (typeof INCOMING_ACTIONS)[number];
export type Action = OutgoingAction | IncomingAction;
