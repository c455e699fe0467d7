// Certificates and signing keys over HTTP. The admin enrols an official's key
// or the agency seal with the ward CA's PIN and a first PIN for the holder,
// lists certificates (role, revocation) and revokes one with the CA's PIN; holders change their PIN and
// upload their signature image; anyone logged in downloads the ward CA's CRL
// and the city root. Enrolments, revocations, PIN changes and the seal image go into the audit log. Keys never
// leave the node: no route returns key material, only certificates.
import express, { Router } from 'express';
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { trustedRootPems } from '../holder-keys.js';
import { wardError } from '../../sync/errors.js';
import { parseInput } from '../../sync/validation.js';
import type { Projection } from '../projection.js';
import { normalizeSerial, RevocationRegister } from '../../certs/revocation.js';
import { effectiveRole, RoleMappings } from '../../certs/role-mappings.js';
import { TrustedRoots } from '../../certs/trusted-roots.js';
import { holderOf, SEAL, WARD_CA, type Signing } from '../signing.js';
import type { Users } from '../users.js';
import { actorOf, caller, requireRole } from './context.js';

const Pin = z.string().min(6).max(32);
const Enrol = z.strictObject({ holder: z.string().min(1).max(64), caPin: z.string().min(1).max(64), pin: Pin });
// A token holder: where the key is (node/token-holders.ts); the certificate only when the token stores none.
const TokenHolder = z.strictObject({
  holder: z.string().min(1).max(64), module: z.string().min(1).max(4096), tokenLabel: z.string().min(1).max(32).optional(),
  slot: z.number().int().min(0).max(255).optional(), keyId: z.string().min(2).max(128), certificate: z.string().max(64 * 1024).optional(),
});
// The new PIN's length is checked by the keystore (weak_pin, its own vi+en message), not by a generic schema error.
const ChangePin = z.strictObject({ oldPin: z.string().min(1).max(64), newPin: z.string().max(64) });
// The reason is checked by Signing.revoke, so a wrong one gets its own message listing the RFC 5280 names.
const Import = z.strictObject({
  holder: z.string().min(1).max(64),
  /** The PKCS#12 file, base64 (a few KB: well inside the JSON body limit). */
  p12: z.string().min(1).max(400_000).regex(/^[A-Za-z0-9+/=\s]+$/),
  password: z.string().max(128),
  pin: Pin,
  chain: z.string().max(200_000).optional(),
  /** The admin's mapping, for a certificate whose profile names no role. */
  as: z.enum(['leader', 'seal']).optional(),
});
const AddRoot = z.strictObject({ pem: z.string().min(1).max(100_000) });
const Revoke = z.strictObject({ caPin: z.string().min(1).max(64), reason: z.string().max(64).default('unspecified') });

export function certRouter(signing: Signing, users: Users, projection: Projection, o: { adminSetsPin: boolean } = { adminSetsPin: false }): Router {
  const router = Router();
  // Above the 512 KB the image check allows, so a too-large image gets its own message rather than a bare 413.
  const png = express.raw({ type: 'image/png', limit: 2 * 1024 * 1024 });

  router.get('/certificates', requireRole('admin'), (_req, res) => {
    const revoked = new Map(new RevocationRegister(signing.keys.dir, WARD_CA).entries().map((e) => [e.serial, e]));
    // A holder on a token is listed once, with its token's certificate (it signs instead of any PKCS#12).
    const onToken = new Set(signing.tokens.holders());
    const holders = [...signing.keys.holders().filter((h) => !onToken.has(h)), ...onToken];
    const mappings = new RoleMappings(signing.keys.dir).all();
    const items = holders.map((holder) => {
      const token = onToken.has(holder);
      const cert = new X509Certificate((token ? signing.tokens.chain(holder) : signing.keys.chain(holder))[0]!);
      const serial = cert.serialNumber.toLowerCase();
      const revocation = revoked.get(normalizeSerial(serial));
      return {
        holder, role: holder === WARD_CA ? 'ward-ca' : effectiveRole(cert, mappings).role, subject: cert.subject.replace(/\n/g, ', '), issuer: cert.issuer.replace(/\n/g, ', '), serial,
        validFrom: new Date(cert.validFrom).toISOString(), validTo: new Date(cert.validTo).toISOString(),
        revoked: revocation ? { date: revocation.date, reason: revocation.reason } : null,
        ...(token ? { token: { module: signing.tokens.config(holder).module, keyId: signing.tokens.config(holder).keyId } } : {}),
      };
    });
    res.json({ items });
  });

  /** The ward CA's current revocation list (DER), for devices and for anyone checking a signature offline. */
  router.get('/certificates/crl', (_req, res) => {
    const crl = new RevocationRegister(signing.keys.dir, WARD_CA).current();
    if (!crl) throw wardError('crl_missing');
    res.type('application/pkix-crl').attachment('ward-ca.crl').send(crl);
  });

  router.get('/certificates/root', (_req, res) => {
    res.type('application/x-pem-file').send(signing.root());
  });

  /** Admin: enrol `holder` = a leader's user name, or "seal" (the agency's seal, used by clerks). */
  router.post('/certificates', requireRole('admin'), async (req, res) => {
    // The holder chooses their own PIN through a one-time activation (POST /api/certificates/activations); the admin never knows it.
    if (!o.adminSetsPin) throw wardError('enrol_pin_by_holder');
    const input = parseInput(Enrol, req.body);
    if (!input.ok) throw input.error;
    const { holder, caPin, pin } = input.value;
    let target: string;
    let commonName: string;
    if (holder === SEAL) {
      target = SEAL;
      commonName = signing.ward().agencyName;
    } else {
      const user = await users.get(holder);
      if (!user || !user.active) throw wardError('user_not_found');
      if (user.role !== 'leader') throw wardError('wrong_role');
      target = holderOf(user.username);
      commonName = user.fullName;
    }
    const pem = await signing.enrol(target, holder === SEAL ? 'agency' : 'leader', commonName, caPin, pin);
    await signing.record(actorOf(req, res), 'certificate.enrol', target);
    res.status(201).json({ holder: target, certificate: pem, serial: new X509Certificate(pem).serialNumber.toLowerCase(), by: actorOf(req, res).user });
  });

  /**
   * Admin: the holder's key is on a PKCS#11 token plugged into this node (`holder` as for enrolment).
   * The certificate is read from the token or given; it must fit the role and chain to the city root.
   */
  router.post('/certificates/token', requireRole('admin'), async (req, res) => {
    const input = parseInput(TokenHolder, req.body);
    if (!input.ok) throw input.error;
    const { holder, certificate, ...ref } = input.value;
    let target: string = SEAL;
    if (holder !== SEAL) {
      const user = await users.get(holder);
      if (!user || !user.active) throw wardError('user_not_found');
      if (user.role !== 'leader') throw wardError('wrong_role');
      target = holderOf(user.username);
    }
    const chain = await signing.tokens.configure(target, { ...ref, role: holder === SEAL ? 'agency' : 'leader' }, signing.ward().agencyName, trustedRootPems(signing.keys), certificate, signing.keys.chain(WARD_CA));
    await signing.record(actorOf(req, res), 'certificate.token', target);
    res.status(201).json({ holder: target, certificate: chain[0], serial: new X509Certificate(chain[0]!).serialNumber.toLowerCase(), by: actorOf(req, res).user });
  });

  /**
   * Admin: import an externally issued PKCS#12 for a leader or the seal. Refused (422, nothing
   * stored) unless it chains to a trusted root and its certificate fits the holder's role.
   */
  router.post('/certificates/import', requireRole('admin'), async (req, res) => {
    const input = parseInput(Import, req.body);
    if (!input.ok) throw input.error;
    const { holder, p12, password, pin, chain, as } = input.value;
    let target = SEAL;
    if (holder !== SEAL) {
      const user = await users.get(holder);
      if (!user || !user.active) throw wardError('user_not_found');
      if (user.role !== 'leader') throw wardError('wrong_role');
      target = holderOf(user.username);
    }
    const done = await signing.importKey(actorOf(req, res), {
      holder: target, p12: Buffer.from(p12, 'base64'), password, pin, ...(chain ? { chain: [chain] } : {}), ...(as ? { mappedRole: as === 'seal' ? 'agency' as const : 'leader' as const } : {}),
    });
    res.status(201).json({ ...done, by: actorOf(req, res).user });
  });

  /** Admin: the roots this ward trusts: the city root (fixed) and those imported (certs/trusted-roots.ts). */
  router.get('/trusted-roots', requireRole('admin'), (_req, res) => {
    const city = new X509Certificate(signing.root());
    res.json({ city: { subject: city.subject.replace(/\n/g, ', '), fingerprint: city.fingerprint256.replace(/:/g, '').toLowerCase() }, imported: new TrustedRoots(signing.keys.dir).list() });
  });

  router.post('/trusted-roots', requireRole('admin'), async (req, res) => {
    const input = parseInput(AddRoot, req.body);
    if (!input.ok) throw input.error;
    const root = new TrustedRoots(signing.keys.dir).add(input.value.pem);
    await signing.record(actorOf(req, res), 'trust.root.add', `${root.fingerprint} ${root.subject}`);
    res.status(201).json(root);
  });

  router.delete('/trusted-roots/:fingerprint', requireRole('admin'), async (req, res) => {
    const root = new TrustedRoots(signing.keys.dir).remove(String(req.params['fingerprint']));
    await signing.record(actorOf(req, res), 'trust.root.remove', `${root.fingerprint} ${root.subject}`);
    res.json({ removed: root.fingerprint });
  });

  /** Admin: revoke one of this node's certificates; the new CRL replicates to the city (crl:<ward>:<n>). */
  router.post('/certificates/:serial/revoke', requireRole('admin'), async (req, res) => {
    const input = parseInput(Revoke, req.body ?? {});
    if (!input.ok) throw input.error;
    const done = await signing.revoke(actorOf(req, res), String(req.params['serial']), input.value.reason, input.value.caPin);
    res.json({ ...done, by: actorOf(req, res).user });
  });

  router.post('/me/certificate/pin', async (req, res) => {
    const input = parseInput(ChangePin, req.body);
    if (!input.ok) throw input.error;
    if (input.value.oldPin === input.value.newPin) throw wardError('pin_same');
    const holder = holderOf(caller(res).user.username);
    await signing.keys.changePin(holder, input.value.oldPin, input.value.newPin);
    await signing.record(actorOf(req, res), 'certificate.pin', holder);
    res.json({ ok: true });
  });

  router.post('/seal/pin', requireRole('clerk', 'admin'), async (req, res) => {
    const input = parseInput(ChangePin, req.body);
    if (!input.ok) throw input.error;
    if (input.value.oldPin === input.value.newPin) throw wardError('pin_same');
    await signing.keys.changePin(SEAL, input.value.oldPin, input.value.newPin);
    await signing.record(actorOf(req, res), 'certificate.pin', SEAL);
    res.json({ ok: true });
  });

  router.put('/me/signature-image', png, async (req, res) => {
    if (!Buffer.isBuffer(req.body)) throw wardError('unsupported_media_type');
    signing.setImage(holderOf(caller(res).user.username), req.body);
    await signing.record(actorOf(req, res), 'signature.image', holderOf(caller(res).user.username));
    res.json({ ok: true });
  });

  /** The holder's own image back, for the preview on a sample page. */
  router.get('/me/signature-image', (_req, res) => {
    const png = signing.storedImage(holderOf(caller(res).user.username));
    if (!png) throw wardError('signature_image_missing');
    res.type('image/png').set('Cache-Control', 'no-store').send(png);
  });

  router.get('/seal/image', requireRole('clerk', 'admin'), (_req, res) => {
    const png = signing.storedImage(SEAL);
    if (!png) throw wardError('signature_image_missing');
    res.type('image/png').set('Cache-Control', 'no-store').send(png);
  });

  // The clerk keeps the seal (Decree 30), so the clerk may upload its image as well as the admin.
  router.put('/seal/image', requireRole('clerk', 'admin'), png, async (req, res) => {
    if (!Buffer.isBuffer(req.body)) throw wardError('unsupported_media_type');
    signing.setImage(SEAL, req.body);
    await signing.record(actorOf(req, res), 'seal.image', SEAL);
    res.json({ ok: true });
  });

  /** The verdict on the document's latest signed PDF (signed, or issued with the seal). */
  router.get('/documents/:id/verification', async (req, res) => {
    const view = await projection.view(String(req.params['id']));
    if (!view) throw wardError('document_not_found');
    const event = [...view.events].reverse().find((e) => (e.action === 'issue' || e.action === 'sign') && typeof e.data['pdf'] === 'string');
    if (!event) throw wardError('signature_required');
    res.json({ pdf: event.data['pdf'], verdict: await signing.verifyBlob(String(event.data['pdf'])) });
  });
  return router;
}
