// Doctor check 1: which server answers and which JavaScript engine runs the
// rules. CouchDB 3.4 can run design documents in QuickJS instead of
// SpiderMonkey (`[couchdb] js_engine`); our validate_doc_update is a bundle
// that must run in either, and the smoke test (doctor-smoke.ts) tells whether
// it does. The engine is read from `_node/_local/_versions` (3.4+: the engine
// actually running), else from the config key; neither means SpiderMonkey,
// the only engine before 3.4.
import type { couchClient } from './init.js';
import { ok, warn, type DoctorResult } from './doctor-result.js';

type Couch = ReturnType<typeof couchClient>;

export type ServerKind = 'couchdb' | 'embedded' | 'other';
export interface ServerFacts { kind: ServerKind; version: string; engine: string; result: DoctorResult }

/** Releases before 3.2 are untested with WardDesk and no longer maintained upstream. */
const OLDEST_GOOD: readonly [number, number] = [3, 2];

interface Welcome { couchdb?: string; 'express-pouchdb'?: string; version?: string; vendor?: { name?: string; version?: string }; features?: string[] }

export async function checkServer(couch: Couch): Promise<ServerFacts> {
  const { body: welcome } = await couch<Welcome>('GET', '/');
  const version = welcome.version ?? '?';
  if (welcome['express-pouchdb']) {
    const engine = `Node.js ${process.versions.node}`;
    return {
      kind: 'embedded', version, engine,
      result: ok('server', `thành phố nhúng của WardDesk (express-pouchdb ${version}), JavaScript chạy trong Node.js`, `embedded WardDesk city (express-pouchdb ${version}), JavaScript runs in Node.js`),
    };
  }
  if (!welcome.couchdb) {
    return { kind: 'other', version, engine: '?', result: warn('server', `máy chủ không tự nhận là CouchDB (phiên bản ${version})`, `the server does not say it is CouchDB (version ${version})`) };
  }
  const engine = await jsEngine(couch);
  const vendor = welcome.vendor?.name ? `, ${welcome.vendor.name}` : '';
  const features = welcome.features?.length ? `; features: ${welcome.features.join(', ')}` : '';
  const said = { vi: `CouchDB ${version}${vendor}, JavaScript: ${engine}${features}`, en: `CouchDB ${version}${vendor}, JavaScript: ${engine}${features}` };
  if (older(version, OLDEST_GOOD)) {
    return {
      kind: 'couchdb', version, engine,
      result: warn('server', `${said.vi} — cũ hơn CouchDB ${OLDEST_GOOD.join('.')}`, `${said.en} — older than CouchDB ${OLDEST_GOOD.join('.')}`, { vi: 'nâng cấp lên CouchDB 3.4 trở lên', en: 'upgrade to CouchDB 3.4 or later' }),
    };
  }
  return { kind: 'couchdb', version, engine, result: ok('server', said.vi, said.en) };
}

/** Best effort: the engine is information for the reader; the smoke test is what judges it. */
async function jsEngine(couch: Couch): Promise<string> {
  const read = async <T>(path: string): Promise<T | null> => {
    try {
      const r = await couch<T>('GET', path, undefined, [400, 403, 404, 500]);
      return r.status === 200 ? r.body : null;
    } catch { return null; }
  };
  const running = (await read<{ javascript_engine?: { name?: string; version?: string } }>('/_node/_local/_versions'))?.javascript_engine;
  if (running?.name) return `${running.name}${running.version ? ` ${running.version}` : ''}`;
  const configured = await read<unknown>('/_node/_local/_config/couchdb/js_engine');
  if (typeof configured === 'string') return `${configured} (couchdb/js_engine)`;
  return 'spidermonkey (default)';
}

function older(version: string, than: readonly [number, number]): boolean {
  const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  return major < than[0] || (major === than[0] && minor < than[1]);
}
