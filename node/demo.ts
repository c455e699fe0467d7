// `npm run demo -- --out DIR`: the whole signing path on a throw-away PKI and
// a real ward node (own temp data dir, loopback, over HTTP like the app):
// city root → ward CA → leader and seal keys → draft → submit → approve →
// sign (PIN) → number → agency seal (PIN) → issue. Writes DIR/issued.pdf and
// DIR/city-root.pem (plus the CRLs), so anyone can check it:
//   pdfsig (city root trusted in NSS), or `warddesk verify DIR/issued.pdf --root DIR/city-root.pem --crl …`
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { generateKey, issueCertificate } from '../certs/ca.js';
import { createCrl } from '../certs/crl.js';
import { sampleSealPng, sampleSignaturePng } from '../certs/sample-images.js';
import { loadConfig } from './config.js';
import { WARD_CA } from './signing.js';
import { startWardNode } from './ward-node.js';

const outArg = process.argv.indexOf('--out');
const out = resolve(outArg >= 0 && process.argv[outArg + 1] ? process.argv[outArg + 1]! : 'demo-out');
mkdirSync(out, { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), 'warddesk-demo-'));
const CA_PIN = 'demo-ward-ca-pin';

const say = (vi: string, en: string) => console.log(`• ${vi} / ${en}`);

// The city's part: its root and the ward's CA.
const rootKey = generateKey(3072);
const rootPem = issueCertificate({ kind: 'root', subject: { commonName: 'Demo City Root CA', organization: 'UBND Thành phố Demo' }, publicKey: rootKey.publicKey, issuer: { self: rootKey.privateKey }, days: 3650 });
const wardKey = generateKey(2048);
const wardPem = issueCertificate({ kind: 'ward-ca', subject: { commonName: 'UBND Phường Mẫu CA', organization: 'phuong-mau' }, publicKey: wardKey.publicKey, issuer: { certPem: rootPem, privateKey: rootKey.privateKey }, days: 1825 });
const week = (issuerCertPem: string, issuerKey: typeof rootKey.privateKey) => createCrl({ issuerCertPem, issuerKey, revoked: [], crlNumber: 1, thisUpdate: new Date(), nextUpdate: new Date(Date.now() + 7 * 86_400_000) });
say('Đã tạo CA gốc của thành phố và CA của phường', 'created the city root and the ward CA');

const node = await startWardNode(loadConfig({}, { dataDir, host: '127.0.0.1', port: 0, cookieSecure: false, logLevel: 'silent', enrolment: { adminSetsPin: true } }), { log: pino({ level: 'silent' }) });
try {
  node.signing.keys.save(WARD_CA, { privateKey: wardKey.privateKey, chain: [wardPem, rootPem] }, CA_PIN);
  writeFileSync(join(node.signing.keys.dir, 'ward-ca.crl'), week(wardPem, wardKey.privateKey));
  writeFileSync(join(node.signing.keys.dir, 'city-root.crl'), week(rootPem, rootKey.privateKey));

  const session = async (username: string, password: string) => {
    const r = await fetch(`${node.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    const body = await r.json() as { csrfToken: string };
    const cookie = /wd_session=[^;]*/.exec(r.headers.get('set-cookie') ?? '')![0];
    return async (method: string, path: string, payload?: unknown, type = 'application/json') => {
      const res = await fetch(`${node.url}${path}`, { method, headers: { cookie, 'x-csrf-token': body.csrfToken, ...(payload !== undefined ? { 'content-type': type } : {}) }, ...(payload !== undefined ? { body: Buffer.isBuffer(payload) ? payload : JSON.stringify(payload) } : {}) });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
  };
  const first = node.firstAdmin!;
  let admin = await session(first.username, first.password);
  await admin('POST', '/api/auth/password', { oldPassword: first.password, newPassword: 'demo-admin-password' });
  admin = await session('admin', 'demo-admin-password');
  const people: Record<string, Awaited<ReturnType<typeof session>>> = {};
  for (const [username, role, fullName, title] of [['chuyenvien', 'specialist', 'Lê Thị Hoa', ''], ['chutich', 'leader', 'Nguyễn Văn An', 'Chủ tịch'], ['vanthu', 'clerk', 'Phạm Thu Hà', '']] as const) {
    await admin('POST', '/api/users', { username, fullName, title, role, password: `${username}-first-pw` });
    const s = await session(username, `${username}-first-pw`);
    await s('POST', '/api/auth/password', { oldPassword: `${username}-first-pw`, newPassword: `${username}-demo-password` });
    people[username] = await session(username, `${username}-demo-password`);
  }
  await admin('POST', '/api/certificates', { holder: 'chutich', caPin: CA_PIN, pin: '246810' });
  await admin('POST', '/api/certificates', { holder: 'seal', caPin: CA_PIN, pin: '135790' });
  await people['chutich']!('PUT', '/api/me/signature-image', sampleSignaturePng(), 'image/png');
  await admin('PUT', '/api/seal/image', sampleSealPng(), 'image/png');
  say('Đã cấp khóa ký cho Chủ tịch và con dấu cơ quan', 'enrolled the chairman\'s key and the agency seal');

  const draft = await people['chuyenvien']!('POST', '/api/documents/outgoing', {
    docType: 'QĐ', subject: 'Về việc ban hành Kế hoạch chuyển đổi số của phường năm 2026',
    body: 'Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\nCăn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;\nXét đề nghị của Văn phòng HĐND và UBND phường.\nĐiều 1. Ban hành kèm theo Quyết định này Kế hoạch chuyển đổi số của phường năm 2026.\nĐiều 2. Quyết định có hiệu lực kể từ ngày ký.\nĐiều 3. Văn phòng HĐND và UBND phường, các đơn vị liên quan chịu trách nhiệm thi hành Quyết định này.',
    signerAuthority: 'TM.', signerTitle: 'Chủ tịch', signerName: 'Nguyễn Văn An',
    recipients: [{ name: 'UBND Thành phố (để b/c)' }, { name: 'Như Điều 3' }, { name: 'Lưu: VT, VP' }],
  });
  const id = String(draft['id']);
  await people['chuyenvien']!('POST', `/api/documents/${id}/actions/submit`, {});
  await people['chutich']!('POST', `/api/documents/${id}/actions/approve`, {});
  await people['chutich']!('POST', `/api/documents/${id}/actions/sign`, { data: { pin: '246810' } });
  say('Chủ tịch đã ký số', 'the chairman signed');
  const numbered = await people['vanthu']!('POST', `/api/documents/${id}/actions/number`, {});
  await people['vanthu']!('POST', `/api/documents/${id}/actions/issue`, { data: { pin: '135790' } });
  say(`Văn thư đã cấp số ${String(numbered['numberAndSymbol'])} và ký số cơ quan`, `the clerk numbered ${String(numbered['numberAndSymbol'])} and applied the agency signature`);

  const check = await people['vanthu']!('GET', `/api/documents/${id}/verification`);
  const pdf = await node.blobs.read(String(check['pdf']));
  writeFileSync(join(out, 'issued.pdf'), pdf!.bytes);
  writeFileSync(join(out, 'city-root.pem'), rootPem);
  writeFileSync(join(out, 'ward-ca.crl'), week(wardPem, wardKey.privateKey));
  writeFileSync(join(out, 'city-root.crl'), week(rootPem, rootKey.privateKey));
  const verdict = check['verdict'] as { status: string };
  say(`Kết quả kiểm tra: ${verdict.status}`, `verification: ${verdict.status}`);
  console.log(`${join(out, 'issued.pdf')}\n${join(out, 'city-root.pem')}`);
  process.exitCode = verdict.status === 'valid' ? 0 : 1;
} finally {
  await node.close();
  rmSync(dataDir, { recursive: true, force: true });
}
