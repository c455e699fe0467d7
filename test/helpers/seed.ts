// Seeds a ward store with generated outgoing documents and their events,
// written straight into PouchDB as replication would, for benchmarks.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { vnIso } from '../../sync/vn-time.js';
import { sampleDraft } from './ward.js';

const NOUNS = ['kế hoạch', 'quyết định', 'báo cáo', 'thông báo', 'giấy mời', 'tờ trình', 'hướng dẫn', 'chương trình'];
const TOPICS = ['chuyển đổi số', 'phòng chống lụt bão', 'thu ngân sách', 'tiêm chủng mở rộng', 'đô thị văn minh', 'an ninh trật tự', 'cải cách hành chính', 'vệ sinh môi trường', 'giải phóng mặt bằng', 'khuyến học', 'phòng cháy chữa cháy', 'an toàn giao thông'];
export const TYPES = ['QĐ', 'TB', 'KH', 'BC', 'GM', 'TTr', 'HD', 'CV'];
const FLOWS = [['create'], ['create', 'submit'], ['create', 'submit', 'approve'], ['register-paper', 'number', 'issue']];
export const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

/** Writes documents and their events straight into the store, as replication would; one a minute from `base`. */
export async function seed(dataDir: string, count: number, base = Date.parse('2026-01-02T01:00:00Z')): Promise<void> {
  const db = new PouchDB(join(dataDir, 'docs'));
  const numbers = new Map<string, number>();
  for (let start = 0; start < count; start += 1000) {
    const batch: Record<string, unknown>[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const id = `doc:out:${randomUUID()}`;
      const t = base + i * 60_000;
      const docType = pick(TYPES, i);
      batch.push({ _id: id, type: 'document', ward: 'phuong-mau', direction: 'outgoing', createdAt: vnIso(new Date(t)), createdBy: 'seed',
        content: sampleDraft({ docType, subject: `${pick(NOUNS, i)} về việc ${pick(TOPICS, i * 7 + (i >> 3))} đợt ${i % 97} năm 2026`, body: `Nội dung văn bản số ${i} về ${pick(TOPICS, i)}. `.repeat(20) }) });
      pick(FLOWS, i).forEach((action, k) => {
        const at = vnIso(new Date(t + k * 1000));
        let evId = `ev:${id.slice(4)}:${String(t + k * 1000).padStart(15, '0')}`;
        let data: Record<string, unknown> = {};
        if (action === 'number') {
          const n = (numbers.get('chung') ?? 0) + 1;
          numbers.set('chung', n);
          evId = `ev:num:out:2026:chung:${String(n).padStart(6, '0')}`;
          data = { registerKey: 'out:2026:chung', number: n, numberText: n < 10 ? `0${n}` : String(n), symbol: `${docType}-UBND`, year: 2026, date: at };
        }
        batch.push({ _id: evId, type: 'event', ward: 'phuong-mau', docId: id, action, at, actor: { user: 'seed', role: 'clerk', device: 'bench' }, data });
      });
    }
    await db.bulkDocs(batch);
  }
  await db.close();
}

