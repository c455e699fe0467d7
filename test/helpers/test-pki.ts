// A throw-away root CA and a TLS leaf for 127.0.0.1, built in code for tests
// that need HTTPS before (or independently of) the ward's own PKI commands.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface TestTls { rootPem: string; leafPem: string; p12: Buffer; pin: string }

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
}

function cert(subjectCn: string, pub: forge.pki.PublicKey, issuer: forge.pki.Certificate | null, signer: forge.pki.rsa.PrivateKey, extensions: object[]): forge.pki.Certificate {
  const c = forge.pki.createCertificate();
  c.publicKey = pub;
  c.serialNumber = `01${randomBytes(8).toString('hex')}`;
  c.validity.notBefore = new Date(Date.now() - 300_000);
  c.validity.notAfter = new Date(Date.now() + 86_400_000 * 30);
  c.setSubject([{ name: 'commonName', value: subjectCn }]);
  c.setIssuer(issuer ? issuer.subject.attributes : [{ name: 'commonName', value: subjectCn }]);
  c.setExtensions(extensions);
  c.sign(signer, forge.md.sha256.create());
  return c;
}

export function makeTestTls(pin = 'tls-pin-1234'): TestTls {
  const rootKeys = keyPair();
  const root = cert('Test City Root', rootKeys.publicKey, null, rootKeys.privateKey, [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]);
  const leafKeys = keyPair();
  const leaf = cert('ward-node.test', leafKeys.publicKey, root, rootKeys.privateKey, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
  ]);
  const asn1 = forge.pkcs12.toPkcs12Asn1(leafKeys.privateKey, [leaf, root], pin, { algorithm: '3des' });
  return { rootPem: forge.pki.certificateToPem(root), leafPem: forge.pki.certificateToPem(leaf), p12: Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'), pin };
}
