// certs/pkcs11-token.ts against a real SoftHSM2 token in its own directory:
// signatures that verify with the token's public key, and each failure as
// its catalogue error. SoftHSM2 never locks a PIN, so CKR_PIN_LOCKED (which a
// real card returns) is checked through the mapping with pkcs11js's own error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { verify } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { readTokenPublic, tokenError, withTokenKey } from '../../certs/pkcs11-token.js';
import { SOFTHSM_MODULE, startSoftHsm, type SoftHsm } from '../helpers/softhsm.js';

let hsm: SoftHsm;
test.before(() => { hsm = startSoftHsm('UnitToken'); hsm.keygen('0a', 'k'); });
test.after(() => hsm?.cleanup());

const ref = () => ({ module: SOFTHSM_MODULE, tokenLabel: hsm.label, keyId: '0a' });
async function code(p: Promise<unknown>): Promise<string> {
  try { await p; return 'ok'; } catch (e) { return String((e as { code?: string }).code); }
}

test('a signature made on the token verifies with the token\'s public key', async () => {
  const pub = await readTokenPublic(ref());
  assert.ok(pub.publicKey);
  const data = Buffer.from('thuộc tính đã ký');
  const sig = await withTokenKey(ref(), hsm.pin, (k) => k.sign(data));
  assert.ok(verify('sha256', data, pub.publicKey!, sig));
});

test('an EC P-256 key on the token signs in ECDSA, answered in DER as CMS wants it', async () => {
  hsm.tool(['--login', '--pin', hsm.pin, '--keypairgen', '--key-type', 'EC:prime256v1', '--id', 'ec', '--label', 'ec']);
  const ecRef = { ...ref(), keyId: 'ec' };
  const pub = await readTokenPublic(ecRef);
  assert.is(pub.publicKey?.asymmetricKeyType, 'ec');
  const data = Buffer.from('thuộc tính đã ký');
  for (let i = 0; i < 5; i += 1) { // r or s with a high bit set needs a leading zero in DER: try several
    const sig = await withTokenKey(ecRef, hsm.pin, (k) => { assert.is(k.algorithm, 'ecdsa'); return k.sign(data); });
    assert.is(sig[0], 0x30);
    assert.ok(verify('sha256', data, pub.publicKey!, sig));
  }
});

test('wrong PIN, missing library, wrong slot and missing key are told apart', async () => {
  assert.is(await code(withTokenKey(ref(), '000000', (k) => k.sign(Buffer.from('x')))), 'wrong_pin');
  assert.is(await code(withTokenKey({ ...ref(), module: '/nonexistent/lib.so' }, hsm.pin, (k) => k.sign(Buffer.from('x')))), 'token_module_missing');
  assert.is(await code(readTokenPublic({ ...ref(), tokenLabel: 'Nope' })), 'token_slot_missing');
  assert.is(await code(withTokenKey({ ...ref(), keyId: '0b' }, hsm.pin, (k) => k.sign(Buffer.from('x')))), 'token_key_missing');
});

test('a locked PIN (CKR_PIN_LOCKED) and a removed device are their own errors', () => {
  const locked = new pkcs11js.Pkcs11Error(`CKR_PIN_LOCKED:${pkcs11js.CKR_PIN_LOCKED}`, pkcs11js.CKR_PIN_LOCKED, 'C_Login');
  assert.is(tokenError(locked).code, 'token_pin_locked');
  assert.ok(tokenError(locked).vi.includes('khóa') && tokenError(locked).en.includes('locked'));
  assert.is(tokenError(new pkcs11js.Pkcs11Error(`CKR_DEVICE_REMOVED:${pkcs11js.CKR_DEVICE_REMOVED}`, pkcs11js.CKR_DEVICE_REMOVED, 'C_Sign')).code, 'token_absent');
});

test('the library removed between two uses: the second is refused, the first signed', async () => {
  const copy = join(hsm.dir, 'libcopy.so');
  copyFileSync(SOFTHSM_MODULE, copy);
  assert.ok((await withTokenKey({ ...ref(), module: copy }, hsm.pin, (k) => k.sign(Buffer.from('a')))).length > 0);
  rmSync(copy);
  assert.is(await code(withTokenKey({ ...ref(), module: copy }, hsm.pin, (k) => k.sign(Buffer.from('b')))), 'token_module_missing');
});

test('the token deleted between two uses is absent at the second', async () => {
  hsm.deleteToken();
  assert.is(await code(withTokenKey(ref(), hsm.pin, (k) => k.sign(Buffer.from('x')))), 'token_absent');
});

test.run();
