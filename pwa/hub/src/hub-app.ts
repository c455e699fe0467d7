import { css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { WdElement } from '../../src/element.js';
import { currentLang, setLang } from '../../src/i18n.js';
import { shared } from '../../src/styles.js';
import './hub-dashboard.js';
import './hub-document.js';
import { ht } from './hub-i18n.js';

/** The shell: title, language switch, and the route (#/ the dashboard, #/doc/<ward>/<docId> one document). */
@customElement('hub-app')
export class HubApp extends WdElement {
  static override styles = [shared, css`
    header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; padding: .6rem 1rem; background: #b71c1c; color: #fff; }
    header h1 { margin: 0; font-size: 1.2rem; }
    header p { margin: 0; font-size: .85rem; opacity: .9; }
    header button { background: #fff; color: #8a1515; }
    main { max-width: 1200px; margin: 0 auto; padding: .5rem 1rem 2rem; }
    @media (max-width: 599px) { main { padding: .25rem .5rem 1.5rem; } header h1 { font-size: 1.05rem; } }
  `];

  @state() private route = location.hash;
  private readonly onHash = () => { this.route = location.hash; };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHash);
    super.disconnectedCallback();
  }

  override render() {
    const doc = /^#\/doc\/([^/]+)\/(.+)$/.exec(this.route);
    const other = currentLang() === 'vi' ? 'en' : 'vi';
    return html`
      <header>
        <div><h1>${ht('title')}</h1><p>${ht('subtitle')}</p></div>
        <button type="button" lang=${other} aria-label=${ht('lang_switch_label')} @click=${() => setLang(other)}>${ht('lang_switch')}</button>
      </header>
      <main>
        ${doc ? html`<hub-document .ward=${decodeURIComponent(doc[1]!)} .docId=${decodeURIComponent(doc[2]!)}></hub-document>` : html`<hub-dashboard></hub-dashboard>`}
      </main>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'hub-app': HubApp } }
