// Hardware-token signing against the PKCS#12 path, in the same run: the
// agency seal step (leader's signature checked, number and date filled, seal
// signed) with the seal's key opened per use from its PIN-encrypted PKCS#12,
// and with the key on a SoftHSM2 token (library loaded, session opened,
// login, sign, logout, close per use); then the two-phase round trip of an
// official's own token over loopback: prepare at the ward node, sign at
// `warddesk signer`, complete at the node (HTTP all three).
//   npx tsx test/bench/tokens.ts [--runs=30]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keystore } from '../../certs/keystore.js';
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { startSigner } from '../../node/signer/signer-server.js';
import { TokenHolders } from '../../node/token-holders.js';
import { installWardCa, makeTestPki, twoPagePdf } from '../helpers/signing-fixtures.js';
import { SOFTHSM_MODULE, startSoftHsm } from '../helpers/softhsm.js';
import { official, sampleDraft, startTestWard } from '../helpers/ward.js';

const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 30);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const ms = (x: number) => x.toFixed(1);

const pki = makeTestPki();
const hsm = startSoftHsm('BenchToken');
const dir = mkdtempSync(join(tmpdir(), 'warddesk-bench-tokens-'));
try {
  hsm.keygen('01', 'seal');
  hsm.writeCert('01', hsm.issue(pki, '01', 'agency', 'UBND Phường Mẫu'));
  hsm.keygen('02', 'leader');
  hsm.writeCert('02', hsm.issue(pki, '02', 'leader', 'Nguyễn Văn An'));
  const keys = new Keystore(dir);
  keys.save('seal', pki.agency, '135790');
  const tokens = new TokenHolders(dir);
  await tokens.configure('seal', { module: SOFTHSM_MODULE, tokenLabel: hsm.label, keyId: '01', role: 'agency' }, 'UBND Phường Mẫu', [pki.rootPem], undefined, [pki.wardCaPem]);
  const trust = { roots: [pki.rootPem], crls: pki.crl() };
  const { pdf, layout } = await twoPagePdf();
  const signed = signAsLeader(pdf, { signer: pki.leader, image: sampleSignaturePng(), box: layout.signature, layout });
  const seal = sampleSealPng();
  const step = { sealImage: seal, layout, number: '05', date: { day: '02', month: '03', year: '2026' }, trust };
  const p12: number[] = [];
  const token: number[] = [];
  for (let i = 0; i < runs + 3; i += 1) {
    const t0 = performance.now();
    await signAsAgency(signed, { signer: await keys.unlock('seal', '135790'), ...step });
    const t1 = performance.now();
    await tokens.use('seal', hsm.pin, (signer) => signAsAgency(signed, { signer, ...step }));
    const t2 = performance.now();
    if (i >= 3) { p12.push(t1 - t0); token.push(t2 - t1); } // the first runs warm the JIT and the library
  }
  console.log(`p12_sign_p50_ms ${ms(pct(p12, 50))} ms`);
  console.log(`token_sign_p50_ms ${ms(pct(token, 50))} ms`);
  console.log(`token_over_p12_p50 ${(pct(token, 50) / pct(p12, 50)).toFixed(2)} x`);

  const ward = await startTestWard();
  const signer = await startSigner({ nodeOrigin: ward.url, token: { module: SOFTHSM_MODULE, tokenLabel: hsm.label, keyId: '02' }, pin: async () => hsm.pin, show: () => undefined });
  try {
    installWardCa(ward.node.signing.keys, pki, 'ward-ca-pin-2026');
    const specialist = await official(ward, 'chuyenvien', 'specialist');
    const leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
    await leader.request('PUT', '/api/me/signature-image', sampleSignaturePng(), { 'content-type': 'image/png' });
    const status = await (await fetch(`${signer.url}/v1/status`, { headers: { origin: ward.url } })).json() as { certificates: string[] };
    const rounds: number[] = [];
    for (let i = 0; i < Math.max(5, Math.floor(runs / 2)) + 2; i += 1) {
      const id = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id as string;
      await specialist.post(`/api/documents/${id}/actions/submit`);
      await leader.post(`/api/documents/${id}/actions/approve`);
      const t0 = performance.now();
      const prepared = (await leader.post(`/api/documents/${id}/signing`, { certificates: status.certificates })).body;
      const answer = await (await fetch(`${signer.url}/v1/sign`, { method: 'POST', headers: { origin: ward.url, 'content-type': 'application/json' }, body: JSON.stringify({ toSign: prepared.toSign, document: prepared.document }) })).json() as { signature: string };
      const done = await leader.post(`/api/signing/${prepared.signingId}`, { signature: answer.signature });
      const t1 = performance.now();
      if (done.status !== 200) throw new Error(`two-phase failed: ${JSON.stringify(done.body)}`);
      if (i >= 2) rounds.push(t1 - t0);
    }
    console.log(`two_phase_round_trip_p50_ms ${ms(pct(rounds, 50))} ms`);
    console.log(`two_phase_round_trip_p95_ms ${ms(pct(rounds, 95))} ms`);
  } finally {
    await signer.close();
    await ward.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  hsm.cleanup();
}
