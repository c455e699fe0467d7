// Verification throughput of a two-signature Decree 30 PDF (leader + agency
// seal, rendered by the node's pdfkit renderer), in one process, one file
// after another: what one core verifies per second. Also the time per
// verification and the file's size. Target: ≥ 300 verifications/s per core (issue 14).
//   npx tsx test/bench/verify.ts [--seconds=5]
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { renderDocument } from '../../node/pdf-render.js';
import { OutgoingDraft } from '../../sync/schema.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';

const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 5);
const pki = makeTestPki();
const trust = { roots: [pki.rootPem], crls: pki.crl() };
const body = Array.from({ length: 16 }, (_, i) => `Điều ${i + 1}. Giao Văn phòng HĐND và UBND phường chủ trì, phối hợp với các đơn vị liên quan triển khai thực hiện kế hoạch; bảo đảm tiến độ, chất lượng và hiệu quả.`).join('\n');
const content = OutgoingDraft.parse({ docType: 'QĐ', subject: 'Về việc ban hành Kế hoạch chuyển đổi số năm 2026', body, signerAuthority: 'TM.', signerTitle: 'Chủ tịch', signerName: 'Nguyễn Văn An', recipients: [{ name: 'UBND Quận' }, { name: 'Lưu: VT' }] });
const ward = { agencyParent: 'UBND Quận Mẫu', agencyName: 'UBND Phường Mẫu', agencyCode: 'UBND', place: 'Phường Mẫu' };

const { pdf, layout } = await renderDocument({ content, ward });
const leaderSigned = signAsLeader(pdf, { signer: pki.leader, image: sampleSignaturePng(), box: layout.signature, layout });
const issued = await signAsAgency(leaderSigned, { signer: pki.agency, sealImage: sampleSealPng(), layout, number: '05', date: { day: '02', month: '03', year: '2026' }, trust });

const once = async () => {
  const v = await verifyPdf(issued, trust);
  if (v.status !== 'valid' || v.signatures.length !== 2) throw new Error(`the benchmark file does not verify: ${JSON.stringify(v)}`);
};
for (let i = 0; i < 20; i += 1) await once(); // warm the JIT
const started = performance.now();
let n = 0;
while (performance.now() - started < seconds * 1000) { await once(); n += 1; }
const elapsed = (performance.now() - started) / 1000;
console.log(`verify_pdf_pages ${layout.pageCount} pages`);
console.log(`verify_pdf_bytes ${issued.length} bytes`);
console.log(`verify_ms_each ${((elapsed * 1000) / n).toFixed(2)} ms`);
console.log(`verify_per_s_per_core ${(n / elapsed).toFixed(0)} /s`);
