// Which revision of a record read at the city is genuine. CouchDB keeps every
// branch a database member pushes (a `new_edits:false` revision with no stored
// ancestor is validated against `oldDoc = null`), and the winner is chosen by
// revision number, which a forger picks. So a reader takes all the leaves of
// a record and judges them:
// - one leaf whose hash holds (or a record from before hashes): genuine;
// - a leaf whose hash does not hold: tampered, and not genuine;
// - a second branch on a write-once record: tampered. The genuine leaf is the
//   one written by the city (only the city may write origin "city"), else the
//   first that the ward's audit chain vouches for: a forger can add entries at
//   the end of the chain, never before the genuine one without a branch there
//   too (which the chain reader refuses).
// A mutable record (a draft) with branches is an ordinary conflict: the winner.
import { chainDigest, checkRecordHash, isWriteOnce } from './record-hash.js';

export type Leaf = Record<string, unknown> & { _id: string; _rev?: string; _deleted?: boolean };

export type Integrity =
  | { state: 'ok'; doc: Leaf | null }
  | { state: 'tampered'; doc: Leaf | null; reason: 'hash-mismatch' | 'branches'; branches: number };

/**
 * `leaves`: every leaf revision, the winner first. `vouched`: the digests the
 * ward's chain recorded for this id, oldest first, from entries that hold
 * (null when the chain was not consulted: a single leaf never needs it).
 */
export async function judgeLeaves(leaves: readonly Leaf[], vouched: readonly string[] | null = null): Promise<Integrity> {
  const live = leaves.filter((l) => l._deleted !== true);
  if (live.length === 0) return { state: 'ok', doc: null };
  const hashes = await Promise.all(live.map((l) => checkRecordHash(l)));
  if (live.length === 1) {
    return hashes[0] === 'mismatch' ? { state: 'tampered', doc: null, reason: 'hash-mismatch', branches: 1 } : { state: 'ok', doc: live[0]! };
  }
  if (!live.some((l) => isWriteOnce(l))) return { state: 'ok', doc: live[0]! };
  const candidates = live.filter((l, i) => hashes[i] !== 'mismatch' && isWriteOnce(l));
  return { state: 'tampered', doc: await pickGenuine(candidates, vouched), reason: 'branches', branches: live.length };
}

async function pickGenuine(candidates: readonly Leaf[], vouched: readonly string[] | null): Promise<Leaf | null> {
  const fromCity = candidates.filter((l) => l['origin'] === 'city');
  if (fromCity.length === 1) return fromCity[0]!;
  if (fromCity.length > 1 || !vouched) return null;
  const digests = await Promise.all(candidates.map((l) => chainDigest(l)));
  for (const digest of vouched) {
    const i = digests.indexOf(digest);
    if (i >= 0) return candidates[i]!;
  }
  return null;
}

/** Does a record need the chain to be judged (several leaves of a write-once record)? */
export function needsChain(leaves: readonly Leaf[]): boolean {
  const live = leaves.filter((l) => l._deleted !== true);
  return live.length > 1 && live.some((l) => isWriteOnce(l)) && !live.some((l) => l['origin'] === 'city');
}
