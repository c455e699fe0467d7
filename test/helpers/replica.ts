// A device's replica in Node: PouchDB on disk pulling from the ward node's
// /api/replicate over real HTTP, with the official's session cookie and CSRF
// token on every request, as a browser would send them.
import PouchDB from 'pouchdb';
import type { Client } from './ward.js';

/** fetch that carries the client's session like a browser; `base` may be swapped (a restarted node). */
export function sessionFetch(client: Client): (url: string, init?: RequestInit) => Promise<Response> {
  return (url, init) => {
    const headers = new Headers(init?.headers);
    if (client.cookie) headers.set('cookie', client.cookie);
    if (client.csrf && !headers.has('x-csrf-token')) headers.set('x-csrf-token', client.csrf);
    return fetch(url, { ...init, headers });
  };
}

export function remoteFor(client: Client): PouchDB.Database {
  return new PouchDB(`${client.base}/api/replicate`, { skip_setup: true, fetch: sessionFetch(client) });
}

/** One pull run into `local`; returns the replication result. */
export async function pull(local: PouchDB.Database, client: Client): Promise<{ docs_written: number; docs_read: number; last_seq: number | string }> {
  const remote = remoteFor(client);
  try {
    return await local.replicate.from(remote, { batch_size: 50 }) as { docs_written: number; docs_read: number; last_seq: number | string };
  } finally {
    await remote.close();
  }
}

export async function localIds(db: PouchDB.Database): Promise<string[]> {
  return (await db.allDocs()).rows.map((r) => r.id);
}
