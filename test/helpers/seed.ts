// Seeds a ward store with generated documents and their events, written
// straight into PouchDB in large batches as replication would (the HTTP API
// takes hours for 200,000 documents), in the shapes the node writes:
// outgoing drafts through numbering and issue, incoming arrivals through
// registration and assignment, numbering events keyed by register and year.
// For benchmarks (memory, boot, list/search, backup) and a few tests.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { vnDate, vnIso } from '../../sync/vn-time.js';
import { sampleDraft } from './ward.js';

const NOUNS = ['kế hoạch', 'quyết định', 'báo cáo', 'thông báo', 'giấy mời', 'tờ trình', 'hướng dẫn', 'chương trình'];
const TOPICS = ['chuyển đổi số', 'phòng chống lụt bão', 'thu ngân sách', 'tiêm chủng mở rộng', 'đô thị văn minh', 'an ninh trật tự', 'cải cách hành chính', 'vệ sinh môi trường', 'giải phóng mặt bằng', 'khuyến học', 'phòng cháy chữa cháy', 'an toàn giao thông'];
export const TYPES = ['QĐ', 'TB', 'KH', 'BC', 'GM', 'TTr', 'HD', 'CV'];
const FLOWS = [['create'], ['create', 'submit'], ['create', 'submit', 'approve'], ['register-paper', 'number', 'issue']];
const INCOMING_FLOWS = [['arrive'], ['arrive', 'register'], ['arrive', 'register', 'assign'], ['arrive', 'register', 'assign', 'start', 'done']];
const SENDERS = ['UBND Thành phố', 'Sở Nội vụ', 'Sở Tài chính', 'Công an Thành phố', 'Sở Y tế', 'Sở Giáo dục và Đào tạo', 'Ban Chỉ huy Quân sự', 'Kho bạc Nhà nước'];
const STREETS = ['Lê Lợi', 'Trần Hưng Đạo', 'Nguyễn Trãi', 'Hai Bà Trưng', 'Lý Thường Kiệt', 'Điện Biên Phủ', 'Phan Chu Trinh', 'Hoàng Diệu', 'Quang Trung', 'Bà Triệu'];
const PEOPLE = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Hoàng Cường', 'Phạm Thu Dung', 'Hoàng Minh Đức', 'Vũ Thị Hạnh', 'Đặng Quốc Huy', 'Bùi Thanh Lan', 'Đỗ Gia Khánh', 'Ngô Bảo Ngọc'];
/** Sentences a ward's documents are made of; filled with streets, people, amounts and dates so bodies differ as real ones do. */
const SENTENCES = [
  (r: Rand) => `Căn cứ Luật Tổ chức chính quyền địa phương ngày ${r.int(1, 28)} tháng ${r.int(1, 12)} năm ${r.int(2015, 2025)};`,
  (r: Rand) => `Xét đề nghị của ${r.pick(['Văn phòng', 'Phòng Kinh tế', 'Phòng Văn hóa - Xã hội', 'Công an phường', 'Tổ dân phố số ' + r.int(1, 60)])} về việc ${r.pick(TOPICS)};`,
  (r: Rand) => `Giao ông (bà) ${r.pick(PEOPLE)} chủ trì, phối hợp với các tổ dân phố trên đường ${r.pick(STREETS)} triển khai thực hiện trước ngày ${r.int(1, 28)}/${r.int(1, 12)}.`,
  (r: Rand) => `Kinh phí thực hiện ${r.int(5, 950)} triệu đồng từ nguồn ngân sách phường năm ${r.int(2006, 2026)}, thanh quyết toán theo quy định hiện hành.`,
  (r: Rand) => `Hộ gia đình tại số ${r.int(1, 400)} đường ${r.pick(STREETS)} có trách nhiệm phối hợp kiểm tra hiện trạng nhà ở và đất ở.`,
  (r: Rand) => `Ủy ban nhân dân phường yêu cầu các đơn vị nghiêm túc thực hiện, báo cáo kết quả về Văn phòng trước ngày ${r.int(1, 28)} hằng tháng.`,
  () => `Trong quá trình thực hiện nếu có khó khăn, vướng mắc, đề nghị phản ánh kịp thời để xem xét, giải quyết.`,
  (r: Rand) => `Tổng số ${r.int(10, 3000)} hồ sơ đã được tiếp nhận, trong đó ${r.int(1, 900)} hồ sơ giải quyết trước hạn, ${r.int(0, 40)} hồ sơ quá hạn.`,
  (r: Rand) => `Thời gian: ${r.int(7, 16)} giờ ${r.pick(['00', '30'])} ngày ${r.int(1, 28)}/${r.int(1, 12)}; địa điểm: hội trường ${r.pick(['tầng 2', 'tầng 3', 'nhà văn hóa khu phố ' + r.int(1, 30)])}.`,
  (r: Rand) => `Quyết định này có hiệu lực kể từ ngày ký; Chánh Văn phòng, ${r.pick(['Trưởng Công an phường', 'Chỉ huy trưởng Quân sự', 'Trưởng các tổ dân phố', 'Hiệu trưởng các trường'])} chịu trách nhiệm thi hành.`,
];

export interface SeedOptions {
  /** First document's time (ms); documents follow at `everyMs`. */
  start?: number;
  everyMs?: number;
  /** One document in this many is incoming (0: outgoing only, as before). */
  incomingEvery?: number;
  /** Documents written per bulkDocs. */
  batch?: number;
  /** Varied bodies of about this many characters (the index reads 2,000); 0 keeps the short repeated body. */
  bodyChars?: number;
  /** Called after each batch with the number written so far. */
  progress?: (written: number) => void;
}

/** Writes `count` documents and their events straight into the store; one every `everyMs` (a minute) from `start`. */
export async function seed(dataDir: string, count: number, start = Date.parse('2026-01-02T01:00:00Z'), options: SeedOptions = {}): Promise<void> {
  const o = { everyMs: 60_000, incomingEvery: 0, batch: 1000, bodyChars: 0, ...options, start: options.start ?? start };
  const db = new PouchDB(join(dataDir, 'docs'));
  const numbers = new Map<string, number>();
  const next = (key: string) => { const n = (numbers.get(key) ?? 0) + 1; numbers.set(key, n); return n; };
  const r = new Rand(count);
  for (let from = 0; from < count; from += o.batch) {
    const batch: Record<string, unknown>[] = [];
    for (let i = from; i < Math.min(count, from + o.batch); i++) {
      const t = o.start + i * o.everyMs;
      const incoming = o.incomingEvery > 0 && i % o.incomingEvery === o.incomingEvery - 1;
      const docType = pick(TYPES, i);
      const subject = `${pick(NOUNS, i)} về việc ${pick(TOPICS, i * 7 + (i >> 3))} đợt ${i % 97} năm ${vnDate(new Date(t)).year}`;
      const id = `doc:${incoming ? 'in' : 'out'}:${randomUUID()}`;
      const content = incoming
        ? { senderName: r.pick(SENDERS), originalSymbol: `${r.int(1, 999)}/${docType}-${r.pick(['UBND', 'SNV', 'STC', 'CA'])}`, originalDate: vnIso(new Date(t - 86_400_000)).slice(0, 10), docType, subject, attachments: [], medium: i % 3 === 0 ? 'paper' : 'electronic' }
        : sampleDraft({ docType, subject, body: o.bodyChars > 0 ? body(r, o.bodyChars) : `Nội dung văn bản số ${i} về ${pick(TOPICS, i)}. `.repeat(20) });
      batch.push({ _id: id, type: 'document', ward: 'phuong-mau', direction: incoming ? 'incoming' : 'outgoing', createdAt: vnIso(new Date(t)), createdBy: 'seed', content });
      pick(incoming ? INCOMING_FLOWS : FLOWS, i).forEach((action, k) => {
        const when = new Date(t + k * 1000);
        const at = vnIso(when);
        const year = vnDate(when).year;
        let evId = `ev:${id.slice(4)}:${String(t + k * 1000).padStart(15, '0')}`;
        let data: Record<string, unknown> = {};
        if (action === 'number' || action === 'register') {
          const registerKey = action === 'number' ? `out:${year}:chung` : `in:${year}`;
          const n = next(registerKey);
          evId = `ev:num:${registerKey}:${String(n).padStart(6, '0')}`;
          data = { registerKey, number: n, numberText: n < 10 ? `0${n}` : String(n), symbol: action === 'number' ? `${docType}-UBND` : null, year, date: at };
        }
        if (action === 'assign') data = { handler: 'chuyenvien', deadline: vnIso(new Date(t + 10 * 86_400_000)).slice(0, 10) };
        batch.push({ _id: evId, type: 'event', ward: 'phuong-mau', docId: id, action, at, actor: { user: 'seed', role: 'clerk', device: 'bench' }, data });
      });
    }
    await db.bulkDocs(batch);
    o.progress?.(Math.min(count, from + o.batch));
  }
  await db.close();
}

export const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

function body(r: Rand, chars: number): string {
  const out: string[] = [];
  let length = 0;
  while (length < chars) { const s = r.pick(SENTENCES)(r); out.push(s); length += s.length + 1; }
  return out.join('\n');
}

/** A small seeded generator, so a seed is the same from run to run (before and after a change). */
class Rand {
  private state: number;
  constructor(seed: number) { this.state = (seed * 2654435761) >>> 0 || 1; }
  next(): number {
    // xorshift32
    let x = this.state;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    this.state = x;
    return x / 0x1_0000_0000;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]!; }
}
