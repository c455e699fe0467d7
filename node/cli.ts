#!/usr/bin/env node
// `warddesk <command>`: the one entry point for a ward's server.
// Commands load their modules when run: a backup or restore must not carry the
// ward node, the city and the PDF/PKI libraries in memory (~60 MB it does not use).
import { loadConfig } from './config.js';

const usage = async () => {
  const [{ CITY_USAGE }, { BACKUP_USAGE }, { CA_USAGE }, { VERIFY_USAGE }, { ADMIN_USAGE }] = await Promise.all([
    import('./city/command.js'), import('./backup-cli.js'), import('./ca-cli.js'), import('./verify-cli.js'), import('./admin-socket.js'),
  ]);
  return `WardDesk ward node

Usage:
  warddesk start                 start the ward node (data in $WARDDESK_DATA_DIR, default ./data)
  warddesk audit verify          check the audit hash chain; exit 1 if anything was changed or removed
  warddesk help                  this text
${CITY_USAGE}
${BACKUP_USAGE}
${CA_USAGE}
${VERIFY_USAGE}
${ADMIN_USAGE}

Configuration: WARDDESK_CONFIG (JSON file), WARDDESK_DATA_DIR, WARDDESK_HOST, WARDDESK_PORT,
WARDDESK_LOG_LEVEL, WARDDESK_COOKIE_SECURE.`;
};

async function main(argv: string[]): Promise<number> {
  const [command, sub] = argv;
  switch (command) {
    case 'city': return (await import('./city/command.js')).cityCommand(argv.slice(1));
    case 'start': return start();
    case 'backup': return (await import('./backup-cli.js')).backupCommand(argv.slice(1));
    case 'ca': return (await import('./ca-cli.js')).caCommand(argv.slice(1));
    case 'verify': return (await import('./verify-cli.js')).verifyCommand(argv.slice(1));
    case 'restore': return (await import('./backup-cli.js')).restoreCommand(argv.slice(1));
    case 'admin': return (await import('./admin-socket.js')).adminCommand(argv.slice(1), loadConfig(process.env, { logLevel: 'warn' }).dataDir);
    case 'audit': if (sub === 'verify') return auditVerify(); break;
    case undefined: case 'help': case '--help': console.log(await usage()); return 0;
  }
  console.error(`Unknown command: ${argv.join(' ')}\n\n${await usage()}`);
  return 2;
}

async function start(): Promise<number> {
  const config = loadConfig();
  const { startWardNode } = await import('./ward-node.js');
  const node = await startWardNode(config);
  if (node.firstAdmin) {
    // Printed once, to the terminal of whoever installs the node; never logged or stored in clear.
    process.stdout.write(`\n  ================================================================
  Tài khoản quản trị đầu tiên / First administrator account
    user:     ${node.firstAdmin.username}
    password: ${node.firstAdmin.password}
  Mật khẩu dùng một lần: đổi ngay khi đăng nhập lần đầu.
  One-time password: you must change it at first login.
  ================================================================\n\n`);
  }
  const stop = async (signal: string) => {
    node.log.info({ signal }, 'shutting down');
    await node.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return -1; // keep running
}

async function auditVerify(): Promise<number> {
  const config = loadConfig(process.env, { logLevel: 'warn' });
  const [{ openServices }, { verifyAudit }] = await Promise.all([import('./ward-node.js'), import('./http/audit-routes.js')]);
  const s = await openServices(config);
  const verdict = await verifyAudit(s.ledger, s.store.docs);
  s.snapshots.stop();
  await s.store.close();
  if (verdict.ok) {
    console.log(`Nhật ký kiểm tra nguyên vẹn / audit chain intact: ${verdict.entries} entries, head ${verdict.head}`);
    return 0;
  }
  console.error(`Nhật ký kiểm tra bị thay đổi / audit chain BROKEN at entry ${verdict.brokenAt}: ${verdict.reason} (${verdict.detail})`);
  return 1;
}

main(process.argv.slice(2)).then((code) => { if (code >= 0) process.exit(code); }, (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
