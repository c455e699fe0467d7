// The ward node's signing service: renders the approved document, signs it
// with the leader's key (PIN), later stamps the clerk's number and date and
// applies the agency seal (PIN), and stores each PDF as a blob. Keys live in
// the keystore under data/keys (never replicated); the city root is the top
// of the installed ward CA's chain. Runs before the workflow step's ledger
// command, so a slow signature never holds the single writer.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey, issueCertificate, type CertKind } from '../certs/ca.js';
import { Keystore } from '../certs/keystore.js';
import type { RenderLayout } from '../certs/pdf-boxes.js';
import { signAsAgency, signAsLeader } from '../certs/pdf-sign.js';
import { timestampIfReachable } from './signature-timestamp.js';
import { verifyPdf, type TrustOptions } from '../certs/pdf-verify.js';
import { roleOf } from '../certs/roles.js';
import type { PdfVerdict } from '../certs/verdict.js';
import { wardError } from '../sync/errors.js';
import type { Actor, OutgoingDraft } from '../sync/schema.js';
import { X509Certificate } from 'node:crypto';
import { CrlRecord, crlId } from '../sync/city-contract.js';
import { readCrl, REVOCATION_REASONS, type RevocationReason } from '../certs/crl.js';
import { loadCrls, normalizeSerial, RevocationRegister } from '../certs/revocation.js';
import type { Blobs } from './blobs.js';
import type { Ledger } from './ledger.js';
import type { Config } from './config.js';
import { renderDocument } from './pdf-render.js';
import { checkPng, hasMagic } from './file-kind.js';
import type { DocView } from './projection.js';
import type { WardIdentity } from './ward-settings.js';

export const WARD_CA = 'ward-ca';
export const SEAL = 'seal';
const SYSTEM = { user: 'system', role: 'admin' as const, device: 'ward node' };
export const holderOf = (username: string) => `user.${username.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`;


export class Signing {
  readonly keys: Keystore;

  private timer: NodeJS.Timeout | null = null;

  /** `settings`: the ward's identity as the admin edited it (node/ward-settings.ts); the config file's otherwise. */
  constructor(private readonly deps: { config: Config; blobs: Blobs; docs: PouchDB.Database; ledger: Ledger; settings?: { current(): WardIdentity } }) {
    this.keys = new Keystore(join(deps.config.dataDir, 'keys'), { maxFailures: 5, lockMinutes: 15 });
  }

  /** The agency, its parent and the place as new PDFs and certificates get them now. */
  ward(): WardIdentity { return this.deps.settings?.current() ?? this.deps.config.ward; }

  /** The city root: the top of the installed ward CA's chain. */
  root(): string {
    if (!this.keys.has(WARD_CA)) throw wardError('ca_missing');
    const chain = this.keys.chain(WARD_CA);
    return chain[chain.length - 1]!;
  }

  /**
   * The city root and every revocation list this node knows: `*.crl` files in
   * data/keys (its own CA's, the root's from the bundle) and the `crl:*`
   * documents replicated from the city (other wards' and the root's).
   */
  async trust(): Promise<TrustOptions> {
    const roots = [this.root()];
    const docs = await this.deps.docs.allDocs({ startkey: 'crl:', endkey: 'crl:\uffff', include_docs: true });
    return { roots, crls: loadCrls({ dir: this.keys.dir, docs: docs.rows.flatMap((r) => (r.doc ? [r.doc as { der?: unknown }] : [])) }) };
  }

  /** Publishes the ward CA's list (data/keys/ward-ca.crl) as `crl:<ward>:<number>`, once per number. */
  async publishCrl(): Promise<boolean> {
    const file = join(this.keys.dir, 'ward-ca.crl');
    if (!existsSync(file)) return false;
    const der = readFileSync(file);
    const crl = readCrl(der);
    const ward = this.deps.config.ward.code;
    const id = crlId(ward, crl.crlNumber);
    const exists = async () => (await this.deps.docs.allDocs({ keys: [id] })).rows.some((r) => !('error' in r) && !(r as { value?: { deleted?: boolean } }).value?.deleted);
    // Checked before the ledger too: the minute timer must not add an audit entry when nothing changed.
    if (await exists()) return false;
    return this.deps.ledger.run(async () => {
      if (await exists()) return { command: { actor: SYSTEM, action: 'crl.unchanged', target: id, docs: [] }, result: false };
      const doc = CrlRecord.parse({ _id: id, type: 'crl', issuer: ward, crlNumber: crl.crlNumber, thisUpdate: crl.thisUpdate.toISOString(), der: der.toString('base64') });
      return { command: { actor: SYSTEM, action: 'crl.publish', target: id, docs: [doc as unknown as { _id: string }] }, result: true };
    });
  }

  /** Publishes at boot and then every minute (`warddesk ca revoke` may run beside the node). */
  startPublishing(onError: (err: unknown) => void): void {
    const run = () => { this.publishCrl().catch(onError); };
    run();
    this.timer = setInterval(run, 60_000);
    this.timer.unref();
  }

  stopPublishing(): void { if (this.timer) clearInterval(this.timer); this.timer = null; }

  async verifyBlob(sha256: string): Promise<PdfVerdict> {
    const stored = await this.deps.blobs.read(sha256);
    if (!stored) throw wardError('attachment_not_found');
    return verifyPdf(stored.bytes, await this.trust());
  }

  /** The leader's step: render, sign with their key, store. Returns the sign event's data. */
  async signAsLeader(view: DocView, actor: Actor, pin: string): Promise<Record<string, unknown>> {
    const holder = holderOf(actor.user);
    this.refuseRevoked(holder);
    const trust = await this.trust();
    const image = this.image(holder);
    const content = view.record.content as OutgoingDraft;
    const ward = this.ward();
    const { pdf, layout } = await renderDocument({ content, ward });
    const key = await this.keys.unlock(holder, pin);
    if (roleOf(new X509Certificate(key.chain[0]!)) !== 'leader') throw wardError('certificate_missing');
    const signed = signAsLeader(pdf, { signer: key, image, box: layout.signature, layout, location: ward.place });
    const verdict = await verifyPdf(signed, { ...trust, allowUnknownRevocation: true });
    if (verdict.status === 'invalid') throw wardError('signature_invalid');
    const blob = await this.deps.blobs.put(actor, signed, 'application/pdf');
    const cert = new X509Certificate(key.chain[0]!);
    return { pdf: blob.sha256, layout, certSerial: cert.serialNumber.toLowerCase(), signer: cert.subject.replace(/\n/g, ', ') };
  }

  /** The clerk's step at issue: number and date stamped, agency seal applied over the leader-signed PDF. */
  async signAsAgency(view: DocView, actor: Actor, pin: string): Promise<Record<string, unknown>> {
    const sign = [...view.events].reverse().find((e) => e.action === 'sign');
    const numbered = [...view.events].reverse().find((e) => e.action === 'number');
    if (!sign || typeof sign.data['pdf'] !== 'string') throw wardError('signature_required');
    if (!numbered) throw wardError('illegal_transition');
    const stored = await this.deps.blobs.read(sign.data['pdf']);
    if (!stored) throw wardError('attachment_not_found');
    const date = String(numbered.data['date'] ?? numbered.at).slice(0, 10).split('-');
    this.refuseRevoked(SEAL);
    const key = await this.keys.unlock(SEAL, pin);
    const issued = await signAsAgency(stored.bytes, {
      signer: key, sealImage: this.image(SEAL), layout: sign.data['layout'] as RenderLayout, trust: await this.trust(),
      number: String(numbered.data['numberText']), date: { year: date[0]!, month: date[1]!, day: date[2]! }, location: this.ward().place,
    });
    // B-T when the setting asks and the city answers in time; B-B otherwise, never a failure.
    const stamped = await timestampIfReachable(issued, this.deps.config.city);
    const blob = await this.deps.blobs.put(actor, stamped.pdf, 'application/pdf');
    return { pdf: blob.sha256, certSerial: new X509Certificate(key.chain[0]!).serialNumber.toLowerCase() };
  }

  /** Enrols a signing key for an official (`leader`) or the agency seal (`agency`), issued by the ward CA. */
  async enrol(holder: string, kind: Extract<CertKind, 'leader' | 'agency'>, commonName: string, caPin: string, pin: string): Promise<string> {
    if (!/^.{6,32}$/.test(pin)) throw wardError('weak_pin');
    const ca = await this.unlockCa(caPin);
    const pair = generateKey(2048);
    const pem = issueCertificate({ kind, subject: { commonName, organization: this.ward().agencyName }, publicKey: pair.publicKey, issuer: { certPem: ca.chain[0]!, privateKey: ca.privateKey }, days: 3 * 365 });
    this.keys.save(holder, { privateKey: pair.privateKey, chain: [pem, ...ca.chain] }, pin);
    return pem;
  }

  /**
   * Revokes one of this node's certificates (by serial) with the ward CA's
   * PIN, like `warddesk ca revoke`: the ward CA's register and CRL file are
   * rewritten and, in the same ledger command as its audit entry, the new list
   * is stored as `crl:<ward>:<n>`, which replicates to the city (the minute
   * publisher would find it there already). Refusals (unknown serial, the
   * ward CA itself, already revoked, a bad reason, a wrong CA PIN) come before
   * anything is written.
   */
  async revoke(actor: Actor, serial: string, reason: string, caPin: string): Promise<{ holder: string; serial: string; reason: RevocationReason; crlNumber: number }> {
    const s = normalizeSerial(serial);
    if (!Object.hasOwn(REVOCATION_REASONS, reason)) throw wardError('revocation_reason_invalid');
    const holder = this.keys.holders().find((h) => normalizeSerial(new X509Certificate(this.keys.chain(h)[0]!).serialNumber) === s);
    if (!holder) throw wardError('certificate_not_found');
    if (holder === WARD_CA) throw wardError('cannot_revoke_ward_ca');
    const register = new RevocationRegister(this.keys.dir, WARD_CA);
    if (register.entries().some((e) => e.serial === s)) throw wardError('certificate_already_revoked');
    const ca = await this.unlockCa(caPin);
    return this.deps.ledger.run(async () => {
      // Checked again in the writer's turn: two admins revoking at once must not both pass. The
      // register's files are written here, before the batch: should the batch then fail (a full
      // disk), the revocation holds and the minute publisher stores the list (audited as crl.publish).
      if (register.entries().some((e) => e.serial === s)) throw wardError('certificate_already_revoked');
      const der = register.revoke(ca, s, reason as RevocationReason);
      const crl = readCrl(der);
      const id = crlId(this.deps.config.ward.code, crl.crlNumber);
      const doc = CrlRecord.parse({ _id: id, type: 'crl', issuer: this.deps.config.ward.code, crlNumber: crl.crlNumber, thisUpdate: crl.thisUpdate.toISOString(), der: der.toString('base64') });
      const taken = (await this.deps.docs.allDocs({ keys: [id] })).rows.some((r) => !('error' in r));
      return {
        command: { actor, action: 'certificate.revoke', target: `${holder}:${s}`, docs: taken ? [] : [doc as unknown as { _id: string }] },
        result: { holder, serial: s, reason: reason as RevocationReason, crlNumber: crl.crlNumber },
      };
    });
  }

  /** The ward CA's key; a wrong PIN is told apart from a holder's (`wrong_ca_pin`). */
  private async unlockCa(caPin: string) {
    try { return await this.keys.unlock(WARD_CA, caPin); } catch (err) {
      if ((err as { code?: string }).code === 'wrong_pin') throw wardError('wrong_ca_pin');
      throw err;
    }
  }

  /** A key whose certificate the ward CA revoked signs nothing more (checked before its PIN is even tried). */
  private refuseRevoked(holder: string): void {
    if (!this.keys.has(holder)) return;
    const serial = normalizeSerial(new X509Certificate(this.keys.chain(holder)[0]!).serialNumber);
    if (new RevocationRegister(this.keys.dir, WARD_CA).entries().some((e) => e.serial === serial)) throw wardError('certificate_revoked');
  }

  /** An audit entry for a key operation (enrolment, PIN change, seal image): who, what, which holder; never a key or a PIN. */
  record(actor: Actor, action: 'certificate.enrol' | 'certificate.pin' | 'seal.image', target: string): Promise<void> {
    return this.deps.ledger.run(() => ({ command: { actor, action, target, docs: [] }, result: undefined }));
  }

  setImage(holder: string, png: Buffer): void {
    if (png.length > 2 * 1024 * 1024 || !hasMagic(png, 'image/png')) throw wardError('bad_attachment');
    // The signature goes into every PDF the holder signs: it must decode, not only start like a PNG.
    if (checkPng(png) !== null) throw wardError('file_unreadable');
    writeFileSync(join(this.keys.dir, `${holder}.png`), png, { mode: 0o600 });
  }

  private image(holder: string): Buffer {
    const file = join(this.keys.dir, `${holder}.png`);
    if (!existsSync(file)) throw wardError('signature_image_missing');
    return readFileSync(file);
  }
}
