// Certificates and signing keys over HTTP. The admin enrols an official's key
// or the agency seal with the ward CA's PIN and a first PIN for the holder;
// holders change their PIN and upload their signature image. Keys never
// leave the node: no route returns key material, only certificates.
import express, { Router } from 'express';
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { wardError } from '../../sync/errors.js';
import { parseInput } from '../../sync/validation.js';
import type { Projection } from '../projection.js';
import { holderOf, SEAL, type Signing } from '../signing.js';
import type { Users } from '../users.js';
import { actorOf, caller, requireRole } from './context.js';

const Pin = z.string().min(6).max(32);
const Enrol = z.strictObject({ holder: z.string().min(1).max(64), caPin: z.string().min(1).max(64), pin: Pin });
const ChangePin = z.strictObject({ oldPin: z.string().min(1).max(64), newPin: Pin });

export function certRouter(signing: Signing, users: Users, projection: Projection, agencyName: string): Router {
  const router = Router();
  const png = express.raw({ type: 'image/png', limit: 2 * 1024 * 1024 });

  router.get('/certificates', requireRole('admin'), (_req, res) => {
    const items = signing.keys.holders().map((holder) => {
      const cert = new X509Certificate(signing.keys.chain(holder)[0]!);
      return { holder, subject: cert.subject.replace(/\n/g, ', '), serial: cert.serialNumber.toLowerCase(), validFrom: new Date(cert.validFrom).toISOString(), validTo: new Date(cert.validTo).toISOString() };
    });
    res.json({ items });
  });

  router.get('/certificates/root', (_req, res) => {
    res.type('application/x-pem-file').send(signing.root());
  });

  /** Admin: enrol `holder` = a leader's user name, or "seal" (the agency's seal, used by clerks). */
  router.post('/certificates', requireRole('admin'), async (req, res) => {
    const input = parseInput(Enrol, req.body);
    if (!input.ok) throw input.error;
    const { holder, caPin, pin } = input.value;
    let target: string;
    let commonName: string;
    if (holder === SEAL) {
      target = SEAL;
      commonName = agencyName;
    } else {
      const user = await users.get(holder);
      if (!user || !user.active) throw wardError('user_not_found');
      if (user.role !== 'leader') throw wardError('wrong_role');
      target = holderOf(user.username);
      commonName = user.fullName;
    }
    const pem = await signing.enrol(target, holder === SEAL ? 'agency' : 'leader', commonName, caPin, pin);
    res.status(201).json({ holder: target, certificate: pem, by: actorOf(req, res).user });
  });

  router.post('/me/certificate/pin', async (req, res) => {
    const input = parseInput(ChangePin, req.body);
    if (!input.ok) throw input.error;
    await signing.keys.changePin(holderOf(caller(res).user.username), input.value.oldPin, input.value.newPin);
    res.json({ ok: true });
  });

  router.post('/seal/pin', requireRole('clerk', 'admin'), async (req, res) => {
    const input = parseInput(ChangePin, req.body);
    if (!input.ok) throw input.error;
    await signing.keys.changePin(SEAL, input.value.oldPin, input.value.newPin);
    res.json({ ok: true });
  });

  router.put('/me/signature-image', png, (req, res) => {
    if (!Buffer.isBuffer(req.body)) throw wardError('unsupported_media_type');
    signing.setImage(holderOf(caller(res).user.username), req.body);
    res.json({ ok: true });
  });

  router.put('/seal/image', requireRole('admin'), png, (req, res) => {
    if (!Buffer.isBuffer(req.body)) throw wardError('unsupported_media_type');
    signing.setImage(SEAL, req.body);
    res.json({ ok: true });
  });

  /** The verdict on the document's latest signed PDF (signed, or issued with the seal). */
  router.get('/documents/:id/verification', async (req, res) => {
    const view = projection.get(String(req.params['id']));
    if (!view) throw wardError('document_not_found');
    const event = [...view.events].reverse().find((e) => (e.action === 'issue' || e.action === 'sign') && typeof e.data['pdf'] === 'string');
    if (!event) throw wardError('signature_required');
    res.json({ pdf: event.data['pdf'], verdict: await signing.verifyBlob(String(event.data['pdf'])) });
  });
  return router;
}
