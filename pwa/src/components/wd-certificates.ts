import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, asApiError, type ApiError, type Certificate, type IssuedActivation, type RevocationReason, type User } from '../api.js';
import { WdElement } from '../element.js';
import { formatDate, formatDateTime } from '../format.js';
import { roleName, t, type MessageKey } from '../i18n.js';
import { shared } from '../styles.js';
import { errorBox } from './wd-error.js';

const REASONS: RevocationReason[] = ['keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'cACompromise', 'unspecified'];
const SEAL = 'seal';

/**
 * Admin: the node's signing certificates; issue a leader's or the seal's key
 * under a one-time activation code (ward CA PIN only: the holder chooses their
 * own PIN when they redeem it, wd-keys) and revoke one behind a confirmation
 * (reason + ward CA PIN). PINs live only in the form while it is filled.
 * @fires wd-certificates-changed after an enrolment or a revocation
 */
@customElement('wd-certificates')
export class WdCertificates extends WdElement {
  static override styles = [shared, css`
    table { width: 100%; border-collapse: collapse; background: #fff; }
    th, td { text-align: left; padding: .45rem; border-bottom: 1px solid #e2e2e2; vertical-align: middle; }
    .wrap { overflow-x: auto; }
    .serial { font-family: monospace; font-size: .85rem; word-break: break-all; }
    .warning { border-color: #b71c1c; }
    .code .big { font-family: monospace; font-size: 1.3rem; font-weight: 700; letter-spacing: .05em; overflow-wrap: anywhere; }
    .code a { overflow-wrap: anywhere; }
    /* A phone shows the serial in the revocation confirmation, not as a column the table would scroll for. */
    @media (max-width: 479px) { .wide { display: none; } th, td { padding: .35rem .25rem; } }
  `];
  /** Officials known to the admin screen: the active leaders are offered for enrolment. */
  @property({ attribute: false }) users: User[] = [];
  @state() private certs: Certificate[] = [];
  @state() private error: ApiError | null = null;
  @state() private local: MessageKey | null = null;
  @state() private done: MessageKey | null = null;
  /** The certificate whose revocation awaits confirmation. */
  @state() private revoking: Certificate | null = null;
  @state() private busy = false;
  /** The code just issued: shown once, to be handed to the holder. */
  @state() private issued: IssuedActivation | null = null;

  override connectedCallback(): void { super.connectedCallback(); void this.load(); }

  private async load(): Promise<void> {
    try { this.certs = (await api.certificates()).items; } catch (e) { this.error = asApiError(e); }
  }

  private async run(fn: () => Promise<unknown>, done: MessageKey): Promise<boolean> {
    this.error = null; this.local = null; this.done = null; this.busy = true;
    try {
      await fn();
      await this.load();
      this.done = done;
      this.dispatchEvent(new CustomEvent('wd-certificates-changed', { bubbles: true, composed: true }));
      return true;
    } catch (e) { this.error = asApiError(e); return false; } finally { this.busy = false; }
  }

  private async enrol(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    this.issued = null;
    if (await this.run(async () => { this.issued = await api.issueActivation(String(f.get('holder')), String(f.get('caPin'))); }, 'cert_enrolled')) form.reset();
  }

  private issuedBox(a: IssuedActivation) {
    const link = `${location.origin}${a.link}`;
    return html`<div class="card code" role="status" data-activation=${a.holder}>
      <p>${t('activation_issued')} <b>${this.holderName(a.holder)}</b>:</p>
      <p class="big" data-code>${a.code}</p>
      <p>${t('activation_link')}: <a href=${link} data-link>${link}</a></p>
      <p class="muted">${t('activation_expires')} ${formatDateTime(a.expiresAt)}. ${t('activation_give')}</p>
    </div>`;
  }

  private async revoke(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const cert = this.revoking;
    if (!cert) return;
    const f = new FormData(e.target as HTMLFormElement);
    if (await this.run(() => api.revoke(cert.serial, String(f.get('reason')) as RevocationReason, String(f.get('caPin'))), 'cert_revoked_done')) this.revoking = null;
  }

  private async ask(cert: Certificate): Promise<void> {
    this.revoking = cert;
    this.error = null; this.done = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLSelectElement>('#rr')?.focus();
  }

  private holderName(holder: string): string {
    if (holder === SEAL) return t('cert_seal');
    const user = this.users.find((u) => `user.${u.username}` === holder);
    return user ? `${user.fullName} (${user.username})` : holder;
  }

  private roleLabel(role: string): string {
    return role === 'ward-ca' ? t('cert_role_ca') : role === 'agency' ? t('cert_seal') : roleName(role);
  }

  private revokeForm(cert: Certificate) {
    return html`<form class="card warning" aria-labelledby="rt" @submit=${this.revoke}>
      <h3 id="rt">${t('cert_revoke_title')}: ${this.holderName(cert.holder)}</h3>
      <p class="muted">${t('cert_serial')}: <span class="serial">${cert.serial}</span></p>
      <p>${t('cert_revoke_warning')}</p>
      <div class="row">
        <div><label for="rr">${t('cert_revoke_reason')}</label><select id="rr" name="reason">${REASONS.map((r) => html`<option value=${r}>${t(`reason_${r}` as const)}</option>`)}</select></div>
        <div><label for="rp">${t('ca_pin')}</label><input id="rp" name="caPin" type="password" required autocomplete="off"></div>
      </div>
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${t('cert_revoke_confirm')}</button>
        <button type="button" class="secondary" @click=${() => { this.revoking = null; }}>${t('cancel')}</button>
      </div>
    </form>`;
  }

  protected override render() {
    const leaders = this.users.filter((u) => u.active && u.role === 'leader');
    return html`<h2 id="ct">${t('certificates')}</h2>
      ${errorBox(this.error)}
      ${this.local ? html`<div class="error" role="alert" data-code=${this.local}>${t(this.local)}</div>` : nothing}
      ${this.done ? html`<div class="info" role="status">${t(this.done)}</div>` : nothing}
      ${this.certs.length ? html`<div class="wrap"><table aria-labelledby="ct">
        <thead><tr><th scope="col">${t('cert_holder')}</th><th scope="col" class="wide">${t('role')}</th><th scope="col" class="wide">${t('cert_serial')}</th><th scope="col">${t('cert_valid_to')}</th><th scope="col">${t('col_state')}</th><th scope="col">${t('actions')}</th></tr></thead>
        <tbody>${this.certs.map((c) => html`<tr data-holder=${c.holder}>
          <td>${this.holderName(c.holder)}</td><td class="wide">${this.roleLabel(c.role)}</td><td class="serial wide">${c.serial}</td><td>${formatDate(c.validTo)}</td>
          <td>${c.revoked ? html`<span class="badge" data-revoked>${t('cert_revoked')} ${formatDate(c.revoked.date)}</span>` : t('cert_valid')}</td>
          <td>${c.revoked || c.role === 'ward-ca' ? nothing : html`<button class="secondary" aria-label="${t('cert_revoke')}: ${this.holderName(c.holder)}" @click=${() => void this.ask(c)}>${t('cert_revoke')}</button>`}</td>
        </tr>`)}</tbody></table></div>` : html`<p class="muted">—</p>`}
      ${this.revoking ? this.revokeForm(this.revoking) : nothing}
      <form class="card" aria-labelledby="et" @submit=${this.enrol}>
        <h3 id="et">${t('cert_enrol')}</h3>
        <p class="muted">${t('cert_enrol_hint')}</p>
        <div class="row">
          <div><label for="eh">${t('cert_enrol_for')}</label><select id="eh" name="holder" required>
            ${leaders.map((u) => html`<option value=${u.username}>${u.fullName} (${u.username})</option>`)}
            <option value=${SEAL}>${t('cert_seal')}</option></select>
            ${leaders.length ? nothing : html`<p class="muted">${t('cert_no_leader')}</p>`}</div>
          <div><label for="ec">${t('ca_pin')}</label><input id="ec" name="caPin" type="password" required autocomplete="off"></div>
        </div>
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('activation_issue')}</button></div>
      </form>
      ${this.issued ? this.issuedBox(this.issued) : nothing}`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-certificates': WdCertificates } }
