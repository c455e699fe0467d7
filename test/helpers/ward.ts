// A real ward node for tests: a temp data dir, an ephemeral port on loopback,
// and a client that keeps its cookie and CSRF token like a browser would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../node/config.js';
import { startWardNode, type BootOptions, type WardNode } from '../../node/ward-node.js';

export interface TestWard { node: WardNode; url: string; dataDir: string; admin: Client; stop(): Promise<void> }

export async function startTestWard(overrides: Record<string, unknown> = {}, dataDir?: string, boot: BootOptions = {}): Promise<TestWard> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'warddesk-test-'));
  const config = loadConfig({}, { dataDir: dir, host: '127.0.0.1', port: 0, cookieSecure: false, logLevel: 'silent', enrolment: { adminSetsPin: true }, ...overrides });
  const node = await startWardNode(config, { log: pino({ level: 'silent' }), ...boot });
  const admin = new Client(node.url);
  if (node.firstAdmin) {
    await admin.login(node.firstAdmin.username, node.firstAdmin.password);
    await admin.post('/api/auth/password', { oldPassword: node.firstAdmin.password, newPassword: 'admin-password-1' });
  } else {
    await admin.login('admin', 'admin-password-1');
  }
  return {
    node, url: node.url, dataDir: dir, admin,
    async stop() { await node.close(); if (!dataDir) rmSync(dir, { recursive: true, force: true }); },
  };
}

export interface Reply<T = any> { status: number; body: T; headers: Headers } // any: tests read arbitrary JSON replies

export class Client {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const init: RequestInit = { method, headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}), ...headers } };
    if (body !== undefined) {
      if (Buffer.isBuffer(body) || typeof body === 'string') init.body = body as string;
      else { init.body = JSON.stringify(body); (init.headers as Record<string, string>)['content-type'] = 'application/json'; }
    }
    const res = await fetch(this.base + path, init);
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) { const m = /wd_session=([^;]*)/.exec(setCookie); if (m) this.cookie = m[1] ? `wd_session=${m[1]}` : ''; }
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    if (parsed && typeof parsed === 'object' && 'csrfToken' in parsed) this.csrf = String((parsed as { csrfToken: string }).csrfToken);
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string) { return this.request<T>('GET', path); }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) { return this.request<T>('POST', path, body, headers); }
  put<T = any>(path: string, body?: unknown) { return this.request<T>('PUT', path, body); }

  async login(username: string, password: string): Promise<Reply> {
    const r = await this.post('/api/auth/login', { username, password });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  }
}

/** Creates an official through the admin API and returns a logged-in client for them. */
export async function official(ward: TestWard, username: string, role: 'specialist' | 'leader' | 'clerk' | 'admin', fullName = username): Promise<Client> {
  const password = `${username}-initial-pw`;
  const created = await ward.admin.post('/api/users', { username, fullName, title: role === 'leader' ? 'Chủ tịch' : '', role, password });
  if (created.status !== 201) throw new Error(`create ${username}: ${created.status} ${JSON.stringify(created.body)}`);
  const client = new Client(ward.url);
  await client.login(username, password);
  await client.post('/api/auth/password', { oldPassword: password, newPassword: `${username}-real-password` });
  return client;
}

export const sampleDraft = (overrides: Record<string, unknown> = {}) => ({
  docType: 'QĐ',
  subject: 'Quyết định về việc phê duyệt kế hoạch chuyển đổi số năm 2026',
  body: 'Căn cứ Luật Tổ chức chính quyền địa phương;\n\nXét đề nghị của Văn phòng.',
  signerAuthority: 'TM.',
  signerTitle: 'Chủ tịch',
  signerName: 'Nguyễn Văn An',
  recipients: [{ name: 'UBND Quận' }, { name: 'Lưu: VT' }],
  ...overrides,
});

/** Asks the node to sync now and waits until the city confirmed everything (throws with the last status after ~15 s). */
export async function synced(w: TestWard): Promise<void> {
  let r = await w.admin.post('/api/sync/now');
  for (let i = 0; i < 60 && !r.body.upToDate; i += 1) { await new Promise((ok) => setTimeout(ok, 250)); r = await w.admin.get('/api/sync/status'); }
  if (!r.body.upToDate) throw new Error(`not up to date: ${JSON.stringify(r.body)}`);
}
