// Looks for secrets in replicated documents, in any field at any depth:
// - field names that hold secrets (pin, password, token, secret, privateKey, csrf, salt, session…);
// - values shaped like the tests' PINs (6–12 digits alone) and passwords
//   ("<user>-initial-pw", "<user>-real-password", "admin-password-1"), scrypt hashes;
// - key material: PEM private keys and PKCS#12, and base64 of DER private keys
//   (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1) or of a PKCS#12 file;
// - any value the caller knows to be secret (a session id, a CSRF token, the
//   ward's city password), as a substring.
// Sync tests run it over every document the city holds (assertNoSecretsAtCity).
import { createPrivateKey } from 'node:crypto';
import * as assert from 'uvu/assert';
import { CITY_ADMIN, couch } from './city.js';

export interface SecretFinding { id: string; path: string; why: string }

const SECRET_WORDS = new Set(['pin', 'pins', 'password', 'passwords', 'passwd', 'passphrase', 'token', 'tokens', 'secret', 'secrets', 'csrf', 'salt', 'session', 'sessions', 'privatekey', 'apikey', 'pfx', 'p12', 'pkcs12', 'otp']);
const PIN_SHAPE = /^\d{6,12}$/;
const TEST_PASSWORD_SHAPE = /^(?:[a-z][a-z0-9._-]*-(?:initial-pw|real-password)|admin-password-\d+|city-admin-password-\d+)$/;
const PEM_SECRET = /-----BEGIN (?:[A-Z0-9]+ )*(?:PRIVATE KEY|PKCS12)-----/;
const BASE64 = /^[A-Za-z0-9+/\s]{64,}={0,2}$/;
/** DER of PKCS#12: SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data … } }. */
const PKCS12_VERSION = Buffer.from([0x02, 0x01, 0x03, 0x30]);
const PKCS7_DATA = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]);

/** The words of a field name: `privateKey`, `private_key`, `x-csrf-token` → ['private', 'key'] and the joined 'privatekey'… */
function fieldWords(name: string): string[] {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const pairs = words.slice(1).map((w, i) => `${words[i]}${w}`);
  return [...words, ...pairs];
}

function isKeyDer(der: Buffer): string | null {
  if (der.length < 16 || der[0] !== 0x30) return null;
  const head = der.subarray(0, 40);
  if (head.indexOf(PKCS12_VERSION) >= 0 && head.indexOf(PKCS7_DATA) >= 0) return 'base64 of a PKCS#12 file';
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try { createPrivateKey({ key: der, format: 'der', type }); return `base64 of a DER private key (${type})`; } catch (err) {
      // An encrypted PKCS#8 key parses far enough to ask for its passphrase.
      if ((err as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') return 'base64 of an encrypted private key';
    }
  }
  return null;
}

function valueProblem(value: string, needles: readonly string[]): string | null {
  if (PIN_SHAPE.test(value)) return 'a value shaped like a PIN';
  if (TEST_PASSWORD_SHAPE.test(value)) return 'a value shaped like a test password';
  if (/^scrypt\$|^\$(?:2[aby]|argon2)/.test(value)) return 'a password hash';
  if (PEM_SECRET.test(value)) return 'PEM key material';
  if (BASE64.test(value)) {
    const kind = isKeyDer(Buffer.from(value.replace(/\s+/g, ''), 'base64'));
    if (kind) return kind;
  }
  const needle = needles.find((n) => value.includes(n));
  return needle ? `a known secret (${needle.slice(0, 4)}…)` : null;
}

/** Every secret-looking field or value in `docs`. */
export function findSecrets(docs: Iterable<unknown>, knownSecrets: Iterable<string> = []): SecretFinding[] {
  const needles = [...knownSecrets].filter((n) => n.length >= 6);
  const findings: SecretFinding[] = [];
  for (const doc of docs) {
    const id = String((doc as { _id?: unknown } | null)?._id ?? '?');
    if (/^(?:sess|cred):/.test(id)) findings.push({ id, path: '_id', why: 'a secrets-database id' });
    const stack: [unknown, string][] = [[doc, '']];
    while (stack.length > 0) {
      const [value, path] = stack.pop()!;
      if (typeof value === 'string') {
        const why = valueProblem(value, needles);
        if (why) findings.push({ id, path: path || '(value)', why });
      } else if (Array.isArray(value)) {
        value.forEach((v, i) => stack.push([v, `${path}[${i}]`]));
      } else if (value !== null && typeof value === 'object') {
        for (const [key, v] of Object.entries(value)) {
          const at = path ? `${path}.${key}` : key;
          const word = fieldWords(key).find((w) => SECRET_WORDS.has(w));
          if (word) findings.push({ id, path: at, why: `a field named for a secret (${word})` });
          const keyWhy = valueProblem(key, needles);
          if (keyWhy) findings.push({ id, path: at, why: `its name is ${keyWhy}` });
          stack.push([v, at]);
        }
      }
    }
  }
  return findings;
}

/** Every document of a ward database at the city (design documents aside), with conflicts. */
export async function cityDocuments(cityUrl: string, db: string): Promise<Record<string, unknown>[]> {
  const r = await couch(cityUrl, CITY_ADMIN, 'GET', `/${db}/_all_docs?include_docs=true&conflicts=true`);
  if (r.status !== 200) throw new Error(`reading ${db} at the city: ${r.status} ${JSON.stringify(r.body)}`);
  return (r.body.rows as { id: string; doc: Record<string, unknown> }[]).filter((row) => !row.id.startsWith('_design/')).map((row) => row.doc);
}

/** Fails with each finding when anything secret-looking reached the city's copy of a ward. */
export async function assertNoSecretsAtCity(cityUrl: string, db: string, knownSecrets: Iterable<string> = []): Promise<number> {
  const docs = await cityDocuments(cityUrl, db);
  const findings = findSecrets(docs, knownSecrets);
  assert.equal(findings, [], `secrets at the city in ${db}: ${findings.slice(0, 5).map((f) => `${f.id} ${f.path}: ${f.why}`).join('; ')}`);
  return docs.length;
}
