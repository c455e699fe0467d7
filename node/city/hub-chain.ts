// The hub walks each ward's audit chain as it arrives: every entry must hash
// to its own `hash` and name the previous entry's hash as `prev`, in sequence
// from 1. The chain is what binds a ward's records to each other (each entry
// holds the digests of what it wrote); a ward that rewrites history must
// branch an entry, and a branched, missing or altered entry breaks the chain
// there for good. The break is shown per ward on the dashboard and in the CSV.
import { GENESIS, auditId, entryHash, type AuditEntry } from '../audit.js';
import type { HubWard } from '../../sync/hub-records.js';
import type { WardRecords } from './ward-records.js';

export type ChainState = NonNullable<HubWard['chain']>;

export const NEW_CHAIN: ChainState = { seq: 0, head: GENESIS, broken: null };

/** Entries fetched at once when the page did not bring the next ones (a page boundary, a restart). */
const GAP_READ = 500;

/**
 * Advances `state` over the entries a page brought (`seen`, genuine revisions
 * by sequence), reading from the city any entry between that the page lacked.
 * `branched` names entries that had a second branch: a break, whatever else.
 */
export async function advanceChain(state: ChainState, seen: ReadonlyMap<number, AuditEntry>, branched: ReadonlySet<number>, reader: WardRecords): Promise<ChainState> {
  if (state.broken) return state;
  // An entry already walked that now has a second branch: history was rewritten there.
  const rewritten = [...branched].filter((seq) => seq <= state.seq).sort((a, b) => a - b)[0];
  if (rewritten !== undefined) return broken(state, rewritten, 'the entry has a second branch at the city, or changed');
  const top = Math.max(state.seq, ...seen.keys(), ...branched);
  let next = { ...state };
  const fetched = new Map<number, AuditEntry | typeof BRANCHED>();
  while (next.seq < top) {
    const seq = next.seq + 1;
    const entry = branched.has(seq) ? BRANCHED : seen.get(seq) ?? (await fetchRange(reader, seq, Math.min(top, seq + GAP_READ - 1), fetched)).get(seq);
    if (entry === BRANCHED) return broken(next, seq, 'the entry has a second branch at the city, or changed');
    if (!entry) return next; // not arrived yet: the chain waits, it is not broken
    if (entryHash(entry) !== entry.hash) return broken(next, seq, 'the entry does not match its hash');
    if (entry.prev !== next.head) return broken(next, seq, "the entry does not name the previous entry's hash");
    next = { seq, head: entry.hash, broken: null };
  }
  return next;
}

function broken(state: ChainState, at: number, reason: string): ChainState {
  return { ...state, broken: { at, reason } };
}

const BRANCHED = 'branched' as const;

/** Entries `from`..`to` from the city into `into` (kept across the walk, so a range is read once). */
async function fetchRange(reader: WardRecords, from: number, to: number, into: Map<number, AuditEntry | typeof BRANCHED>): Promise<Map<number, AuditEntry | typeof BRANCHED>> {
  if (into.has(from)) return into;
  const ids = Array.from({ length: to - from + 1 }, (_, i) => auditId(from + i));
  for (const r of await reader.byKeys(ids)) {
    const seq = Number(r.id.slice('audit:'.length));
    if (r.integrity.state === 'tampered') into.set(seq, BRANCHED);
    else if (r.doc) into.set(seq, r.doc as unknown as AuditEntry);
  }
  return into;
}
