// A ward node ready for the three-user flow in a browser: the test PKI's ward
// CA installed with its CRLs, a leader (lanhdao), a clerk (vanthu) and a
// specialist (chuyenvien) whose passwords are already changed
// (<username>-real-password), the leader's and the seal's certificates
// enrolled with their PINs, and the signature and seal images uploaded.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { WARD_CA } from '../../node/signing.js';
import { makeTestPki } from './signing-fixtures.js';
import { official, startTestWard, type TestWard } from './ward.js';

export const CA_PIN = 'ward-ca-pin-2026';
export const LEADER_PIN = '246810';
export const SEAL_PIN = '135790';

/** `dataDir` (kept by stop()) lets a test stop the node and start it again on the same data. */
export async function startSigningWard(dataDir?: string): Promise<TestWard> {
  const pki = makeTestPki();
  const ward = await startTestWard({}, dataDir);
  ward.node.signing.keys.save(WARD_CA, pki.wardCa, CA_PIN);
  const [wardCrl, rootCrl] = pki.crl();
  writeFileSync(join(ward.node.signing.keys.dir, 'ward-ca.crl'), wardCrl!);
  writeFileSync(join(ward.node.signing.keys.dir, 'city-root.crl'), rootCrl!);
  const leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
  await official(ward, 'vanthu', 'clerk', 'Lê Thị Văn Thư');
  await official(ward, 'chuyenvien', 'specialist', 'Trần Văn Chuyên');
  for (const [holder, pin] of [['lanhdao', LEADER_PIN], ['seal', SEAL_PIN]] as const) {
    const enrolled = await ward.admin.post('/api/certificates', { holder, caPin: CA_PIN, pin });
    if (enrolled.status !== 201) throw new Error(`enrol ${holder}: ${enrolled.status} ${JSON.stringify(enrolled.body)}`);
  }
  await leader.request('PUT', '/api/me/signature-image', sampleSignaturePng(), { 'content-type': 'image/png' });
  await ward.admin.request('PUT', '/api/seal/image', sampleSealPng(), { 'content-type': 'image/png' });
  return ward;
}
