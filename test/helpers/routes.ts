// Every route the ward node's express app answers, read from the router
// itself, so a test that walks them cannot miss one added later.
import type { WardNode } from '../../node/ward-node.js';
import type { Role } from '../../sync/workflow.js';

export interface RouteEntry { method: string; path: string; key: string }

interface Layer { route?: { path: string | RegExp; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; rawPath?: string | RegExp }

/** `METHOD /full/path` for each route; `_ALL` for router.all(); RegExp paths as their source text. */
export function listRoutes(node: WardNode): RouteEntry[] {
  // The server's request listener is the express app (node/ward-node.ts passes it to createServer).
  const app = node.server.listeners('request')[0] as unknown as { router: { stack: Layer[] } };
  const out: RouteEntry[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = typeof layer.route.path === 'string' ? prefix + layer.route.path : String(layer.route.path);
        for (const m of Object.keys(layer.route.methods)) {
          const method = m.toUpperCase();
          out.push({ method, path, key: `${method} ${path}` });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (layer.rawPath === '/' || layer.rawPath === undefined ? '' : String(layer.rawPath)));
      }
    }
  };
  walk(app.router.stack, '');
  return out;
}

/** Fills `:name` and `{*name}` parameters from `values` (throws on one it has no value for). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/:(\w+)|\{\*(\w+)\}/g, (_m, a?: string, b?: string) => {
    const name = (a ?? b)!;
    const v = values[name];
    if (v === undefined) throw new Error(`no sample value for route parameter ${name} in ${path}`);
    return encodeAny(v);
  });
}

export type Access = 'public' | 'session' | Role[];
export const ROLES: Role[] = ['specialist', 'leader', 'clerk', 'admin'];

/** Who passes each route's door. Role-specific rules inside a route (the workflow) are tested in sync/workflow. */
export const ACCESS: Record<string, Access> = {
  'GET /api/health': 'public',
  'POST /api/auth/login': 'public',
  'GET /api/auth/me': 'session',
  'POST /api/auth/logout': 'session',
  'POST /api/auth/password': 'session',
  'GET /api/documents/:id/preview': 'session',
  'GET /api/registers': ['leader', 'clerk'],
  'GET /api/registers/out/:register/:year': ['leader', 'clerk'],
  'GET /api/registers/in/:year': ['leader', 'clerk'],
  'GET /api/handlers': ['leader', 'clerk'],
  'GET /api/users': ['admin'],
  'POST /api/users': ['admin'],
  'PATCH /api/users/:username': ['admin'],
  'POST /api/users/:username/reset-password': ['admin'],
  'GET /api/documents': 'session',
  'GET /api/documents/:id': 'session',
  'POST /api/documents/outgoing': ['specialist', 'leader', 'clerk'],
  'POST /api/documents/outgoing/paper': ['clerk'],
  'POST /api/documents/incoming': ['clerk'],
  'PUT /api/documents/:id': 'session',
  'POST /api/documents/:id/actions/:action': 'session',
  'POST /api/blobs': 'session',
  'GET /api/blobs/:sha256': 'session',
  'GET /api/audit/verify': ['admin'],
  'GET /api/sync/status': 'session',
  'POST /api/sync/now': 'session',
  'GET /api/certificates': ['admin'],
  'GET /api/certificates/crl': 'session',
  'GET /api/certificates/root': 'session',
  'POST /api/certificates': ['admin'],
  'POST /api/certificates/:serial/revoke': ['admin'],
  'POST /api/certificates/token': ['admin'],
  'POST /api/documents/:id/signing': ['leader'],
  'POST /api/signing/:signingId': ['leader'],
  'POST /api/certificates/import': ['admin'],
  'GET /api/trusted-roots': ['admin'],
  'POST /api/trusted-roots': ['admin'],
  'DELETE /api/trusted-roots/:fingerprint': ['admin'],
  // CRLs and CA certificates for any validator (node/http/pki-routes.ts).
  'GET /pki/:file': 'public',
  'GET /api/settings': ['admin'],
  'PATCH /api/settings': ['admin'],
  'POST /api/me/certificate/pin': 'session',
  'POST /api/seal/pin': ['clerk', 'admin'],
  'PUT /api/me/signature-image': 'session',
  'PUT /api/seal/image': ['clerk', 'admin'],
  'GET /api/seal/image': ['clerk', 'admin'],
  'GET /api/me/signature-image': 'session',
  'GET /api/setup/status': ['admin'],
  'POST /api/setup/ca/bundle': ['admin'],
  'POST /api/setup/ca/standalone': ['admin'],
  'POST /api/setup/tls': ['admin'],
  'POST /api/certificates/activations': ['admin'],
  'POST /api/me/activate': 'session',
  'GET /api/me/keys': 'session',
  'GET /api/documents/:id/verification': 'session',
  'GET /api/replicate/': 'session',
  'GET /api/replicate/_local/:id': 'session',
  'GET /api/replicate/_changes': 'session',
  'POST /api/replicate/_bulk_get': 'session',
  'GET /api/replicate/_all_docs': 'session',
  'POST /api/replicate/_all_docs': 'session',
  '_ALL /api/replicate/_local/:id': 'session',
  'POST /api/replicate/_bulk_docs': 'session',
  '_ALL /api/replicate/{*rest}': 'session',
  'GET /api/replicate/:docid': 'session',
};
/** The PWA's pages (present when the app is built): public, the app asks for a login itself. */
export const PAGES = /^GET \/\^/;

/** encodeURIComponent, except that a lone surrogate (no UTF-8 form) goes as the bytes a careless client would send (CESU-8). */
export function encodeAny(v: string): string {
  if (v.isWellFormed()) return encodeURIComponent(v);
  return [...v].map((c) => {
    if (c.isWellFormed()) return encodeURIComponent(c);
    const u = c.charCodeAt(0);
    return [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
  }).join('');
}
