// The shapes the data layer hands the UI. They mirror the node's REST
// summaries (node/http/document-routes.ts) so a screen can show either.
import type { Action } from '../../../sync/schema.js';
import type { Role } from '../../../sync/workflow.js';

export interface DataUser { username: string; role: Role }

export interface DocSummary {
  /** The node's id, or `local:<clientId>` for a draft created offline and not yet accepted by the node. */
  id: string;
  rev: string | null;
  direction: 'outgoing' | 'incoming';
  state: string | null;
  medium: 'electronic' | 'paper';
  docType: string;
  subject: string;
  number: string | null;
  symbol: string | null;
  numberAndSymbol: string | null;
  /** Issue date once numbered, arrival for incoming, else creation (the node's clock; ISO with +07:00). */
  date: string;
  author: string | null;
  handler: string | null;
  /** Hạn xử lý (YYYY-MM-DD) from the latest assignment. */
  deadline: string | null;
  lastActivity: string | null;
  nextActions: Action[];
  /** Commands queued on this device for this document and not yet accepted by the node. */
  pendingCommands: number;
  /** Unresolved conflicts (refused commands) for this document. */
  conflicts: number;
}

export interface DocEvent { id: string; action: string; at: string; actor: { user: string; role: string }; comment?: string; data: Record<string, unknown>; pending: boolean }

export interface DocDetail extends DocSummary { content: Record<string, unknown>; createdAt: string; createdBy: string; events: DocEvent[] }

export interface ListFilter {
  direction?: 'outgoing' | 'incoming';
  state?: string;
  docType?: string;
  /** Accent-insensitive: "quyet dinh" finds "Quyết định". Every word must match. */
  q?: string;
  limit?: number;
  offset?: number;
}

/** What the UI queues; `docId` is a node id or a `local:` id returned by an earlier create. */
export type CommandInput =
  | { kind: 'create'; content: Record<string, unknown> }
  | { kind: 'edit'; docId: string; content: Record<string, unknown> }
  | { kind: 'act'; docId: string; action: Action; comment?: string; data?: Record<string, unknown> };

export interface QueuedCommand {
  _id: string;
  _rev?: string;
  type: 'command';
  clientId: string;
  command: CommandInput;
  /** The record revision the user saw when queuing; 'previous' = whatever the command before it on this document produced. */
  baseRev: string | 'previous' | null;
  /** Device time: for display only (device clocks are wrong). */
  queuedAt: string;
}

export interface ConflictRecord {
  _id: string;
  _rev?: string;
  type: 'conflict';
  clientId: string;
  docId: string;
  command: CommandInput;
  baseRev: string | 'previous' | null;
  /** The node's refusal, shown as is. */
  code: string;
  status: number;
  message: { vi: string; en: string };
  /** Device time of the refusal: display only. */
  at: string;
  /** The outbox key the command had, so a retry keeps its place in the order. */
  outboxKey: string;
}

export interface SyncStatus {
  /** The node answered the last request. */
  online: boolean;
  /** 'unauthenticated': the session expired; log in again (nothing queued is lost). */
  state: 'idle' | 'syncing' | 'offline' | 'unauthenticated';
  /** Commands queued on this device not yet accepted by the node. */
  pending: number;
  conflicts: number;
  /** Device time at which the last pull reached the node's head; null before the first. */
  lastSyncAt: string | null;
  /** During a pull: documents received so far in this run. */
  progress: { docsRead: number; docsWritten: number } | null;
  /** navigator.storage.estimate(), when the browser gives it. */
  storage: { usage: number; quota: number; persisted: boolean } | null;
}
