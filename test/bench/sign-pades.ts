// PAdES levels (issue 14 item 4), one run: render + leader signature (B-B);
// the clerk's step with a signature timestamp (B-T) from a TSA over real
// local HTTP, the same TSA code the city serves; the city's LTV append (DSS
// + document timestamp); verification per second on one core of the
// two-signature PDF as issued (B-B), with B-T, and the LTV copy.
//   npx tsx test/bench/sign-pades.ts [--runs=30] [--seconds=3]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendLtv } from '../../certs/pdf-ltv.js';
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { addSignatureTimestamp } from '../../certs/pdf-timestamp.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { httpTimestamper } from '../../certs/tsa-client.js';
import { issueTsa, TIMESTAMP_REPLY, timestampResponse } from '../../certs/tsa.js';
import { renderDocument } from '../../node/pdf-render.js';
import { OutgoingDraft } from '../../sync/schema.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';

const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 30);
const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 3);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const ms = (x: number) => x.toFixed(1);

const pki = makeTestPki();
const tsa = issueTsa(pki.root);
const trust = { roots: [pki.rootPem], crls: pki.crl() };
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => { const r = timestampResponse(tsa, Buffer.concat(chunks)); res.writeHead(r.granted ? 200 : 503, { 'content-type': TIMESTAMP_REPLY }).end(r.der); });
});
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const stamper = httpTimestamper(`http://127.0.0.1:${(server.address() as AddressInfo).port}/_tsa`);
const body = Array.from({ length: 16 }, (_, i) => `Điều ${i + 1}. Giao Văn phòng HĐND và UBND phường chủ trì, phối hợp với các đơn vị liên quan triển khai thực hiện kế hoạch; bảo đảm tiến độ, chất lượng và hiệu quả.`).join('\n');
const content = OutgoingDraft.parse({ docType: 'QĐ', subject: 'Về việc ban hành Kế hoạch chuyển đổi số năm 2026', body, signerAuthority: 'TM.', signerTitle: 'Chủ tịch', signerName: 'Nguyễn Văn An', recipients: [{ name: 'UBND Quận' }, { name: 'Lưu: VT' }] });
const ward = { agencyParent: 'UBND Quận Mẫu', agencyName: 'UBND Phường Mẫu', agencyCode: 'UBND', place: 'Phường Mẫu' };

try {
  const leaderTimes: number[] = [];
  const clerkBB: number[] = [];
  const clerkBT: number[] = [];
  const ltvTimes: number[] = [];
  let bb: Buffer = Buffer.alloc(0);
  let bt: Buffer = Buffer.alloc(0);
  let ltv: Buffer = Buffer.alloc(0);
  for (let i = 0; i < runs + 3; i += 1) {
    const t0 = performance.now();
    const { pdf, layout } = await renderDocument({ content, ward });
    const signed = signAsLeader(pdf, { signer: pki.leader, image: sampleSignaturePng(), box: layout.signature, layout });
    const t1 = performance.now();
    const opts = { signer: pki.agency, sealImage: sampleSealPng(), layout, number: '05', date: { day: '02', month: '03', year: '2026' }, trust };
    bb = await signAsAgency(signed, opts);
    const t2 = performance.now();
    bt = await addSignatureTimestamp(await signAsAgency(signed, opts), stamper);
    const t3 = performance.now();
    ltv = await appendLtv(bt, { certificates: [...pki.leader.chain, ...pki.agency.chain, ...tsa.chain], crls: pki.crl(), timestamper: stamper });
    const t4 = performance.now();
    if (i >= 3) { leaderTimes.push(t1 - t0); clerkBB.push(t2 - t1); clerkBT.push(t3 - t2); ltvTimes.push(t4 - t3); }
  }
  console.log(`render_leader_p50_ms ${ms(pct(leaderTimes, 50))} ms`);
  console.log(`clerk_step_bb_p50_ms ${ms(pct(clerkBB, 50))} ms`);
  console.log(`clerk_step_bt_http_tsa_p50_ms ${ms(pct(clerkBT, 50))} ms`);
  console.log(`clerk_step_bt_http_tsa_p95_ms ${ms(pct(clerkBT, 95))} ms`);
  console.log(`city_ltv_append_dss_doc_timestamp_p50_ms ${ms(pct(ltvTimes, 50))} ms`);
  for (const [label, file] of [['bb', bb], ['bt', bt], ['ltv', ltv]] as const) {
    for (let i = 0; i < 10; i += 1) await verifyPdf(file, trust);
    const started = performance.now();
    let n = 0;
    while (performance.now() - started < seconds * 1000) {
      const v = await verifyPdf(file, trust);
      if (v.status !== 'valid' || v.signatures.length !== 2) throw new Error(`${label} does not verify: ${JSON.stringify(v.reasons)}`);
      n += 1;
    }
    console.log(`verify_two_signature_${label}_per_s_one_core ${(n / ((performance.now() - started) / 1000)).toFixed(0)} /s`);
  }
} finally {
  server.close();
}
