// A throw-away PKI for signing tests, built in code with certs/ca.ts: a city
// root, a ward CA, a leader and an agency-seal certificate, plus a stranger
// CA's leader (for "another CA" refusals) and a two-page pdfkit document with
// known boxes.
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { generateKey, issueCertificate } from '../../certs/ca.js';
import { createCrl, type Revoked } from '../../certs/crl.js';
import { FONTS } from '../../certs/fonts.js';
import type { Keystore } from '../../certs/keystore.js';
import type { RenderLayout } from '../../certs/pdf-boxes.js';
import type { Signer } from '../../certs/pdf-sign.js';

export interface TestPki {
  rootPem: string;
  /** The city root's key and certificate (to issue the city TSA's certificate). */
  root: Signer;
  wardCaPem: string;
  /** The ward CA as a node installs it: key and chain [ward CA, root]. */
  wardCa: Signer;
  leader: Signer;
  agency: Signer;
  stranger: Signer;
  /** A CRL from the ward CA listing `revoked` (default none), current for a day. */
  crl(revoked?: Revoked[]): Buffer[];
  serialOf(pem: string): string;
  issueLeader(opts?: { days?: number; notBefore?: Date }): Signer;
}

export function makeTestPki(): TestPki {
  const rootKey = generateKey(2048);
  const rootPem = issueCertificate({ kind: 'root', subject: { commonName: 'Test City Root CA', organization: 'UBND Thành phố Thử' }, publicKey: rootKey.publicKey, issuer: { self: rootKey.privateKey }, days: 3650 });
  const wardKey = generateKey(2048);
  const wardCaPem = issueCertificate({ kind: 'ward-ca', subject: { commonName: 'Phường Mẫu CA', organization: 'UBND Phường Mẫu' }, publicKey: wardKey.publicKey, issuer: { certPem: rootPem, privateKey: rootKey.privateKey }, days: 1825 });
  const wardCa = { certPem: wardCaPem, privateKey: wardKey.privateKey };
  const root = { certPem: rootPem, privateKey: rootKey.privateKey };
  const issue = (kind: 'leader' | 'agency', commonName: string, opts: { days?: number; notBefore?: Date } = {}): Signer => {
    const k = generateKey(2048);
    const pem = issueCertificate({ kind, subject: { commonName, organization: 'UBND Phường Mẫu' }, publicKey: k.publicKey, issuer: wardCa, days: opts.days ?? 365, ...(opts.notBefore ? { notBefore: opts.notBefore } : {}) });
    return { privateKey: k.privateKey, chain: [pem, wardCaPem, rootPem] };
  };
  const otherRoot = generateKey(2048);
  const otherRootPem = issueCertificate({ kind: 'root', subject: { commonName: 'Stranger Root' }, publicKey: otherRoot.publicKey, issuer: { self: otherRoot.privateKey }, days: 365 });
  const strangerKey = generateKey(2048);
  const strangerPem = issueCertificate({ kind: 'leader', subject: { commonName: 'Người Lạ' }, publicKey: strangerKey.publicKey, issuer: { certPem: otherRootPem, privateKey: otherRoot.privateKey }, days: 365 });
  const now = Date.now();
  return {
    rootPem, root: { privateKey: rootKey.privateKey, chain: [rootPem] }, wardCaPem, wardCa: { privateKey: wardKey.privateKey, chain: [wardCaPem, rootPem] },
    leader: issue('leader', 'Nguyễn Văn An'),
    agency: issue('agency', 'UBND Phường Mẫu'),
    stranger: { privateKey: strangerKey.privateKey, chain: [strangerPem, otherRootPem] },
    crl: (revoked = []) => [
      createCrl({ issuerCertPem: wardCaPem, issuerKey: wardKey.privateKey, revoked, crlNumber: 1, thisUpdate: new Date(now - 60_000), nextUpdate: new Date(now + 86_400_000) }),
      createCrl({ issuerCertPem: rootPem, issuerKey: root.privateKey, revoked: [], crlNumber: 1, thisUpdate: new Date(now - 60_000), nextUpdate: new Date(now + 86_400_000) }),
    ],
    serialOf: (pem) => new X509Certificate(pem).serialNumber.toLowerCase().replace(/^(00)+/, ''),
    issueLeader: (opts) => issue('leader', 'Trần Thị Bình', opts),
  };
}

/** Installs the PKI's ward CA under `caPin` in a node's keystore, with current CRLs of the ward CA and the root. */
export function installWardCa(keys: Keystore, pki: TestPki, caPin: string): void {
  keys.save('ward-ca', pki.wardCa, caPin);
  const [wardCrl, rootCrl] = pki.crl();
  writeFileSync(join(keys.dir, 'ward-ca.crl'), wardCrl!);
  writeFileSync(join(keys.dir, 'city-root.crl'), rootCrl!);
}

/** A two-page A4 pdfkit document with Vietnamese text, and boxes where a renderer would leave blanks. */
/**
 * `title`: the document information's title, as node/pdf-render.ts writes the subject there;
 * `author`: the issuing agency, as the renderer writes the agency it prints.
 */
export async function twoPagePdf(title?: string, author?: string): Promise<{ pdf: Buffer; layout: RenderLayout }> {
  const info = { ...(title ? { Title: title } : {}), ...(author ? { Author: author } : {}) };
  const doc = new PDFDocument({ size: 'A4', margins: { top: 57, bottom: 57, left: 85, right: 57 }, ...(title || author ? { info } : {}) });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.font(FONTS.regular).fontSize(13);
  doc.text('Số:        /QĐ-UBND', 85, 100);
  doc.text('Phường Mẫu, ngày     tháng     năm', 300, 100);
  doc.text('QUYẾT ĐỊNH về việc thử nghiệm chữ ký số', 85, 160);
  for (let i = 0; i < 40; i += 1) doc.text(`Đoạn ${i + 1}: Ủy ban nhân dân phường ban hành văn bản điện tử có chữ ký số hợp lệ.`);
  doc.addPage();
  doc.text('CHỦ TỊCH', 350, 200);
  doc.text('Nguyễn Văn An', 350, 330);
  doc.end();
  const pdf = await done;
  return {
    pdf,
    layout: {
      pageCount: 2,
      signature: { page: 1, x: 320, y: 841.89 - 320, width: 160, height: 90 },
      number: { page: 0, x: 110, y: 841.89 - 115, width: 45, height: 16 },
      day: { page: 0, x: 410, y: 841.89 - 115, width: 22, height: 16 },
      month: { page: 0, x: 470, y: 841.89 - 115, width: 22, height: 16 },
      year: { page: 0, x: 520, y: 841.89 - 115, width: 34, height: 16 },
      attachmentStamp: { page: 0, x: 360, y: 841.89 - 90, width: 180, height: 40 },
    },
  };
}
