import { css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { WdElement } from '../element.js';
import { t } from '../i18n.js';
import { shared } from '../styles.js';
import { applyUpdate, updateWaiting } from '../update.js';

/** Announces a waiting app version; applies it on click (drafts are saved first). */
@customElement('wd-update-banner')
export class WdUpdateBanner extends WdElement {
  static override styles = [shared, css`
    :host { position: sticky; bottom: 0; z-index: 5; }
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; padding: .5rem 1rem; background: #263238; color: #fff; }
    .bar strong { flex: 1 1 12rem; }
  `];
  @state() private shown = updateWaiting();
  private readonly onUpdate = () => { this.shown = true; };
  override connectedCallback(): void { super.connectedCallback(); window.addEventListener('wd-update', this.onUpdate); }
  override disconnectedCallback(): void { window.removeEventListener('wd-update', this.onUpdate); super.disconnectedCallback(); }
  protected override render() {
    if (!this.shown) return html``;
    return html`<div class="bar" role="status" aria-live="polite">
      <strong>${t('update_available')}</strong>
      <button @click=${() => void applyUpdate()}>${t('update_apply')}</button>
      <button class="secondary" @click=${() => { this.shown = false; }}>${t('update_later')}</button>
    </div>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-update-banner': WdUpdateBanner } }
