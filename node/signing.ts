// The ward node's signing service: renders the approved document, signs it
// with the leader's key (PIN), later stamps the clerk's number and date and
// applies the agency seal (PIN), and stores each PDF as a blob. Keys live in
// the keystore under data/keys (never replicated); the city root is the top
// of the installed ward CA's chain. Runs before the workflow step's ledger
// command, so a slow signature never holds the single writer.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueSigning, type Publication } from '../certs/ca-issue.js';
import type { CertKind } from '../certs/ca.js';
import { checkHolderCertificate, namesAgency } from '../certs/cert-profile.js';
import { signedAgency } from '../certs/pdf-metadata.js';
import { TrustedRoots } from '../certs/trusted-roots.js';
import { checkPin, Keystore } from '../certs/keystore.js';
import { importPkcs12 } from '../certs/p12-import.js';
import type { RenderLayout } from '../certs/pdf-boxes.js';
import { signAsAgency, signAsLeader, type AnySigner } from '../certs/pdf-sign.js';
import { timestampIfReachable } from './signature-timestamp.js';
import { verifyPdf, type TrustOptions } from '../certs/pdf-verify.js';
import { effectiveRole, RoleMappings } from '../certs/role-mappings.js';
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
import { checkSignatureImage } from '../certs/signature-image.js';
import { writeAtomic } from '../certs/atomic-file.js';
import { installHolderKey, publicationFor, sealIsStale, trustedRootPems } from './holder-keys.js';
import { drainPkiJournal } from './pki-journal.js';
import type { PkiSource } from './http/pki-routes.js';
import type { DocView } from './projection.js';
import type { WardIdentity } from './ward-settings.js';
import { TokenHolders } from './token-holders.js';
import { completeExternal, deferredSigner } from '../certs/pdf-external-sign.js';
import { checkTokenCertificate } from '../certs/token-cert-check.js';

/** A leader's signature waiting for their token (node/two-phase.ts): nothing of it is stored yet. */
export interface PreparedLeader { pdf: Buffer; toSign: Buffer; chain: string[]; signingTime: Date; layout: unknown }

import { SEAL, WARD_CA } from './key-holders.js';
export { SEAL, WARD_CA };
const SYSTEM = { user: 'system', role: 'admin' as const, device: 'ward node' };
export const holderOf = (username: string) => `user.${username.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`;


export class Signing {
  readonly keys: Keystore;
  /** Holders whose key is on a PKCS#11 token plugged into this node (node/token-holders.ts); they take precedence over a PKCS#12. */
  readonly tokens: TokenHolders;

  private timer: NodeJS.Timeout | null = null;

  /** `settings`: the ward's identity as the admin edited it (node/ward-settings.ts); the config file's otherwise. */
  constructor(private readonly deps: { config: Config; blobs: Blobs; docs: PouchDB.Database; ledger: Ledger; settings?: { current(): WardIdentity } }) {
    this.keys = new Keystore(join(deps.config.dataDir, 'keys'), { maxFailures: 5, lockMinutes: 15 });
    this.tokens = new TokenHolders(this.keys.dir, deps.config.tokens.modules);
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
    // The city root first, then the roots the admin imported (certs/trusted-roots.ts).
    const roots = [this.root(), ...new TrustedRoots(this.keys.dir).pems()];
    const docs = await this.deps.docs.allDocs({ startkey: 'crl:', endkey: 'crl:\uffff', include_docs: true });
    return { roots, crls: loadCrls({ dir: this.keys.dir, docs: docs.rows.flatMap((r) => (r.doc ? [r.doc as { der?: unknown }] : [])) }), mappedRoles: new RoleMappings(this.keys.dir).all() };
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
    // The console's PKI changes (node/pki-journal.ts) reach the audit log on the same beat.
    const run = () => { this.publishCrl().catch(onError); drainPkiJournal(this.keys.dir, this.deps.ledger).catch(onError); };
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
    const { signed, chain } = await this.withSigner(holder, pin, async (key) => {
      if (effectiveRole(new X509Certificate(key.chain[0]!), trust.mappedRoles).role !== 'leader') throw wardError('certificate_missing');
      return { signed: signAsLeader(pdf, { signer: key, image, box: layout.signature, layout, location: ward.place }), chain: key.chain };
    });
    const verdict = await verifyPdf(signed, { ...trust, allowUnknownRevocation: true });
    if (verdict.status === 'invalid') throw wardError('signature_invalid');
    const blob = await this.deps.blobs.put(actor, signed, 'application/pdf');
    const cert = new X509Certificate(chain[0]!);
    return { pdf: blob.sha256, layout, certSerial: cert.serialNumber.toLowerCase(), signer: cert.subject.replace(/\n/g, ', ') };
  }

  /**
   * Two-phase, phase one: the leader's revision signed by a stand-in for the token on their PC. The
   * certificate the PC's signer presents must be a leader's chaining to the city root, not revoked.
   */
  async prepareLeader(view: DocView, actor: Actor, certificates: string[], isTheOfficial: (commonName: string) => boolean): Promise<PreparedLeader> {
    this.refuseRevoked(holderOf(actor.user));
    const check = checkTokenCertificate([...certificates, ...this.keys.chain(WARD_CA)], 'leader', this.ward().agencyName, trustedRootPems(this.keys));
    if (!check.ok) throw wardError(check.code);
    // The token proves the key, not who is logged in: the certificate must name this official (a
    // government certificate's CN is the holder's full name), so nobody signs with a colleague's token.
    const cn = new X509Certificate(check.chain[0]!).subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? '';
    if (!isTheOfficial(cn)) throw wardError('certificate_not_yours');
    const serial = normalizeSerial(new X509Certificate(check.chain[0]!).serialNumber);
    if (new RevocationRegister(this.keys.dir, WARD_CA).entries().some((e) => e.serial === serial)) throw wardError('certificate_revoked');
    const image = this.image(holderOf(actor.user));
    const ward = this.ward();
    const { pdf, layout } = await renderDocument({ content: view.record.content as OutgoingDraft, ward });
    const deferred = deferredSigner(check.chain);
    const signingTime = new Date();
    const prepared = signAsLeader(pdf, { signer: deferred.signer, image, box: layout.signature, layout, location: ward.place, signingTime });
    return { pdf: prepared, toSign: deferred.toSign(), chain: check.chain, signingTime, layout };
  }

  /** Phase two: the token's signature in place, the whole PDF verified, then stored. Returns the sign event's data. */
  async finishLeader(prepared: PreparedLeader, actor: Actor, signature: Buffer): Promise<Record<string, unknown>> {
    const signed = completeExternal(prepared.pdf, { chain: prepared.chain, signingTime: prepared.signingTime, toSign: prepared.toSign, signature });
    if (!signed) throw wardError('signer_signature_invalid');
    const verdict = await verifyPdf(signed, { ...(await this.trust()), allowUnknownRevocation: true });
    if (verdict.status === 'invalid') throw wardError('signer_signature_invalid');
    const blob = await this.deps.blobs.put(actor, signed, 'application/pdf');
    const cert = new X509Certificate(prepared.chain[0]!);
    return { pdf: blob.sha256, layout: prepared.layout, certSerial: cert.serialNumber.toLowerCase(), signer: cert.subject.replace(/\n/g, ', ') };
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
    this.refuseUnfitSeal(signedAgency(stored.bytes) ?? this.ward().agencyName);
    const trust = await this.trust();
    const sealImage = this.image(SEAL);
    const { issued, chain } = await this.withSigner(SEAL, pin, async (key) => ({
      issued: await signAsAgency(stored.bytes, {
        signer: key, sealImage, layout: sign.data['layout'] as RenderLayout, trust,
        number: String(numbered.data['numberText']), date: { year: date[0]!, month: date[1]!, day: date[2]! }, location: this.ward().place,
      }),
      chain: key.chain,
    }));
    // A token's signature is checked before anything is stored: a key that is not the certificate's leaves no PDF behind.
    const verdict = await verifyPdf(issued, { ...trust, allowUnknownRevocation: true });
    if (verdict.status === 'invalid') throw wardError('signature_invalid');
    // B-T when the setting asks and the city answers in time; B-B otherwise, never a failure.
    const stamped = await timestampIfReachable(issued, this.deps.config.city);
    const blob = await this.deps.blobs.put(actor, stamped.pdf, 'application/pdf');
    return { pdf: blob.sha256, certSerial: new X509Certificate(chain[0]!).serialNumber.toLowerCase() };
  }

  /**
   * Enrols a signing key for an official (`leader`) or the agency seal (`agency`), issued by the
   * ward CA in that role's profile (certs/cert-profile.ts: a seal's subject is the agency's name)
   * and checked like any imported key before it is stored.
   */
  async enrol(holder: string, kind: Extract<CertKind, 'leader' | 'agency'>, commonName: string, caPin: string, pin: string): Promise<string> {
    if (!/^.{6,32}$/.test(pin)) throw wardError('weak_pin');
    const ca = await this.unlockCa(caPin);
    const agencyName = this.ward().agencyName;
    const issued = issueSigning(ca, kind, { commonName, organization: agencyName }, 3 * 365, this.publication());
    installHolderKey(this.keys, { holder, contents: issued, agencyName, pin });
    return issued.chain[0]!;
  }

  /** Where certificates this ward CA issues say its list and certificate are (holder-keys.ts). */
  publication(): Publication { return publicationFor(this.deps.config, this.keys); }

  /**
   * Imports an externally issued PKCS#12 for `holder` (the admin's HTTP route; the console has
   * `warddesk ca import-p12`): its chain must reach a root this ward trusts and its certificate
   * fit the holder's role (certs/cert-profile.ts), else nothing is stored. The audit entry says
   * whether the role came from the certificate or from the admin's mapping.
   */
  async importKey(actor: Actor, o: { holder: string; p12: Buffer; password: string; pin: string; chain?: string[]; mappedRole?: 'leader' | 'agency' }): Promise<{ holder: string; serial: string; role: 'leader' | 'agency'; roleFrom: 'certificate' | 'mapping'; subject: string }> {
    checkPin(o.pin);
    const verdict = importPkcs12({ p12: o.p12, password: o.password, trustedRoots: trustedRootPems(this.keys), extraCerts: o.chain ?? [] });
    if (!verdict.ok) throw wardError(verdict.reason === 'wrong_pin' ? 'wrong_pin' : verdict.reason);
    const check = installHolderKey(this.keys, { holder: o.holder, contents: verdict.contents, agencyName: this.ward().agencyName, pin: o.pin, ...(o.mappedRole ? { mappedRole: o.mappedRole } : {}) });
    const serial = check.chain[0]!.serialNumber.toLowerCase();
    await this.record(actor, 'certificate.import', `${o.holder}:${serial} role=${check.role} from=${check.roleFrom === 'mapping' ? 'admin-mapping' : 'certificate'}`);
    return { holder: o.holder, serial, role: check.role, roleFrom: check.roleFrom, subject: check.chain[0]!.subject.replace(/\n/g, ', ') };
  }

  /** What /pki serves (node/http/pki-routes.ts): this node's keys and the replicated root lists. */
  pkiSource(): PkiSource {
    return {
      keys: this.keys, wardCode: this.deps.config.ward.code,
      rootCrlDocs: async () => (await this.deps.docs.allDocs({ startkey: 'crl:city-root:', endkey: 'crl:city-root:\uffff', include_docs: true })).rows.flatMap((r) => (r.doc ? [r.doc as { der?: unknown }] : [])),
    };
  }

  /** Whether the installed seal certificate still names the agency (after a rename it must be re-issued). */
  sealStatus(): { installed: boolean; stale: boolean; subject: string | null } {
    if (!this.keys.has(SEAL)) return { installed: false, stale: false, subject: null };
    return { installed: true, stale: sealIsStale(this.keys, this.ward().agencyName), subject: new X509Certificate(this.keys.chain(SEAL)[0]!).subject.replace(/\n/g, ', ') };
  }

  /**
   * The clerk's step applies only a seal certificate of the agency role naming the agency the
   * document prints (its /Author as the leader signed it); checked before the PIN is tried, so
   * nothing is issued. After a rename the message says the seal must be re-issued.
   */
  private refuseUnfitSeal(agencyName: string): void {
    // The seal on a token (node/token-holders.ts) or as a PKCS#12: the same profile rules.
    const chain = this.tokens.has(SEAL) ? this.tokens.chain(SEAL) : this.keys.has(SEAL) ? this.keys.chain(SEAL) : null;
    if (!chain) throw wardError('certificate_missing');
    // A seal the admin mapped at import (certs/role-mappings.ts) is checked with that mapping, as it was then.
    const mappedRole = new RoleMappings(this.keys.dir).all().get(new X509Certificate(chain[0]!).fingerprint256);
    const check = checkHolderCertificate(chain[0]!, 'agency', agencyName, trustedRootPems(this.keys), { intermediates: chain.slice(1), ...(mappedRole ? { mappedRole } : {}) });
    if (check.ok) return;
    if (check.code === 'certificate_wrong_agency' && !namesAgency(new X509Certificate(chain[0]!), this.ward().agencyName)) throw wardError('seal_reissue_required', check.error.details);
    throw check.error;
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

  /** The holder's key for one use: on its token (session closed after `fn`) or its PKCS#12 opened with the PIN. */
  private async withSigner<T>(holder: string, pin: string, fn: (signer: AnySigner) => Promise<T>): Promise<T> {
    if (this.tokens.has(holder)) return this.tokens.use(holder, pin, fn);
    return fn(await this.keys.unlock(holder, pin));
  }

  /** The ward CA's key; a wrong PIN is told apart from a holder's (`wrong_ca_pin`). */
  async unlockCa(caPin: string) {
    try { return await this.keys.unlock(WARD_CA, caPin); } catch (err) {
      if ((err as { code?: string }).code === 'wrong_pin') throw wardError('wrong_ca_pin');
      throw err;
    }
  }

  /** A key whose certificate the ward CA revoked signs nothing more (checked before its PIN is even tried). */
  private refuseRevoked(holder: string): void {
    const chain = this.tokens.has(holder) ? this.tokens.chain(holder) : this.keys.has(holder) ? this.keys.chain(holder) : null;
    if (!chain) return;
    const serial = normalizeSerial(new X509Certificate(chain[0]!).serialNumber);
    if (new RevocationRegister(this.keys.dir, WARD_CA).entries().some((e) => e.serial === serial)) throw wardError('certificate_revoked');
  }

  /** An audit entry for a key operation (enrolment, PIN change, seal image): who, what, which holder; never a key or a PIN. */
  record(actor: Actor, action: 'certificate.enrol' | 'certificate.pin' | 'certificate.token' | 'seal.image' | 'signature.image' | 'ca.install' | 'ca.standalone' | 'certificate.activation' | 'certificate.activate' | 'tls.reissue' | 'certificate.import' | 'trust.root.add' | 'trust.root.remove', target: string): Promise<void> {
    return this.deps.ledger.run(() => ({ command: { actor, action, target, docs: [] }, result: undefined }));
  }

  /** A signature or seal image, checked (certs/signature-image.ts: a transparent PNG within the size limits) before it replaces the old one. */
  setImage(holder: string, png: Buffer): void {
    const verdict = checkSignatureImage(png);
    if (!verdict.ok) {
      switch (verdict.reason) {
        case 'too-large': throw wardError('signature_image_too_large');
        case 'not-transparent': throw wardError('signature_not_transparent');
        case 'not-png': throw wardError('bad_attachment');
        case 'too-small': throw wardError('invalid_input', [{ path: 'image', vi: 'Ảnh quá nhỏ: cần ít nhất 32 × 32 điểm ảnh.', en: 'The image is too small: 32 × 32 pixels at least.' }]);
        case 'unreadable': throw wardError('file_unreadable');
      }
    }
    writeAtomic(join(this.keys.dir, `${holder}.png`), png);
  }

  /** The stored image, for the holder's preview; null when there is none. */
  storedImage(holder: string): Buffer | null {
    const file = join(this.keys.dir, `${holder}.png`);
    return existsSync(file) ? readFileSync(file) : null;
  }

  private image(holder: string): Buffer {
    const file = join(this.keys.dir, `${holder}.png`);
    if (!existsSync(file)) throw wardError('signature_image_missing');
    return readFileSync(file);
  }
}
