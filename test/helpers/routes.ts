// Every route the ward node's express app answers, read from the router
// itself, so a test that walks them cannot miss one added later.
import type { WardNode } from '../../node/ward-node.js';

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
    return encodeURIComponent(v);
  });
}
