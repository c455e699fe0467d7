import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, asApiError, type ApiError, type EditableSetting, type WardSettingsView } from '../api.js';
import { WdElement } from '../element.js';
import { formatDateTime } from '../format.js';
import { localized, t, type MessageKey } from '../i18n.js';
import { shared } from '../styles.js';
import { errorBox } from './wd-error.js';

const EDITABLE: [EditableSetting, MessageKey][] = [['agencyParent', 'agency_parent'], ['agencyName', 'agency_name'], ['place', 'place']];

/**
 * Admin: the ward's identity and the configuration the node runs with (no
 * credential ever reaches the app), the names and place printed on documents
 * signed from now on, and the seal image.
 */
@customElement('wd-settings')
export class WdSettings extends WdElement {
  static override styles = [shared, css`
    dl { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .3rem 1rem; margin: 0; }
    dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
    @media (max-width: 479px) { dl { grid-template-columns: 1fr; } dd { margin-bottom: .4rem; } }
  `];
  @state() private view: WardSettingsView | null = null;
  @state() private error: ApiError | null = null;
  @state() private done: MessageKey | null = null;
  @state() private busy = false;

  override connectedCallback(): void { super.connectedCallback(); void this.load(); }

  private async load(): Promise<void> {
    try { this.view = await api.settings(); } catch (e) { this.error = asApiError(e); }
  }

  private async run(fn: () => Promise<unknown>, done: MessageKey): Promise<boolean> {
    this.error = null; this.done = null; this.busy = true;
    try { await fn(); await this.load(); this.done = done; return true; } catch (e) { this.error = asApiError(e); return false; } finally { this.busy = false; }
  }

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const current = this.view?.ward;
    // Only what the admin changed goes: the rest keeps following the configuration file.
    const patch = Object.fromEntries(EDITABLE.map(([k]) => [k, String(f.get(k) ?? '')]).filter(([k, v]) => v !== current?.[k as EditableSetting]));
    if (Object.keys(patch).length === 0) { this.done = 'saved'; return; }
    await this.run(() => api.patchSettings(patch), 'saved');
  }

  private async upload(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const file = (form.querySelector('input[type=file]') as HTMLInputElement | null)?.files?.[0];
    if (!file) return;
    if (await this.run(() => api.sealImage(file.type ? file : new Blob([file], { type: 'image/png' })), 'seal_image_saved')) form.reset();
  }

  protected override render() {
    const v = this.view;
    return html`<h1>${t('settings_title')}</h1>
      ${errorBox(this.error)}
      ${this.done ? html`<div class="info" role="status">${t(this.done)}</div>` : nothing}
      ${v ? this.body(v) : this.error ? nothing : html`<p>${t('loading')}</p>`}`;
  }

  private body(v: WardSettingsView) {
    const w = v.ward;
    const sync = v.city.sync;
    return html`
      ${(v.notices ?? []).map((n) => html`<div class="error" role="alert" data-notice=${n.code}>${localized(n)}${v.seal?.subject ? html`<div class="muted">${v.seal.subject}</div>` : nothing}</div>`)}
      <section class="card" aria-labelledby="si"><h2 id="si">${t('settings_identity')}</h2>
        <dl>
          <dt>${t('ward_code')}</dt><dd data-field="code">${w.code}</dd>
          <dt>${t('agency_parent')}</dt><dd data-field="agencyParent">${w.agencyParent}</dd>
          <dt>${t('agency_name')}</dt><dd data-field="agencyName">${w.agencyName}</dd>
          <dt>${t('agency_code')}</dt><dd>${w.agencyCode}</dd>
          ${w.agencyId ? html`<dt>${t('agency_id')}</dt><dd>${w.agencyId}</dd>` : nothing}
          <dt>${t('place')}</dt><dd data-field="place">${w.place}</dd>
        </dl>
      </section>
      <form class="card" aria-labelledby="se" @submit=${this.save}><h2 id="se">${t('settings_edit')}</h2>
        <p class="muted">${t('settings_edit_hint')}</p>
        ${EDITABLE.map(([k, label]) => html`<div>
          <label for="s-${k}">${t(label)}</label>
          <input id="s-${k}" name=${k} .value=${w[k]} ?required=${k !== 'agencyParent'} maxlength=${k === 'place' ? 60 : 120} aria-describedby="s-${k}-c">
          <div class="muted" id="s-${k}-c">${t('from_config')}: ${v.fromConfig[k]}</div></div>`)}
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('save')}</button></div>
      </form>
      <form class="card" aria-labelledby="ss" @submit=${this.upload}><h2 id="ss">${t('seal_image')}</h2>
        <p data-seal=${v.sealImage ? 'present' : 'missing'}>${v.sealImage ? t('seal_image_present') : t('seal_image_missing')}</p>
        <label for="s-seal">${t('seal_image_file')}</label>
        <input id="s-seal" type="file" accept="image/png" required>
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('seal_image_upload')}</button></div>
      </form>
      <section class="card" aria-labelledby="sr"><h2 id="sr">${t('registers')}</h2>
        <dl>${v.registers.map((r) => html`<dt>${r.key}</dt><dd>${r.types.map((x) => (x === '*' ? t('register_other') : x)).join(', ')}</dd>`)}</dl>
      </section>
      <section class="card" aria-labelledby="sc"><h2 id="sc">${t('city_link')}</h2>
        <dl>
          <dt>${t('city_url')}</dt><dd>${v.city.url ?? t('city_not_configured')}</dd>
          <dt>${t('city_interval')}</dt><dd>${v.city.intervalSeconds}</dd>
          <dt>${t('sync_state')}</dt><dd data-sync=${sync.upToDate ? 'up-to-date' : sync.configured ? 'pending' : 'off'}>${localized(sync.summary)}</dd>
          <dt>${t('sync_last')}</dt><dd>${sync.lastSuccessfulSync ? formatDateTime(sync.lastSuccessfulSync) : t('sync_never')}</dd>
        </dl>
      </section>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-settings': WdSettings } }
