import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, asApiError, type ApiError, type MyKeys, type User } from '../api.js';
import { WdElement } from '../element.js';
import { t, type MessageKey } from '../i18n.js';
import { shared } from '../styles.js';
import { errorBox } from './wd-error.js';

type Which = 'mine' | 'seal';

/**
 * The holder's own key: redeem a one-time activation code with a PIN only
 * they know, change that PIN (the key's PKCS#12 is re-encrypted on the node),
 * upload the signature image (a leader) or the seal image (a clerk or the
 * admin), each previewed on a sample page before it is saved.
 */
@customElement('wd-keys')
export class WdKeys extends WdElement {
  static override styles = [shared, css`
    .page { position: relative; background: #fff; border: 1px solid #bbb; box-shadow: 0 1px 4px #0002; aspect-ratio: 210 / 297; max-width: 22rem; margin: .5rem 0; padding: 8% 6% 8% 10%; font-family: 'Times New Roman', serif; font-size: .7rem; color: #000; overflow: hidden; }
    .page .head { display: flex; justify-content: space-between; font-weight: 700; text-align: center; gap: .5rem; }
    .page .title { text-align: center; font-weight: 700; margin: 1.2rem 0 .6rem; }
    .page .line { height: .45rem; background: #e4e4e4; margin: .35rem 0; }
    .page .signer { position: absolute; right: 6%; bottom: 14%; width: 45%; text-align: center; font-weight: 700; white-space: pre-line; }
    .page .signer .sig { position: relative; height: 4.5rem; }
    .page .signer .sig img { position: absolute; inset: 0; margin: auto; max-width: 100%; max-height: 100%; }
    .page .signer .sig img.seal { right: auto; left: -20%; max-height: 120%; }
  `];
  @property({ attribute: false }) user: User | null = null;
  /** From #/activate/<code>: the code the admin's link carries. */
  @property() code = '';
  @state() private keys: MyKeys | null = null;
  @state() private error: ApiError | null = null;
  @state() private local: MessageKey | null = null;
  @state() private done: MessageKey | null = null;
  @state() private busy = false;
  /** Object URLs of the chosen (not yet saved) images, for the sample page. */
  @state() private preview: { sig: string | null; seal: string | null } = { sig: null, seal: null };
  /** Cache-busting stamp for the stored images after a save. */
  @state() private stamp = Date.now();

  override connectedCallback(): void { super.connectedCallback(); void this.load(); }
  override disconnectedCallback(): void {
    for (const u of Object.values(this.preview)) if (u) URL.revokeObjectURL(u);
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try { this.keys = await api.myKeys(); } catch (e) { this.error = asApiError(e); }
  }

  private async run(fn: () => Promise<unknown>, done: MessageKey): Promise<boolean> {
    this.error = null; this.local = null; this.done = null; this.busy = true;
    try { await fn(); await this.load(); this.done = done; this.stamp = Date.now(); return true; } catch (e) { this.error = asApiError(e); return false; } finally { this.busy = false; }
  }

  private async activate(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const pin = String(f.get('pin'));
    this.error = null; this.done = null;
    if (pin !== String(f.get('pin2'))) { this.local = 'pins_differ'; return; }
    // The length rule is the node's (weak_pin, in both languages): a short PIN is sent and refused there.
    if (await this.run(() => api.activate(String(f.get('code')), pin), 'activated')) { form.reset(); this.code = ''; }
  }

  private async changePin(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const next = String(f.get('newPin'));
    this.error = null; this.done = null;
    if (next !== String(f.get('newPin2'))) { this.local = 'pins_differ'; return; }
    if (await this.run(() => api.changePin((f.get('which') ?? 'mine') as Which, String(f.get('oldPin')), next), 'pin_changed')) form.reset();
  }

  private choose(kind: 'sig' | 'seal', e: Event): void {
    const file = (e.target as HTMLInputElement).files?.[0];
    const old = this.preview[kind];
    if (old) URL.revokeObjectURL(old);
    this.preview = { ...this.preview, [kind]: file ? URL.createObjectURL(file) : null };
  }

  private async upload(kind: 'sig' | 'seal', e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const file = (form.querySelector('input[type=file]') as HTMLInputElement | null)?.files?.[0];
    if (!file) return;
    const png = file.type ? file : new Blob([file], { type: 'image/png' });
    const ok = await this.run(() => (kind === 'sig' ? api.signatureImage(png) : api.sealImage(png)), kind === 'sig' ? 'sig_saved' : 'seal_image_saved');
    if (ok) { form.reset(); this.preview = { ...this.preview, [kind]: null }; }
  }

  protected override render() {
    const k = this.keys;
    return html`<h1>${t('keys_title')}</h1>
      ${errorBox(this.error)}
      ${this.local ? html`<div class="error" role="alert" data-code=${this.local}>${t(this.local)}</div>` : nothing}
      ${this.done ? html`<div class="info" role="status" data-done=${this.done}>${t(this.done)}</div>` : nothing}
      ${k ? this.body(k) : this.error ? nothing : html`<p>${t('loading')}</p>`}`;
  }

  private body(k: MyKeys) {
    const leader = this.user?.role === 'leader';
    const pinTargets: [Which, MessageKey][] = [...(k.key ? [['mine', 'pin_change_mine'] as [Which, MessageKey]] : []), ...(k.seal?.key ? [['seal', 'cert_seal'] as [Which, MessageKey]] : [])];
    const sigUrl = this.preview.sig ?? (k.image ? `/api/me/signature-image?v=${this.stamp}` : null);
    const sealUrl = this.preview.seal ?? (k.seal?.image ? `/api/seal/image?v=${this.stamp}` : null);
    return html`
      <p data-key=${k.key ? 'yes' : 'no'}>${k.key ? t('keys_have') : t('keys_none')}</p>
      ${k.seal ? html`<p data-seal-key=${k.seal.key ? 'yes' : 'no'}>${k.seal.key ? t('keys_seal_have') : t('keys_seal_none')}</p>` : nothing}
      ${this.code || (!k.key && !k.seal?.key) ? this.activationForm() : nothing}
      ${pinTargets.length ? html`<form class="card" aria-labelledby="kp" @submit=${this.changePin}>
        <h2 id="kp">${t('pin_change_title')}</h2>
        ${pinTargets.length > 1 ? html`<label for="p-which">${t('pin_change_for')}</label>
          <select id="p-which" name="which">${pinTargets.map(([v, label]) => html`<option value=${v}>${t(label)}</option>`)}</select>` : html`<input type="hidden" name="which" value=${pinTargets[0]![0]}>`}
        <label for="p-old">${t('pin_old')}</label><input id="p-old" name="oldPin" type="password" required maxlength="64" autocomplete="current-password">
        <label for="p-new">${t('pin_new')}</label><input id="p-new" name="newPin" type="password" required maxlength="64" autocomplete="new-password">
        <label for="p-new2">${t('pin_new2')}</label><input id="p-new2" name="newPin2" type="password" required maxlength="64" autocomplete="new-password">
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('pin_change_title')}</button></div>
      </form>` : nothing}
      ${leader || k.key ? html`<form class="card" aria-labelledby="ks" @submit=${(e: SubmitEvent) => void this.upload('sig', e)}>
        <h2 id="ks">${t('sig_title')}</h2>
        <p class="muted">${t('sig_hint')}</p>
        ${k.image ? nothing : html`<p data-sig="missing">${t('sig_missing')}</p>`}
        <label for="k-sig">${t('sig_file')}</label><input id="k-sig" type="file" accept="image/png" required @change=${(e: Event) => this.choose('sig', e)}>
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('sig_save')}</button></div>
      </form>` : nothing}
      ${k.seal ? html`<form class="card" aria-labelledby="kx" @submit=${(e: SubmitEvent) => void this.upload('seal', e)}>
        <h2 id="kx">${t('seal_image')}</h2>
        <p data-seal=${k.seal.image ? 'present' : 'missing'}>${k.seal.image ? t('seal_image_present') : t('seal_image_missing')}</p>
        <label for="k-seal">${t('seal_image_file')}</label><input id="k-seal" type="file" accept="image/png" required @change=${(e: Event) => this.choose('seal', e)}>
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('seal_image_upload')}</button></div>
      </form>` : nothing}
      ${sigUrl || sealUrl ? html`<section class="card" aria-labelledby="kv"><h2 id="kv">${t('preview_title')}</h2>${this.samplePage(sigUrl, sealUrl)}</section>` : nothing}`;
  }

  /** Shown while there is a code to redeem (from the admin's link) or nothing activated yet. */
  private activationForm() {
    return html`<form class="card" aria-labelledby="ka" @submit=${this.activate}>
        <h2 id="ka">${t('activate_title')}</h2>
        <label for="a-code">${t('activate_code')}</label><input id="a-code" name="code" required .value=${this.code} autocapitalize="characters" autocomplete="off" spellcheck="false">
        <label for="a-pin">${t('activate_pin')}</label><input id="a-pin" name="pin" type="password" required maxlength="64" autocomplete="new-password">
        <label for="a-pin2">${t('activate_pin2')}</label><input id="a-pin2" name="pin2" type="password" required maxlength="64" autocomplete="new-password">
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('activate_submit')}</button></div>
      </form>`;
  }

  /** A sample A4 page in miniature: where the signature sits, the seal over its left third (Decree 30). */
  private samplePage(sig: string | null, seal: string | null) {
    return html`<div class="page" data-preview role="img" aria-label=${t('preview_title')}>
      <div class="head"><span>ỦY BAN NHÂN DÂN<br>PHƯỜNG …</span><span>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</span></div>
      <div class="title">QUYẾT ĐỊNH</div>
      <p>${t('sample_body')}</p>
      ${[1, 2, 3, 4, 5, 6].map(() => html`<div class="line"></div>`)}
      <div class="signer">${t('sample_signer')}
        <div class="sig">${sig ? html`<img src=${sig} alt="" data-img="signature">` : nothing}${seal ? html`<img class="seal" src=${seal} alt="" data-img="seal">` : nothing}</div>
        ${this.user?.fullName ?? ''}</div>
    </div>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-keys': WdKeys } }
