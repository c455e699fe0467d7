// A signing key on a hardware token, reached through the token's PKCS#11
// library with pkcs11js (a maintained N-API binding). Every use loads the
// library, opens one session, logs in with the PIN given for this use, signs
// and then logs out, closes the session and finalises the library: nothing
// stays open between signatures, so a token pulled out between two uses is
// seen at the next one, and no other process finds a logged-in session left
// behind. Uses of one library run one at a time in this process (C_Initialize
// and C_Finalize are process-wide). The key never leaves the token: only the
// bytes to sign go in and the signature comes out.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import { wardError, type WardError } from '../sync/errors.js';

/** Where the key is: the library, the token (label, or position among slots with a token), the key's CKA_ID (hex). */
export interface TokenRef { module: string; tokenLabel?: string; slot?: number; keyId: string }

export interface TokenKey {
  /** CKK_RSA signs with CKM_SHA256_RSA_PKCS; CKK_EC with CKM_ECDSA over a SHA-256 digest. */
  algorithm: 'rsa' | 'ecdsa';
  /** Signs `data` (hashing it with SHA-256); ECDSA answers are DER like Node's. */
  sign(data: Buffer): Buffer;
}

/** What a token tells without a PIN: the certificates stored under the key's id, and its public key. */
export interface TokenPublic { certificatesDer: Buffer[]; publicKey: KeyObject | null; tokenLabel: string }

/** `missing`: what a token not found means here, a wrong slot at configuration or a token pulled out at use. */
export type MissingToken = 'token_slot_missing' | 'token_absent';

const queues = new Map<string, Promise<unknown>>();

function serial<T>(module: string, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(module) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  queues.set(module, next.catch(() => undefined));
  return next;
}

/** The Cryptoki return value of a pkcs11js failure, or null for anything else. */
function ckr(err: unknown): number | null {
  return err instanceof pkcs11js.Pkcs11Error ? err.code : null;
}

/** The catalogue error for a PKCS#11 failure (exported for the tests of codes SoftHSM2 never returns). */
export function tokenError(err: unknown, missing: MissingToken = 'token_absent'): WardError {
  switch (ckr(err)) {
    case pkcs11js.CKR_PIN_INCORRECT: case pkcs11js.CKR_PIN_LEN_RANGE: case pkcs11js.CKR_PIN_INVALID: return wardError('wrong_pin');
    case pkcs11js.CKR_PIN_LOCKED: return wardError('token_pin_locked');
    case pkcs11js.CKR_TOKEN_NOT_PRESENT: case pkcs11js.CKR_DEVICE_REMOVED: case pkcs11js.CKR_SESSION_HANDLE_INVALID:
    case pkcs11js.CKR_SESSION_CLOSED: case pkcs11js.CKR_TOKEN_NOT_RECOGNIZED: case pkcs11js.CKR_SLOT_ID_INVALID: return wardError(missing);
    default: return wardError('token_failed');
  }
}

/** Loads the library, finds the token, runs `fn` in a read-only session, then closes everything. */
function open<T>(ref: TokenRef, missing: MissingToken, fn: (p: pkcs11js.PKCS11, session: Buffer, label: string) => T | Promise<T>): Promise<T> {
  return serial(ref.module, async () => {
    if (!existsSync(ref.module)) throw wardError('token_module_missing');
    const p = new pkcs11js.PKCS11();
    try { p.load(ref.module); } catch { throw wardError('token_module_missing'); }
    let initialised = false;
    try {
      try { p.C_Initialize(); initialised = true; } catch { throw wardError('token_module_missing'); }
      const slots = p.C_GetSlotList(true);
      const withLabels = slots.map((s) => ({ slot: s, label: p.C_GetTokenInfo(s).label.trim() }));
      const found = ref.tokenLabel !== undefined ? withLabels.find((s) => s.label === ref.tokenLabel) : withLabels[ref.slot ?? 0];
      if (!found) throw wardError(missing);
      const session = p.C_OpenSession(found.slot, pkcs11js.CKF_SERIAL_SESSION);
      try { return await fn(p, session, found.label); } finally { try { p.C_CloseSession(session); } catch { /* the token may be gone already */ } }
    } catch (err) {
      if ((err as { name?: string }).name === 'WardError') throw err;
      throw tokenError(err, missing);
    } finally {
      if (initialised) try { p.C_Finalize(); } catch { /* nothing more to release */ }
      try { p.close(); } catch { /* idem */ }
    }
  });
}

function find(p: pkcs11js.PKCS11, session: Buffer, template: pkcs11js.Template): Buffer[] {
  p.C_FindObjectsInit(session, template);
  try { return p.C_FindObjects(session, 16); } finally { p.C_FindObjectsFinal(session); }
}

const idOf = (ref: TokenRef) => Buffer.from(ref.keyId, 'hex');

/** The certificates and public key stored under the key's id; no PIN (both are public objects). */
export function readTokenPublic(ref: TokenRef, missing: MissingToken = 'token_slot_missing'): Promise<TokenPublic> {
  return open(ref, missing, (p, session, tokenLabel) => {
    const certificatesDer = find(p, session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE }, { type: pkcs11js.CKA_ID, value: idOf(ref) }])
      .map((h) => p.C_GetAttributeValue(session, h, [{ type: pkcs11js.CKA_VALUE }])[0]!.value as Buffer);
    const [pub] = find(p, session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY }, { type: pkcs11js.CKA_ID, value: idOf(ref) }]);
    return { certificatesDer, publicKey: pub ? publicKeyOf(p, session, pub) : null, tokenLabel };
  });
}

/** Logs in with `pin`, finds the private key and lets `fn` sign with it; logs out and closes whatever happens. */
export function withTokenKey<T>(ref: TokenRef, pin: string, fn: (key: TokenKey) => T | Promise<T>, missing: MissingToken = 'token_absent'): Promise<T> {
  // fn may be async (it verifies what it signed): the session stays open only while it runs.
  return open(ref, missing, async (p, session) => {
    p.C_Login(session, pkcs11js.CKU_USER, pin);
    try {
      const [handle] = find(p, session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_ID, value: idOf(ref) }]);
      if (!handle) throw wardError('token_key_missing');
      const type = (p.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_KEY_TYPE }])[0]!.value as Buffer).readUIntLE(0, 4);
      const algorithm = type === pkcs11js.CKK_EC ? 'ecdsa' : 'rsa';
      const key: TokenKey = {
        algorithm,
        sign: (data) => {
          try {
            if (algorithm === 'rsa') {
              p.C_SignInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, handle);
              return Buffer.from(p.C_Sign(session, data, Buffer.alloc(1024)));
            }
            p.C_SignInit(session, { mechanism: pkcs11js.CKM_ECDSA }, handle);
            return rawToDer(Buffer.from(p.C_Sign(session, createHash('sha256').update(data).digest(), Buffer.alloc(256))));
          } catch (err) { throw tokenError(err, missing); }
        },
      };
      return await fn(key);
    } finally {
      try { p.C_Logout(session); } catch { /* a removed token has no session to log out of */ }
    }
  });
}

function publicKeyOf(p: pkcs11js.PKCS11, session: Buffer, h: Buffer): KeyObject | null {
  const type = (p.C_GetAttributeValue(session, h, [{ type: pkcs11js.CKA_KEY_TYPE }])[0]!.value as Buffer).readUIntLE(0, 4);
  if (type === pkcs11js.CKK_RSA) {
    const [n, e] = p.C_GetAttributeValue(session, h, [{ type: pkcs11js.CKA_MODULUS }, { type: pkcs11js.CKA_PUBLIC_EXPONENT }]);
    return createPublicKey({ key: { kty: 'RSA', n: (n!.value as Buffer).toString('base64url'), e: (e!.value as Buffer).toString('base64url') }, format: 'jwk' });
  }
  if (type === pkcs11js.CKK_EC) {
    // CKA_EC_POINT is a DER OCTET STRING around the uncompressed point; P-256 only (the curve of Vietnamese tokens' EC keys).
    const point = p.C_GetAttributeValue(session, h, [{ type: pkcs11js.CKA_EC_POINT }])[0]!.value as Buffer;
    const raw = point[0] === 0x04 && point[1] === point.length - 2 ? point.subarray(2) : point;
    const spki = Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'), raw]);
    return createPublicKey({ key: spki, format: 'der', type: 'spki' });
  }
  return null;
}

/** PKCS#11 ECDSA gives r‖s; CMS wants the DER SEQUENCE { r INTEGER, s INTEGER }. */
function rawToDer(raw: Buffer): Buffer {
  const half = raw.length / 2;
  const int = (b: Buffer) => {
    let v = b;
    while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
    if (v[0]! >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(raw.subarray(0, half)), int(raw.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
