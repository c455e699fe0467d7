// First-run setup in the app (issue 16) and the holder's own key screens:
// the admin installs the city's ward CA bundle or makes a standalone CA, and
// issues one-time activations for a leader's key or the seal; the holder
// redeems their activation with a PIN only they know. Thin handlers: the work
// is in node/ward-ca-install.ts and node/activations.ts.
import { Router } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { issueSigning } from '../../certs/ca-issue.js';
import { wardError } from '../../sync/errors.js';
import { parseInput } from '../../sync/validation.js';
import type { Activations } from '../activations.js';
import type { LanTls } from '../lan-tls.js';
import { holderOf, SEAL, WARD_CA, type Signing } from '../signing.js';
import type { Users } from '../users.js';
import { checkWardBundle, createStandaloneCa, installWardCa } from '../ward-ca-install.js';
import { actorOf, caller, requireRole } from './context.js';

const Base64 = z.string().max(700_000).regex(/^[A-Za-z0-9+/=\s]*$/);
const Bundle = z.strictObject({ p12: Base64.min(1), pin: z.string().min(1).max(64), rootPem: z.string().max(20_000).optional(), rootCrl: Base64.optional() });
const Standalone = z.strictObject({ pin: z.string().max(64), confirm: z.boolean() });
const Issue = z.strictObject({ holder: z.string().min(1).max(64), caPin: z.string().min(1).max(64) });
const Redeem = z.strictObject({ code: z.string().min(1).max(64), pin: z.string().max(64) });

export interface SetupDeps { signing: Signing; users: Users; activations: Activations; lanTls: () => LanTls | null; wardCode: string }

export function setupRouter(d: SetupDeps): Router {
  const router = Router();
  const keys = d.signing.keys;
  const image = (holder: string) => existsSync(join(keys.dir, `${holder}.png`));

  /** Where the ward stands: what the setup screen ticks off. Certificates only, never keys. */
  router.get('/setup/status', requireRole('admin'), async (_req, res) => {
    const users = (await d.users.list()).filter((u) => u.active);
    const ca = keys.has(WARD_CA) ? keys.chain(WARD_CA).map((p) => new X509Certificate(p)) : null;
    const tls = d.lanTls()?.current ?? null;
    res.json({
      ward: d.signing.ward(),
      ca: ca ? { subject: ca[0]!.subject.replace(/\n/g, ', '), root: ca.at(-1)!.subject.replace(/\n/g, ', '), standalone: existsSync(join(keys.dir, 'standalone', 'standalone-root.p12')), validTo: new Date(ca[0]!.validTo).toISOString() } : null,
      tls: tls ? { issuer: tls.issuer, names: tls.names } : null,
      officials: Object.fromEntries(['specialist', 'leader', 'clerk', 'admin'].map((r) => [r, users.filter((u) => u.role === r).length])),
      leaders: users.filter((u) => u.role === 'leader').map((u) => ({ username: u.username, fullName: u.fullName, key: keys.has(holderOf(u.username)), image: image(holderOf(u.username)) })),
      seal: { key: keys.has(SEAL), image: image(SEAL) },
      activations: d.activations.open().map((a) => ({ holder: a.holder, user: a.user, expiresAt: a.expiresAt })),
    });
  });

  router.post('/setup/ca/bundle', requireRole('admin'), async (req, res) => {
    const input = parseInput(Bundle, req.body);
    if (!input.ok) throw input.error;
    if (keys.has(WARD_CA)) throw wardError('ca_already_installed');
    const { p12, pin, rootPem, rootCrl } = input.value;
    const checked = checkWardBundle(Buffer.from(p12, 'base64'), pin, { wardCode: d.wardCode, rootPem: rootPem?.trim() ? rootPem : undefined });
    installWardCa(keys, checked.contents, pin, rootCrl ? Buffer.from(rootCrl, 'base64') : undefined);
    d.lanTls()?.reissueFromWardCa(checked.contents);
    await d.signing.record(actorOf(req, res), 'ca.install', WARD_CA);
    res.status(201).json({ subject: new X509Certificate(checked.contents.chain[0]!).subject.replace(/\n/g, ', '), standalone: false });
  });

  router.post('/setup/ca/standalone', requireRole('admin'), async (req, res) => {
    const input = parseInput(Standalone, req.body);
    if (!input.ok) throw input.error;
    if (!input.value.confirm) throw wardError('standalone_not_confirmed');
    const ca = createStandaloneCa(keys, { code: d.wardCode, agencyName: d.signing.ward().agencyName }, input.value.pin);
    d.lanTls()?.reissueFromWardCa(ca);
    await d.signing.record(actorOf(req, res), 'ca.standalone', WARD_CA);
    res.status(201).json({ subject: new X509Certificate(ca.chain[0]!).subject.replace(/\n/g, ', '), standalone: true });
  });

  /**
   * Admin: the node's HTTPS certificate again from the ward CA, for the LAN
   * names and addresses it has now (a new address from DHCP, a renamed
   * machine). The CA's PIN is needed, which the node never keeps.
   */
  router.post('/setup/tls', requireRole('admin'), async (req, res) => {
    const input = parseInput(z.strictObject({ caPin: z.string().min(1).max(64) }), req.body);
    if (!input.ok) throw input.error;
    const lan = d.lanTls();
    if (!lan) throw wardError('tls_not_managed');
    if (!keys.has(WARD_CA)) throw wardError('ca_missing');
    lan.reissueFromWardCa(await d.signing.unlockCa(input.value.caPin));
    await d.signing.record(actorOf(req, res), 'tls.reissue', 'tls');
    res.json({ issuer: lan.current.issuer, names: lan.current.names });
  });

  /**
   * Admin: a key for a leader (`holder` = their user name) or the seal, made
   * now with the ward CA and held under a one-time code until its holder
   * chooses a PIN. The code is in this answer only.
   */
  router.post('/certificates/activations', requireRole('admin'), async (req, res) => {
    const input = parseInput(Issue, req.body);
    if (!input.ok) throw input.error;
    const { holder, caPin } = input.value;
    let target = SEAL;
    let commonName = d.signing.ward().agencyName;
    let user: string | null = null;
    if (holder !== SEAL) {
      const profile = await d.users.get(holder);
      if (!profile || !profile.active) throw wardError('user_not_found');
      if (profile.role !== 'leader') throw wardError('wrong_role');
      target = holderOf(profile.username);
      commonName = profile.fullName;
      user = profile.username;
    }
    if (!keys.has(WARD_CA)) throw wardError('ca_missing');
    const ca = await d.signing.unlockCa(caPin);
    const issued = issueSigning(ca, holder === SEAL ? 'agency' : 'leader', { commonName, organization: d.signing.ward().agencyName });
    const { activation, code } = await d.activations.create({ holder: target, kind: holder === SEAL ? 'agency' : 'leader', user, issued, createdBy: caller(res).user.username });
    await d.signing.record(actorOf(req, res), 'certificate.activation', target);
    res.status(201).json({ holder: target, user, code, link: `/#/activate/${code}`, expiresAt: activation.expiresAt, serial: activation.serial });
  });

  /** The holder's first use: their own PIN, which nobody else ever sees. */
  router.post('/me/activate', async (req, res) => {
    const input = parseInput(Redeem, req.body);
    if (!input.ok) throw input.error;
    const me = caller(res).user;
    const used = await d.activations.redeem(input.value.code, { username: me.username, role: me.role }, input.value.pin);
    await d.signing.record(actorOf(req, res), 'certificate.activate', used.holder);
    res.json({ holder: used.holder, kind: used.kind, serial: used.serial });
  });

  /** What the holder's key screen shows: their key, image, and the seal's for a clerk or admin. */
  router.get('/me/keys', (_req, res) => {
    const me = caller(res).user;
    const mine = holderOf(me.username);
    const seal = ['clerk', 'admin'].includes(me.role) ? { key: keys.has(SEAL), image: image(SEAL) } : null;
    res.json({ holder: mine, key: keys.has(mine), image: image(mine), seal });
  });
  return router;
}
