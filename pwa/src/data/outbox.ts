// The device's outbox: commands queued in a local PouchDB (never the node's
// database), sent to the node's REST API in order. Order comes from a device
// counter, not the device clock (device clocks are wrong). A refusal becomes a
// conflict record with the node's message; nothing is dropped unless the user
// discards it.
import type { ConflictRecord, CommandInput, QueuedCommand } from './types.js';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface NodeHttp { baseUrl: string; fetch: FetchLike; csrf: () => string | Promise<string> }

export type FlushOutcome = 'done' | 'offline' | 'unauthenticated';

interface IdMapDoc { _id: string; _rev?: string; type: 'idmap'; serverId: string }
interface CounterDoc { _id: string; _rev?: string; n: number }

const CMD = 'cmd:';
const CONFLICT = 'conflict:';
const IDMAP = 'idmap:';
/** Codes that mean "log in again", not "your change was refused". */
const SESSION_CODES = new Set(['not_logged_in', 'csrf', 'password_change_required']);

export class Outbox {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly db: PouchDB.Database, private readonly http: NodeHttp) {}

  /** Runs one outbox operation at a time (queue, flush, resolve never interleave). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  async commands(): Promise<QueuedCommand[]> { return this.range<QueuedCommand>(CMD); }
  async conflicts(): Promise<ConflictRecord[]> { return this.range<ConflictRecord>(CONFLICT); }

  async idMap(): Promise<Map<string, string>> {
    const docs = await this.range<IdMapDoc>(IDMAP);
    return new Map(docs.map((d) => [d._id.slice(IDMAP.length), d.serverId]));
  }

  /** Queues a command; `baseRev` is the revision the user saw, or 'previous' when an earlier command on the document is still unsent. */
  add(command: CommandInput, currentRev: (docId: string) => string | null): Promise<QueuedCommand> {
    return this.serial(async () => {
      const clientId = globalThis.crypto.randomUUID();
      const map = await this.idMap();
      const docOf = (c: CommandInput, id: string) => (c.kind === 'create' ? `local:${id}` : map.get(c.docId) ?? c.docId);
      let baseRev: QueuedCommand['baseRev'] = null;
      if (command.kind !== 'create') {
        const doc = docOf(command, clientId);
        const earlier = [...await this.commands(), ...await this.conflicts()].some((c) => docOf(c.command, c.clientId) === doc);
        baseRev = earlier || doc.startsWith('local:') ? 'previous' : currentRev(doc);
      }
      const cmd: QueuedCommand = { _id: await this.nextKey(), type: 'command', clientId, command, baseRev, queuedAt: new Date().toISOString() };
      const res = await this.db.put(cmd);
      return { ...cmd, _rev: res.rev };
    });
  }

  /** Sends queued commands in order until the node stops answering; refusals become conflicts. */
  flush(): Promise<FlushOutcome> {
    return this.serial(async () => {
      const map = await this.idMap();
      const blocked = new Set((await this.conflicts()).map((k) => map.get(k.docId) ?? k.docId));
      /** Revision each document has after the commands this run sent. */
      const revAfter = new Map<string, string | null>();
      for (const queued of await this.commands()) {
        const c = queued.command;
        const doc = c.kind === 'create' ? null : map.get(c.docId) ?? c.docId;
        const cmd = doc && queued.baseRev === 'previous' && revAfter.has(doc) ? { ...queued, baseRev: revAfter.get(doc) ?? null } : queued;
        // Waits behind a refused command on the same document, or an unsent create.
        if (doc && (blocked.has(doc) || doc.startsWith('local:') || cmd.baseRev === 'previous')) { blocked.add(doc); continue; }
        const answer = await this.send(c, doc, cmd.baseRev);
        if (answer.kind === 'offline' || answer.kind === 'unauthenticated') return answer.kind;
        if (answer.kind === 'refused') {
          const conflict: ConflictRecord = {
            _id: `${CONFLICT}${cmd.clientId}`, type: 'conflict', clientId: cmd.clientId, docId: doc ?? `local:${cmd.clientId}`,
            command: c, baseRev: cmd.baseRev, code: answer.code, status: answer.status, message: answer.message, at: new Date().toISOString(), outboxKey: cmd._id,
          };
          await this.write([conflict, await this.tombstone(cmd._id)]);
          blocked.add(conflict.docId);
          continue;
        }
        const serverId = doc ?? answer.id;
        await this.accepted(cmd, serverId, answer.rev);
        if (!doc) map.set(`local:${cmd.clientId}`, serverId);
        revAfter.set(serverId, answer.rev);
      }
      return 'done';
    });
  }

  /** 'retry': send it again, rebased on `currentRev` (the user keeps their version); 'discard': drop it (and, for a create, what was queued on that draft). */
  resolve(conflictId: string, choice: 'retry' | 'discard', currentRev: (docId: string) => string | null): Promise<void> {
    return this.serial(async () => {
      const conflict = await this.db.get<ConflictRecord>(conflictId);
      const map = await this.idMap();
      const doc = map.get(conflict.docId) ?? conflict.docId;
      const writes: object[] = [{ ...conflict, _deleted: true }];
      if (choice === 'retry') {
        const cmd: QueuedCommand = { _id: conflict.outboxKey, type: 'command', clientId: conflict.clientId, command: conflict.command, baseRev: conflict.command.kind === 'create' ? null : currentRev(doc), queuedAt: new Date().toISOString() };
        writes.push(cmd);
      } else {
        for (const later of await this.commands()) {
          const laterDoc = later.command.kind === 'create' ? null : map.get(later.command.docId) ?? later.command.docId;
          if (laterDoc !== doc) continue;
          if (doc.startsWith('local:')) writes.push({ ...later, _deleted: true });
          else if (later.baseRev === 'previous') { writes.push({ ...later, baseRev: currentRev(doc) }); break; }
        }
      }
      await this.write(writes);
    });
  }

  /** The node took it: the next command on the document is based on the revision it produced; then the command goes. */
  private async accepted(cmd: QueuedCommand, serverId: string, rev: string | null): Promise<void> {
    const writes: object[] = [];
    if (cmd.command.kind === 'create') writes.push({ _id: `${IDMAP}local:${cmd.clientId}`, type: 'idmap', serverId } satisfies IdMapDoc);
    const map = await this.idMap();
    if (cmd.command.kind === 'create') map.set(`local:${cmd.clientId}`, serverId);
    const next = (await this.commands()).find((c) => c._id > cmd._id && c.command.kind !== 'create' && (map.get(c.command.docId) ?? c.command.docId) === serverId);
    if (next && next.baseRev === 'previous') writes.push({ ...next, baseRev: rev });
    writes.push(await this.tombstone(cmd._id));
    await this.write(writes);
  }

  private async send(c: CommandInput, doc: string | null, baseRev: QueuedCommand['baseRev']): Promise<
    | { kind: 'ok'; id: string; rev: string | null } | { kind: 'offline' } | { kind: 'unauthenticated' }
    | { kind: 'refused'; code: string; status: number; message: { vi: string; en: string } }> {
    const [method, path, body] =
      c.kind === 'create' ? ['POST', '/api/documents/outgoing', c.content]
        : c.kind === 'edit' ? ['PUT', `/api/documents/${encodeURIComponent(doc!)}`, { content: c.content, ...(baseRev && baseRev !== 'previous' ? { baseRev } : {}) }]
          : ['POST', `/api/documents/${encodeURIComponent(doc!)}/actions/${encodeURIComponent(c.action)}`, { ...(c.comment ? { comment: c.comment } : {}), data: c.data ?? {} }];
    let res: Response;
    try {
      res = await this.http.fetch(`${this.http.baseUrl}${path}`, {
        method, body: JSON.stringify(body), credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': await this.http.csrf() },
      });
    } catch {
      return { kind: 'offline' };
    }
    const json = await res.json().catch(() => null) as { id?: string; rev?: string; code?: string; message?: { vi: string; en: string } } | null;
    if (res.ok && json?.id) return { kind: 'ok', id: json.id, rev: json.rev ?? null };
    // A proxy or service worker saying the node is away, or the node's store being busy: try again later.
    if (res.status >= 500 || !json?.code || !json.message) return { kind: 'offline' };
    if (SESSION_CODES.has(json.code)) return { kind: 'unauthenticated' };
    return { kind: 'refused', code: json.code, status: res.status, message: json.message };
  }

  private async tombstone(id: string): Promise<object> {
    const current = await this.db.get(id);
    return { _id: id, _rev: current._rev, _deleted: true };
  }

  /** One local batch; a failed write is a bug or a full disk, never silently ignored. */
  private async write(docs: object[]): Promise<void> {
    const results = await this.db.bulkDocs(docs as (Record<string, unknown> & { _id: string })[]);
    const failed = results.find((r) => 'error' in r && r.error);
    if (failed) throw new Error(`outbox write failed: ${failed.id ?? ''} ${(failed as PouchDB.Core.Error).reason ?? ''}`);
  }

  private async nextKey(): Promise<string> {
    const id = '_local/outbox-counter';
    const counter: CounterDoc = await this.db.get<CounterDoc>(id).catch(() => ({ _id: id, n: 0 }));
    counter.n += 1;
    await this.db.put(counter);
    return `${CMD}${String(counter.n).padStart(12, '0')}`;
  }

  private async range<T>(prefix: string): Promise<T[]> {
    const res = await this.db.allDocs({ startkey: prefix, endkey: `${prefix}\uffff`, include_docs: true });
    return res.rows.map((r) => r.doc as unknown as T);
  }
}
