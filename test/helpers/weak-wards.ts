// Wards behind the weak-link proxy, each with its own PouchDB and replicator,
// against one real embedded city: the set-up and clean-up the weak-link tests share.
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { initCity } from '../../node/city/init.js';
import { WardCredentials, wardDbName } from '../../sync/city-contract.js';
import type { Replicator } from '../../sync/replicator.js';
import { startTestCity, divergence, CITY_ADMIN, type TestCity } from './city.js';
import { WeakLink } from './weak-link.js';
import { payloadBytes, wardWork, writeChunked } from './sync-data.js';
import { assertNoSecretsAtCity } from './secret-scan.js';

export interface WardEntry { link?: WeakLink; rep?: Replicator; db?: PouchDB.Database }
export type Shape = { documents: number; pdfBytes: number; scans: number; scanBytes: number };

export class WeakWards {
  private readonly open: WardEntry[] = [];
  private constructor(readonly city: TestCity, readonly dir: string) {}

  static async start(wards: string[]): Promise<WeakWards> {
    const city = await startTestCity();
    const dir = mkdtempSync(join(tmpdir(), 'warddesk-weak-'));
    await initCity({ url: city.url, admin: CITY_ADMIN, wards, outDir: join(dir, 'creds') });
    return new WeakWards(city, dir);
  }

  credentials(ward: string): WardCredentials {
    return WardCredentials.parse(JSON.parse(readFileSync(join(this.dir, 'creds', `${ward}.credentials.json`), 'utf8')));
  }

  /** A ward's store with its work written, and a proxy link to the city; the replicator is the test's to make. */
  async setup(ward: string, linkOptions: Partial<Parameters<typeof WeakLink.start>[0]>, shape: Shape) {
    const link = await WeakLink.start({ target: { host: '127.0.0.1', port: this.city.port }, ...linkOptions });
    const db = new PouchDB(join(this.dir, ward));
    const work = wardWork({ ward, ...shape });
    await writeChunked(db, work);
    const entry: WardEntry = { link, db };
    this.open.push(entry);
    return { link, db, work, payload: payloadBytes(work), entry };
  }

  async assertConverged(db: PouchDB.Database, ward: string): Promise<void> {
    const problems = await divergence(db, this.city.url, wardDbName(ward));
    assert.equal(problems, [], problems.slice(0, 5).join('; '));
    // Converged is not enough: nothing secret-looking may be among what arrived (the ward's city password included).
    await assertNoSecretsAtCity(this.city.url, wardDbName(ward), [this.credentials(ward).password]);
  }

  /** Each step bounded and all wards at once: a stop or close waiting on a half-open socket must not hold the suite. */
  async close(): Promise<void> {
    const bounded = (p: Promise<unknown> | undefined) => Promise.race([p, new Promise((ok) => setTimeout(ok, 5_000).unref())]);
    await Promise.all(this.open.map(async (o) => { await bounded(o.rep?.stop()); await bounded(o.link?.close()); await bounded(o.db?.close()); }));
    await bounded(this.city.destroy());
    rmSync(this.dir, { recursive: true, force: true });
  }
}
