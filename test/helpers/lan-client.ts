// A client that connects from another loopback address (127.0.0.2, …), as a
// second machine on the ward LAN would: the node treats only 127.0.0.1 and ::1
// as its own console (node/login-throttle.ts), so these are throttled like any
// official's PC or an attacker's.
import { request } from 'node:http';
import { Client, type Reply } from './ward.js';

export class LanClient extends Client {
  constructor(base: string, readonly from: string) { super(base); }

  override request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const url = new URL(this.base + path);
    const sent: Record<string, string> = { ...(this.cookie ? { cookie: this.cookie } : {}), ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}), ...headers };
    let payload: Buffer | undefined;
    if (body !== undefined) {
      if (Buffer.isBuffer(body)) payload = body;
      else if (typeof body === 'string') payload = Buffer.from(body);
      else { payload = Buffer.from(JSON.stringify(body)); sent['content-type'] = 'application/json'; }
      sent['content-length'] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: sent, localAddress: this.from, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const setCookie = res.headers['set-cookie']?.join(', ') ?? '';
          const m = /wd_session=([^;]*)/.exec(setCookie);
          if (m) this.cookie = m[1] ? `wd_session=${m[1]}` : '';
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
          if (parsed && typeof parsed === 'object' && 'csrfToken' in parsed) this.csrf = String((parsed as { csrfToken: string }).csrfToken);
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve({ status: res.statusCode ?? 0, body: parsed as T, headers: h });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}
