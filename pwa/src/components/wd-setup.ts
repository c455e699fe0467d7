import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, asApiError, type ApiError, type SetupStatus } from '../api.js';
import { WdElement } from '../element.js';
import { formatDateTime } from '../format.js';
import { t, type MessageKey } from '../i18n.js';
import { shared } from '../styles.js';
import { errorBox } from './wd-error.js';
import './wd-users.js';

/** A file's bytes as base64 for a JSON body (the bundle is a few KB; the node's JSON limit is 1 MiB). */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
const fileOf = (form: HTMLFormElement, name: string) => (form.querySelector(`input[name=${name}]`) as HTMLInputElement | null)?.files?.[0] ?? null;

/**
 * Admin: the first-run setup a ward clerk finishes alone on a phone or a PC:
 * the agency's identity, the ward CA (the city's bundle, or a standalone CA
 * behind a warning), the officials with their roles and their keys'
 * activation codes (wd-users), and the seal image. Each step shows whether
 * it is done, from the node's own status.
 */
@customElement('wd-setup')
export class WdSetup extends WdElement {
  static override styles = [shared, css`
    section > h2 { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
    .ok { background: #e6f4ea; color: #1e5631; } .todo { background: #fdecea; color: #7f1313; }
    .warning { border-left: 4px solid #b71c1c; background: #fff8e1; padding: .6rem .8rem; }
    .check { display: flex; gap: .5rem; align-items: flex-start; font-weight: 400; }
    .check input { width: auto; min-height: 0; margin-top: .3rem; }
    details > summary { min-height: 44px; display: flex; align-items: center; cursor: pointer; font-weight: 600; }
  `];
  @state() private status: SetupStatus | null = null;
  @state() private error: ApiError | null = null;
  @state() private local: MessageKey | null = null;
  @state() private done: MessageKey | null = null;
  @state() private busy = false;

  override connectedCallback(): void { super.connectedCallback(); void this.load(); }

  private async load(): Promise<void> {
    try { this.status = await api.setupStatus(); } catch (e) { this.error = asApiError(e); }
  }

  private async run(fn: () => Promise<unknown>, done: MessageKey): Promise<boolean> {
    this.error = null; this.local = null; this.done = null; this.busy = true;
    try { await fn(); await this.load(); this.done = done; return true; } catch (e) { this.error = asApiError(e); return false; } finally { this.busy = false; }
  }

  private async identity(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    await this.run(() => api.patchSettings({ agencyName: String(f.get('agencyName')), agencyParent: String(f.get('agencyParent')), place: String(f.get('place')) }), 'saved');
  }

  private async bundle(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const p12 = fileOf(form, 'p12');
    if (!p12) return;
    const root = fileOf(form, 'root');
    const crl = fileOf(form, 'crl');
    const pin = String(new FormData(form).get('pin'));
    await this.run(async () => api.installBundle({ p12: await base64Of(p12), pin, ...(root ? { rootPem: await root.text() } : {}), ...(crl ? { rootCrl: await base64Of(crl) } : {}) }), 'setup_ca_done');
  }

  private async standalone(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const pin = String(f.get('pin'));
    this.error = null; this.done = null;
    if (pin !== String(f.get('pin2'))) { this.local = 'pins_differ'; return; }
    await this.run(() => api.standaloneCa(pin, f.get('confirm') === 'on'), 'setup_ca_done');
  }

  private async reissueTls(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    if (await this.run(() => api.reissueTls(String(new FormData(form).get('caPin'))), 'setup_tls_done')) form.reset();
  }

  private async sealImage(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const file = fileOf(form, 'seal');
    if (!file) return;
    if (await this.run(() => api.sealImage(file.type ? file : new Blob([file], { type: 'image/png' })), 'seal_image_saved')) form.reset();
  }

  private badge(ok: boolean) {
    return html`<span class="badge ${ok ? 'ok' : 'todo'}" data-done=${ok ? 'yes' : 'no'}>${ok ? t('setup_done') : t('setup_todo')}</span>`;
  }

  protected override render() {
    const s = this.status;
    return html`<h1>${t('setup_title')}</h1>
      <p class="muted">${t('setup_intro')}</p>
      ${errorBox(this.error)}
      ${this.local ? html`<div class="error" role="alert" data-code=${this.local}>${t(this.local)}</div>` : nothing}
      ${this.done ? html`<div class="info" role="status">${t(this.done)}</div>` : nothing}
      ${s ? this.steps(s) : this.error ? nothing : html`<p>${t('loading')}</p>`}`;
  }

  private steps(s: SetupStatus) {
    const w = s.ward;
    const keysDone = s.leaders.length > 0 && s.leaders.every((l) => l.key) && s.officials.clerk > 0;
    return html`
      <section class="card" aria-labelledby="s1" data-step="identity"><h2 id="s1">${t('setup_step_identity')} ${this.badge(w.agencyName.length > 0)}</h2>
        <form @submit=${this.identity}>
          <p class="muted">${t('ward_code')}: <b>${w.code}</b></p>
          <label for="i-name">${t('agency_name')}</label><input id="i-name" name="agencyName" .value=${w.agencyName} required maxlength="120">
          <label for="i-parent">${t('agency_parent')}</label><input id="i-parent" name="agencyParent" .value=${w.agencyParent} maxlength="120">
          <label for="i-place">${t('place')}</label><input id="i-place" name="place" .value=${w.place} required maxlength="60">
          <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('save')}</button></div>
        </form>
      </section>
      <section class="card" aria-labelledby="s2" data-step="pki"><h2 id="s2">${t('setup_step_pki')} ${this.badge(s.ca !== null)}</h2>
        ${s.ca ? html`<p data-ca>${t('setup_ca_installed')}: ${s.ca.subject}
            ${s.ca.standalone ? html`<span class="badge todo">${t('setup_ca_standalone_badge')}</span>` : nothing}</p>` : this.pkiForms()}
        ${s.tls ? html`<h3>${t('setup_tls')}: ${s.tls.issuer === 'bootstrap' ? t('setup_tls_bootstrap') : t('setup_tls_ward')}</h3>
          <p class="muted" data-tls=${s.tls.issuer}>${t('setup_tls_names')}: ${s.tls.names.join(', ')}</p>
          ${s.ca ? html`<form aria-label=${t('setup_tls_reissue')} @submit=${this.reissueTls}>
            <label for="t-pin">${t('ca_pin')}</label><input id="t-pin" name="caPin" type="password" required autocomplete="off">
            <div class="actions"><button type="submit" class="secondary" ?disabled=${this.busy}>${t('setup_tls_reissue')}</button></div>
          </form>` : nothing}` : nothing}
      </section>
      <section class="card" aria-labelledby="s3" data-step="officials"><h2 id="s3">${t('setup_step_officials')} ${this.badge(keysDone)}</h2>
        <p class="muted">${t('setup_officials_hint')}</p>
        ${s.activations.length ? html`<p>${t('setup_pending')}:</p><ul data-pending>${s.activations.map((a) => html`<li>${a.user ?? t('cert_seal')} — ${t('activation_expires')} ${formatDateTime(a.expiresAt)}</li>`)}</ul>` : nothing}
        <wd-users @wd-certificates-changed=${() => void this.load()}></wd-users>
      </section>
      <section class="card" aria-labelledby="s4" data-step="seal"><h2 id="s4">${t('setup_step_seal')} ${this.badge(s.seal.key && s.seal.image)}</h2>
        <p class="muted">${t('setup_seal_hint')}</p>
        <p>${t('setup_seal_key')}: ${s.seal.key ? t('keys_seal_have') : t('keys_seal_none')}</p>
        <form @submit=${this.sealImage}>
          <p data-seal=${s.seal.image ? 'present' : 'missing'}>${s.seal.image ? t('seal_image_present') : t('seal_image_missing')}</p>
          <label for="s-seal">${t('seal_image_file')}</label><input id="s-seal" name="seal" type="file" accept="image/png" required>
          <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('seal_image_upload')}</button></div>
        </form>
      </section>`;
  }

  private pkiForms() {
    return html`
      <form aria-labelledby="b1" @submit=${this.bundle}>
        <h3 id="b1">${t('setup_bundle_title')}</h3>
        <p class="muted">${t('setup_bundle_hint')}</p>
        <label for="b-p12">${t('setup_bundle_file')}</label><input id="b-p12" name="p12" type="file" accept=".p12,.pfx,application/x-pkcs12" required>
        <label for="b-root">${t('setup_bundle_root')}</label><input id="b-root" name="root" type="file" accept=".pem,.crt,.cer">
        <label for="b-crl">${t('setup_bundle_crl')}</label><input id="b-crl" name="crl" type="file" accept=".crl">
        <label for="b-pin">${t('setup_bundle_pin')}</label><input id="b-pin" name="pin" type="password" required autocomplete="off">
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('setup_bundle_install')}</button></div>
      </form>
      <details>
        <summary>${t('setup_standalone_title')}</summary>
        <form aria-labelledby="b2" @submit=${this.standalone}>
          <h3 id="b2" class="sr-only">${t('setup_standalone_title')}</h3>
          <p class="warning" role="note">${t('setup_standalone_warning')}</p>
          <label class="check"><input type="checkbox" name="confirm"> ${t('setup_standalone_confirm')}</label>
          <label for="c-pin">${t('setup_standalone_pin')}</label><input id="c-pin" name="pin" type="password" required maxlength="32" autocomplete="new-password">
          <label for="c-pin2">${t('setup_standalone_pin2')}</label><input id="c-pin2" name="pin2" type="password" required maxlength="32" autocomplete="new-password">
          <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('setup_standalone_create')}</button></div>
        </form>
      </details>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-setup': WdSetup } }
