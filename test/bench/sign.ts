// Render + sign a two-page Decree 30 document end to end (pdfkit rendering,
// key unlock from the PIN-encrypted PKCS#12, leader's visible signature),
// p50 and p95; the clerk's step (number, date, agency seal, with the leader's
// signature verified first); verification throughput on one core; and
// native vs node-forge RSA-2048 signing, side by side in the same run.
//   npx tsx test/bench/sign.ts [--runs 40]
import { mkdtempSync, rmSync } from 'node:fs';
import { sign as nativeSign } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { Keystore } from '../../certs/keystore.js';
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { renderDocument } from '../../node/pdf-render.js';
import { OutgoingDraft } from '../../sync/schema.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';

const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 40);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const ms = (x: number) => x.toFixed(1);

const pki = makeTestPki();
const dir = mkdtempSync(join(tmpdir(), 'warddesk-bench-sign-'));
const keys = new Keystore(dir);
keys.save('user.chutich', pki.leader, '246810');
const trust = { roots: [pki.rootPem], crls: pki.crl() };
const image = sampleSignaturePng();
const seal = sampleSealPng();
const body = Array.from({ length: 16 }, (_, i) => `Điều ${i + 1}. Giao Văn phòng HĐND và UBND phường chủ trì, phối hợp với các đơn vị liên quan triển khai thực hiện kế hoạch; bảo đảm tiến độ, chất lượng và hiệu quả.`).join('\n');
const content = OutgoingDraft.parse({ docType: 'QĐ', subject: 'Về việc ban hành Kế hoạch chuyển đổi số năm 2026', body, signerAuthority: 'TM.', signerTitle: 'Chủ tịch', signerName: 'Nguyễn Văn An', recipients: [{ name: 'UBND Quận' }, { name: 'Lưu: VT' }] });
const ward = { agencyParent: 'UBND Quận Mẫu', agencyName: 'UBND Phường Mẫu', agencyCode: 'UBND', place: 'Phường Mẫu' };

try {
  const leaderTimes: number[] = [];
  const agencyTimes: number[] = [];
  let issued: Buffer = Buffer.alloc(0);
  let pages = 0;
  for (let i = 0; i < runs + 3; i += 1) {
    const t0 = performance.now();
    const { pdf, layout } = await renderDocument({ content, ward });
    const key = await keys.unlock('user.chutich', '246810');
    const signed = signAsLeader(pdf, { signer: key, image, box: layout.signature, layout });
    const t1 = performance.now();
    issued = await signAsAgency(signed, { signer: pki.agency, sealImage: seal, layout, number: '05', date: { day: '02', month: '03', year: '2026' }, trust });
    const t2 = performance.now();
    pages = layout.pageCount;
    if (i >= 3) { leaderTimes.push(t1 - t0); agencyTimes.push(t2 - t1); } // the first runs warm the JIT
  }
  console.log(`render_sign_pages ${pages} pages`);
  console.log(`render_sign_p50_ms ${ms(pct(leaderTimes, 50))} ms`);
  console.log(`render_sign_p95_ms ${ms(pct(leaderTimes, 95))} ms`);
  console.log(`agency_step_p50_ms ${ms(pct(agencyTimes, 50))} ms`);
  console.log(`agency_step_p95_ms ${ms(pct(agencyTimes, 95))} ms`);

  const started = performance.now();
  let verified = 0;
  while (performance.now() - started < 3000) {
    const v = await verifyPdf(issued, trust);
    if (v.status !== 'valid') throw new Error('benchmark file does not verify');
    verified += 1;
  }
  console.log(`verify_two_signature_pdfs_per_s_one_core ${(verified / ((performance.now() - started) / 1000)).toFixed(0)} /s`);

  const data = Buffer.alloc(32 * 1024, 7);
  const forgeKey = forge.pki.privateKeyFromPem(pki.leader.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
  const rate = (fn: () => void) => { const t = performance.now(); let n = 0; while (performance.now() - t < 2000) { fn(); n += 1; } return n / ((performance.now() - t) / 1000); };
  const native = rate(() => nativeSign('sha256', data, pki.leader.privateKey));
  const pure = rate(() => { const md = forge.md.sha256.create(); md.update(data.toString('binary')); forgeKey.sign(md); });
  console.log(`rsa2048_sign_native_per_s ${native.toFixed(0)} /s`);
  console.log(`rsa2048_sign_forge_per_s ${pure.toFixed(0)} /s`);
  console.log(`rsa2048_native_over_forge ${(native / pure).toFixed(1)} x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
