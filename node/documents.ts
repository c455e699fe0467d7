// The document service: every workflow step is checked against sync/'s rules,
// written as one event (plus the content, on create/edit) through the ledger,
// then folded into the projection.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { wardError } from '../sync/errors.js';
import { IncomingArrivalInput, OutgoingDraftInput, type OutgoingDraft, type Action, type Actor, type DocumentRecord, type EventRecord } from '../sync/schema.js';
import { checkTransition, emptyState, type Direction, type Role } from '../sync/workflow.js';
import { parseInput } from '../sync/validation.js';
import { eventData, parseActionData } from '../sync/action-data.js';
import { plainTextCheck } from '../sync/plain-text.js';
import { vnIso, vnToday } from '../sync/vn-time.js';
import type { Blobs } from './blobs.js';
import { cityLinkConfigured, type Config } from './config.js';
import type { Ledger } from './ledger.js';
import type { Numbering } from './numbering.js';
import type { DocView, Projection } from './projection.js';
import type { Users } from './users.js';

/** Steps after which the document's content may never change again. */
const SEALING = new Set<Action>(['sign', 'sign-paper']);

export const ActionRequest = z.strictObject({
  comment: z.string().trim().max(5000).optional(),
  data: z.record(z.string(), z.unknown()).default({}),
}).superRefine(plainTextCheck(['comment']));

/**
 * The electronic signing steps (node/signing.ts): the leader's signature at
 * `sign`, the clerk's number, date and agency seal at `issue`. Each returns
 * the event's data (the signed PDF's blob, certificate serial…), never the PIN.
 */
export interface SignaturePort {
  signAsLeader(view: DocView, actor: Actor, pin: string): Promise<Record<string, unknown>>;
  signAsAgency(view: DocView, actor: Actor, pin: string): Promise<Record<string, unknown>>;
}

export interface DocumentsDeps {
  config: Config; ledger: Ledger; projection: Projection; numbering: Numbering; blobs: Blobs; users: Users; signer?: SignaturePort;
}

export class Documents {
  constructor(private readonly deps: DocumentsDeps) {}

  async get(id: string): Promise<DocView> {
    const view = await this.deps.projection.view(id);
    if (!view) throw wardError('document_not_found');
    return view;
  }

  async createOutgoing(actor: Actor, role: Role, input: unknown, paper = false): Promise<DocView> {
    const parsed = parseInput(OutgoingDraftInput, input);
    if (!parsed.ok) throw parsed.error;
    await this.deps.blobs.checkRefs(parsed.value.attachments);
    return this.create(actor, role, 'outgoing', parsed.value, paper ? 'register-paper' : 'create');
  }

  async createIncoming(actor: Actor, role: Role, input: unknown): Promise<DocView> {
    const parsed = parseInput(IncomingArrivalInput, input);
    if (!parsed.ok) throw parsed.error;
    await this.deps.blobs.checkRefs(parsed.value.attachments);
    return this.create(actor, role, 'incoming', parsed.value, 'arrive');
  }

  private create(actor: Actor, role: Role, direction: Direction, content: DocumentRecord['content'], action: Action): Promise<DocView> {
    const verdict = checkTransition(direction, emptyState(), action, { user: actor.user, role }, undefined);
    if (!verdict.ok) throw wardError(verdict.code);
    const uuid = randomUUID();
    const id = `doc:${direction === 'outgoing' ? 'out' : 'in'}:${uuid}`;
    return this.deps.ledger.runGrouped((now) => {
      const record: DocumentRecord = {
        _id: id, type: 'document', ward: this.deps.config.ward.code, direction, createdAt: vnIso(now), createdBy: actor.user, content,
        ...(action === 'register-paper' ? { sealed: true as const } : {}),
      };
      const event = this.event(now, actor, id, action, undefined, {});
      return {
        command: { actor, action: `document.${action}`, target: id, docs: [record, event] },
        result: id,
        applied: () => { this.deps.projection.putRecord(record); this.deps.projection.applyEvent(event); this.holdUntilWritten(id); },
      };
    }).then((docId) => this.get(docId));
  }

  /** The author rewrites a draft; `baseRev` guards against overwriting someone's newer save. */
  async editDraft(actor: Actor, role: Role, id: string, input: unknown, baseRev: string | undefined): Promise<DocView> {
    const parsed = parseInput(OutgoingDraftInput, input);
    if (!parsed.ok) throw parsed.error;
    await this.deps.blobs.checkRefs(parsed.value.attachments);
    return this.warmed(id, () => this.deps.ledger.runGrouped(async (now) => {
      const view = await this.get(id);
      if (view.direction !== 'outgoing') throw wardError('illegal_transition');
      const verdict = checkTransition('outgoing', view.derived, 'edit', { user: actor.user, role }, undefined);
      if (!verdict.ok) throw wardError(verdict.code === 'illegal_transition' ? 'not_editable' : verdict.code);
      if (baseRev !== undefined && baseRev !== view.record._rev) throw wardError('stale_revision');
      const record: DocumentRecord = { ...view.record, content: parsed.value };
      const event = this.event(now, actor, id, 'edit', undefined, {});
      return {
        command: { actor, action: 'document.edit', target: id, docs: [record, event] },
        result: id,
        applied: () => { this.holdUntilWritten(id, view); this.deps.projection.putRecord(record); this.deps.projection.applyEvent(event); },
      };
    })).then((docId) => this.get(docId));
  }

  async act(actor: Actor, role: Role, id: string, action: Action, body: unknown): Promise<DocView> {
    const request = parseInput(ActionRequest, body);
    if (!request.ok) throw request.error;
    // The data a step takes depends on the medium at issue: the seal's PIN, or the paper's scan.
    const medium = this.deps.projection.get(id)?.derived.medium ?? 'electronic';
    const data = parseActionData(action, medium, request.value.data);
    if (!data.ok) throw data.error;
    const comment = request.value.comment;
    await this.precheck(action, data.value);
    const signed = await this.sign(actor, role, id, action, comment, data.value);
    return this.commit(actor, role, id, action, comment, signed ?? data.value);
  }

  /** Whether `actor` may take `action` on the document now (checked again when the step is written). */
  async checkStep(actor: Actor, role: Role, id: string, action: Action): Promise<DocView> {
    const view = await this.get(id);
    if (view.direction !== 'outgoing' || view.derived.medium === 'paper') throw wardError('illegal_transition');
    const verdict = checkTransition(view.direction, view.derived, action, { user: actor.user, role }, undefined);
    if (!verdict.ok) throw wardError(verdict.code);
    return view;
  }

  /** A signing step whose signature was made elsewhere (two-phase, node/two-phase.ts): `data` is the signer's. */
  recordSigned(actor: Actor, role: Role, id: string, action: 'sign', data: Record<string, unknown>): Promise<DocView> {
    return this.commit(actor, role, id, action, undefined, data);
  }

  private commit(actor: Actor, role: Role, id: string, action: Action, comment: string | undefined, stepData: Record<string, unknown>): Promise<DocView> {
    return this.warmed(id, () => this.deps.ledger.runGrouped(async (now) => {
      const view = await this.get(id);
      const verdict = checkTransition(view.direction, view.derived, action, { user: actor.user, role }, comment);
      if (!verdict.ok) throw wardError(verdict.code);
      if (action === 'send') this.checkSendable(view);
      const event = await this.stepEvent(now, actor, view, action, comment, stepData);
      // Signing seals the content in the same batch: from then on the city refuses any change to it.
      const sealed: DocumentRecord | null = SEALING.has(action) && !view.record.sealed ? { ...view.record, sealed: true } : null;
      return {
        command: { actor, action: `document.${action}`, target: id, docs: sealed ? [sealed, event] : [event] },
        result: id,
        applied: () => { this.holdUntilWritten(id, view); if (sealed) this.deps.projection.putRecord(sealed); this.deps.projection.applyEvent(event); },
      };
    })).then((docId) => this.get(docId));
  }

  /**
   * Builds run one at a time (node/ledger.ts): a build that read the store would hold every
   * writer behind its read, which made numbering wait on one LevelDB read per number. So the
   * document is read before its command queues and kept in the view cache (pinned, changes
   * applied in memory keep it current) until its build has run, which then reads memory only.
   */
  private async warmed<T>(id: string, queue: () => Promise<T>): Promise<T> {
    this.deps.projection.hold(id, await this.get(id));
    try { return await queue(); } finally { this.deps.projection.release(id); }
  }

  /**
   * Under group commit a change is in memory before it is in the store: until its group is
   * written, the document's whole view must not be dropped from the cache and read back from
   * the store, which would not have the change yet (node/ledger.ts, docs/decisions/0010).
   * `view`: the document as the command's build read it, cached again if it was dropped since.
   * Called from `applied`, before the command joins its group: the durable point is asked for
   * once it has.
   */
  private holdUntilWritten(id: string, view?: DocView): void {
    this.deps.projection.hold(id, view);
    queueMicrotask(() => { void this.deps.ledger.durable().then(() => this.deps.projection.release(id)); });
  }

  /**
   * Electronic signing, before the ledger command: rendering and RSA take a
   * while and must not hold the single writer. The state is checked here
   * (no PIN is tried for a step that is not allowed) and again in the command.
   */
  private async sign(actor: Actor, role: Role, id: string, action: Action, comment: string | undefined, data: Record<string, unknown>): Promise<Record<string, unknown> | null> {
    if (action !== 'sign' && action !== 'issue') return null;
    const view = await this.get(id);
    if (view.derived.medium === 'paper' || view.direction !== 'outgoing') return null;
    const verdict = checkTransition(view.direction, view.derived, action, { user: actor.user, role }, comment);
    if (!verdict.ok) throw wardError(verdict.code);
    const pin = typeof data['pin'] === 'string' ? data['pin'] : null;
    if (!pin) throw wardError('invalid_input', [{ path: 'data.pin', vi: 'Cần nhập mã PIN của khóa ký.', en: 'The signing key\'s PIN is required.' }]);
    if (!this.deps.signer) throw wardError('signature_required');
    return action === 'sign' ? this.deps.signer.signAsLeader(view, actor, pin) : this.deps.signer.signAsAgency(view, actor, pin);
  }

  /**
   * "Gửi" hands an issued document to the city, which delivers it to the
   * recipients with an agency code. With no city link, or no such recipient,
   * nothing would ever arrive anywhere: say so rather than mark it sent.
   */
  private checkSendable(view: DocView): void {
    if (!cityLinkConfigured(this.deps.config)) throw wardError('send_no_city');
    const content = view.record.content as { recipients?: { agencyId?: string }[] };
    if (!(content.recipients ?? []).some((r) => r.agencyId)) throw wardError('send_no_recipient');
  }

  /** Checks that need I/O but not the document's state, done before queueing. */
  private async precheck(action: Action, data: Record<string, unknown>): Promise<void> {
    if (action === 'assign') {
      const handler = await this.deps.users.get(String(data['handler']));
      if (!handler || !handler.active || handler.role === 'admin') {
        throw wardError('invalid_input', [{ path: 'data.handler', vi: 'Người xử lý không tồn tại hoặc không hoạt động.', en: 'The handler does not exist or is inactive.' }]);
      }
      // A deadline already past when set is a typing slip, not a plan (Vietnam's calendar day, the node's clock).
      if (typeof data['deadline'] === 'string' && data['deadline'] < vnToday(new Date())) {
        throw wardError('invalid_input', [{ path: 'data.deadline', vi: 'Hạn xử lý không được trước ngày hôm nay.', en: 'The deadline cannot be before today.' }]);
      }
    }
    if (action === 'issue' && typeof data['scan'] === 'string') {
      const blob = await this.deps.blobs.stat(data['scan']);
      if (!blob) throw wardError('attachment_not_found');
    }
  }

  private async stepEvent(now: Date, actor: Actor, view: DocView, action: Action, comment: string | undefined, data: Record<string, unknown>): Promise<EventRecord> {
    switch (action) {
      case 'sign':
        // Reached only with the signer's data (sign() ran first): the PIN never gets here.
        if (typeof data['pdf'] !== 'string') throw wardError('signature_required');
        return this.event(now, actor, view.id, action, comment, data);
      case 'issue':
        if (view.derived.medium === 'paper' && typeof data['scan'] !== 'string') throw wardError('scan_required');
        if (view.derived.medium === 'electronic' && typeof data['pdf'] !== 'string') throw wardError('signature_required');
        return this.event(now, actor, view.id, action, comment, data);
      case 'number': {
        const content = view.record.content as OutgoingDraft;
        const n = this.deps.numbering.nextOutgoing(now, content.docType, content.unitCode);
        return this.event(now, actor, view.id, action, comment, { ...n, eventId: undefined, date: vnIso(now) }, n.eventId);
      }
      case 'register': {
        const n = this.deps.numbering.nextIncoming(now);
        return this.event(now, actor, view.id, action, comment, { ...n, eventId: undefined, date: vnIso(now) }, n.eventId);
      }
      default:
        return this.event(now, actor, view.id, action, comment, data);
    }
  }

  /** Every event's data is checked against its step's stored shape (sync/action-data.ts): nothing else is written. */
  private event(now: Date, actor: Actor, docId: string, action: Action, comment: string | undefined, data: Record<string, unknown>, id?: string): EventRecord {
    const stored = eventData(action).safeParse(Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)));
    // A bug, not bad input (input was parsed by actionInput): refuse to write rather than store an unknown field.
    if (!stored.success) throw new Error(`event data of ${action} does not fit its schema: ${stored.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`);
    const clean = stored.data;
    return {
      _id: id ?? `ev:${docId.slice(4)}:${String(now.getTime()).padStart(15, '0')}`,
      type: 'event', ward: this.deps.config.ward.code, docId, action, at: vnIso(now), actor,
      ...(comment ? { comment } : {}), data: clean,
    };
  }
}
