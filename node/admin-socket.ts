// `warddesk admin unlock`: lifts login locks on the running node from the
// server itself. The node listens on a Unix socket in its data directory
// (0600: only the node's own account and root reach it); a LAN attacker
// cannot reach it, so cannot block it. The other recovery path is logging in
// at the server's own console (login-throttle.ts).
import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { LoginThrottle } from './login-throttle.js';

export const adminSocketPath = (dataDir: string) => join(dataDir, 'admin.sock');

interface Request { command: 'unlock'; username?: string }

export async function startAdminSocket(dataDir: string, throttle: LoginThrottle, log: Logger): Promise<Server | null> {
  const path = adminSocketPath(dataDir);
  rmSync(path, { force: true }); // left by a node that was killed
  const server = createServer((socket) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 1_000) { socket.destroy(); return; }
      if (!text.includes('\n')) return;
      let reply: Record<string, unknown>;
      try {
        const req = JSON.parse(text.slice(0, text.indexOf('\n'))) as Request;
        if (req.command !== 'unlock' || (req.username !== undefined && typeof req.username !== 'string')) throw new Error('unknown command');
        const unlocked = throttle.unlock(req.username?.toLowerCase());
        log.warn({ username: req.username ?? '(all)', unlocked }, 'login locks lifted from the server console');
        reply = { ok: true, unlocked };
      } catch { reply = { ok: false }; }
      socket.end(`${JSON.stringify(reply)}\n`);
    });
    socket.on('error', () => undefined);
  });
  try {
    await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(path, () => { server.off('error', fail); ok(); }); });
    chmodSync(path, 0o600);
    return server;
  } catch (err) {
    log.warn({ err, path }, 'admin socket not opened: `warddesk admin unlock` will not reach this node (logging in at the server console still works)');
    return null;
  }
}

export function stopAdminSocket(server: Server | null): Promise<void> {
  return new Promise((ok) => { if (!server) ok(); else server.close(() => ok()); });
}

/** `warddesk admin unlock [username]`: one user name, or every lock when none is given. */
export function adminCommand(args: string[], dataDir: string): Promise<number> {
  const [sub, username] = args;
  if (sub !== 'unlock') { console.error(ADMIN_USAGE); return Promise.resolve(2); }
  return new Promise((resolve) => {
    const socket = createConnection(adminSocketPath(dataDir));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ command: 'unlock', ...(username ? { username } : {}) })}\n`));
    socket.on('data', (chunk: string) => { text += chunk; });
    socket.on('end', () => {
      const reply = JSON.parse(text || '{}') as { ok?: boolean; unlocked?: number };
      if (!reply.ok) { console.error('Máy chủ phường từ chối lệnh / the node refused the command'); resolve(1); return; }
      console.log(`Đã mở khóa đăng nhập / login locks lifted: ${username ?? 'tất cả / all'} (${reply.unlocked ?? 0})`);
      resolve(0);
    });
    socket.on('error', () => {
      console.error(`Không liên lạc được máy chủ phường đang chạy qua ${adminSocketPath(dataDir)} / cannot reach the running node (is it started, with this data directory?)`);
      resolve(1);
    });
  });
}

export const ADMIN_USAGE = `  warddesk admin unlock [user]   lift login locks on the running node (one user, or all), from the server itself`;
