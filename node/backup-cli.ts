// `warddesk backup` and `warddesk restore`: see node/backup.ts for the format
// and guarantees. Messages are printed in Vietnamese and English.
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { join } from 'node:path';
import { WardCredentials } from '../sync/city-contract.js';
import { backup, BackupError, pullFromCity, restore } from './backup.js';
import { loadConfig, type Config } from './config.js';

export const BACKUP_USAGE = `  warddesk backup [--out DIR]     copy the stopped node's data (documents with history, files, key stores) to DIR
  warddesk restore DIR [--no-city]  restore a backup into an empty data directory, then fetch from the city what
                                  it has that the backup lacks (when the city is configured)
  warddesk restore --from-city    rebuild a lost ward from the city alone (everything but secrets; officials re-enrol keys)`;

/**
 * A backup or restore streams gigabytes through short-lived buffers; V8's
 * young generation would grow to 3 × 16 MB of garbage before collecting it.
 * One-MB semi-spaces collect early, keeping the process's memory (RSS) flat
 * whatever the ward's size, for a few percent of speed.
 */
function smallYoungGeneration(): void {
  v8.setFlagsFromString('--max-semi-space-size=1');
}

export async function backupCommand(args: string[]): Promise<number> {
  smallYoungGeneration();
  const config = loadConfig(process.env, { logLevel: 'warn' });
  const out = option(args, '--out') ?? join('backups', `warddesk-${config.ward.code}-${stamp(new Date())}`);
  return report(async () => {
    const m = await backup(config.dataDir, out, config.ward.code);
    console.log(`Đã sao lưu / backed up: ${m.databases.docs.documents} documents, ${m.databases.secrets.documents} secrets, files: ${m.files.join(', ') || '-'} → ${out}`);
    console.log('Bản sao lưu chứa khóa bí mật (đã mã hóa bằng PIN) và mật khẩu đã băm: cất giữ an toàn, không gửi đi. / The backup holds PIN-encrypted keys and password hashes: keep it safe, never send it anywhere.');
  });
}

export async function restoreCommand(args: string[]): Promise<number> {
  smallYoungGeneration();
  const config = loadConfig(process.env, { logLevel: 'warn' });
  const fromCity = args.includes('--from-city');
  const dir = args.find((a) => !a.startsWith('--'));
  if (!fromCity && !dir) { console.error(`Thiếu thư mục sao lưu / missing backup folder\n${BACKUP_USAGE}`); return 2; }
  return report(async () => {
    if (dir) {
      const m = await restore(dir, config.dataDir);
      console.log(`Đã khôi phục / restored ${m.databases.docs.documents} documents from the backup of ${m.createdAt} into ${config.dataDir}`);
    }
    if (fromCity || !args.includes('--no-city')) {
      const city = cityCredentials(config);
      if (!city) {
        if (fromCity) throw new BackupError('no_data', 'Chưa cấu hình thành phố (WARDDESK_CITY_CREDENTIALS). / The city is not configured (WARDDESK_CITY_CREDENTIALS).');
        console.log('Chưa cấu hình thành phố: bỏ qua bước lấy dữ liệu từ thành phố. / No city configured: skipped fetching from the city.');
        return;
      }
      const { docsWritten, tampered } = await pullFromCity(config.dataDir, city);
      console.log(`Đã lấy từ thành phố / fetched from the city: ${docsWritten} documents`);
      if (tampered > 0) console.log(`Cảnh báo / warning: ${tampered} bản ghi tại thành phố có nhánh khác hoặc sai mã băm; chỉ lấy bản gốc / record(s) at the city had another branch or a wrong hash; only the genuine revision was restored`);
    }
    console.log('Khởi động máy chủ: nếu không còn quản trị viên đăng nhập được, một mật khẩu dùng một lần sẽ được in ra. / Start the node: if no administrator can log in, a one-time password is printed.');
  });
}

function cityCredentials(config: Config): { url: string; username: string; password: string } | null {
  const file = config.city.credentialsFile;
  if (!file) return null;
  const c = WardCredentials.parse(JSON.parse(readFileSync(file, 'utf8')));
  const base = config.city.url ?? c.url;
  if (!base) throw new BackupError('no_data', 'Thiếu địa chỉ thành phố (WARDDESK_CITY_URL). / The city URL is missing (WARDDESK_CITY_URL).');
  return { url: `${base.replace(/\/$/, '')}/${c.db}`, username: c.username, password: c.password };
}

async function report(work: () => Promise<void>): Promise<number> {
  try {
    await work();
    return 0;
  } catch (err) {
    if (err instanceof BackupError) { console.error(err.message); return 1; }
    throw err;
  }
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
