import { css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, asApiError, type ApiError, type DocQuery, type DocSummary } from '../api.js';
import { docTable, tableStyles } from '../doc-table.js';
import { WdElement } from '../element.js';
import { both, docTypeName, DOC_TYPE_CODES, localized, stateName, t } from '../i18n.js';
import { shared } from '../styles.js';
import { asSummary, readyStore, STORE_EVENT } from '../store.js';
import { errorBox } from './wd-error.js';

const STATES = {
  outgoing: ['draft', 'submitted', 'returned', 'approved', 'signed', 'numbered', 'issued', 'sent'],
  incoming: ['arrived', 'refused', 'registered', 'assigned', 'in_progress', 'done'],
};
const PAGE = 50;

/** Outgoing or incoming documents with filters; the search ignores accents ("quyet dinh" finds "Quyết định"). */
@customElement('wd-doc-list')
export class WdDocList extends WdElement {
  static override styles = [shared, tableStyles, css`
    form { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0 .75rem; margin-bottom: .75rem; }
    form .q { grid-column: 1 / -1; }
  `];
  @property() direction: 'outgoing' | 'incoming' = 'outgoing';
  @state() private query: DocQuery = {};
  @state() private items: DocSummary[] | null = null;
  @state() private total = 0;
  @state() private error: ApiError | null = null;
  /** 'local': the device's working set; 'node': the node's whole store (older documents, date filters, or no local store). */
  @state() private source: 'local' | 'node' = 'node';
  /** The user asked for older documents: this query goes to the node. */
  @state() private older = false;
  private debounce = 0;
  private seq = 0;
  private readonly reload = () => void this.load();

  override connectedCallback(): void { super.connectedCallback(); window.addEventListener('wd-reload', this.reload); window.addEventListener(STORE_EVENT, this.reload); }
  override disconnectedCallback(): void { window.removeEventListener('wd-reload', this.reload); window.removeEventListener(STORE_EVENT, this.reload); super.disconnectedCallback(); }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('direction')) { this.query = {}; this.older = false; this.items = null; void this.load(); }
  }

  private async load(more = false): Promise<void> {
    const seq = ++this.seq;
    const data = readyStore();
    const { from, to, ...rest } = this.query;
    // The working set answers what it can (no date range: its documents are the recent ones anyway).
    if (data && !this.older && !from && !to) {
      const offset = more ? this.items?.length ?? 0 : 0;
      const page = data.list({ ...rest, direction: this.direction, limit: PAGE, offset });
      const items = page.items.map(asSummary);
      this.items = more ? [...(this.items ?? []), ...items] : items;
      this.total = page.total;
      this.source = 'local';
      this.error = null;
      return;
    }
    this.source = 'node';
    try {
      const offset = more ? this.items?.length ?? 0 : 0;
      const page = await api.list({ ...this.query, direction: this.direction, limit: PAGE, offset });
      if (seq !== this.seq) return; // a newer query is on its way
      this.items = more ? [...(this.items ?? []), ...page.items] : page.items;
      this.total = page.total;
      this.error = null;
    } catch (e) { if (seq === this.seq) { this.error = asApiError(e); this.items ??= []; } }
  }

  private onFilter(e: Event): void {
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const q: DocQuery = {};
    for (const k of ['q', 'state', 'docType', 'from', 'to'] as const) { const v = String(f.get(k) ?? '').trim(); if (v) q[k] = v; }
    this.query = q;
    this.older = false;
    clearTimeout(this.debounce);
    this.debounce = window.setTimeout(() => void this.load(), e.type === 'input' ? 250 : 0);
  }

  protected override render() {
    const title = this.direction === 'outgoing' ? t('nav_outgoing') : t('nav_incoming');
    return html`<h1>${title}</h1>
      <form role="search" @input=${this.onFilter} @change=${this.onFilter} @submit=${(e: Event) => { e.preventDefault(); this.onFilter(e); }}>
        <div class="q"><label for="q">${t('search')}</label>
          <input id="q" name="q" type="search" placeholder=${t('search_hint')} .value=${this.query.q ?? ''}></div>
        <div><label for="state">${t('filter_state')}</label><select id="state" name="state">
          <option value="">${t('all')}</option>${STATES[this.direction].map((s) => html`<option value=${s} ?selected=${this.query.state === s}>${stateName(s)}</option>`)}</select></div>
        <div><label for="docType">${t('filter_type')}</label><select id="docType" name="docType">
          <option value="">${t('all')}</option>${DOC_TYPE_CODES.map((c) => html`<option value=${c} ?selected=${this.query.docType === c}>${docTypeName(c)}</option>`)}</select></div>
        <div><label for="from">${t('filter_from')}</label><input id="from" name="from" type="date" .value=${this.query.from ?? ''}></div>
        <div><label for="to">${t('filter_to')}</label><input id="to" name="to" type="date" .value=${this.query.to ?? ''}></div>
      </form>
      ${errorBox(this.error)}
      ${this.items === null ? html`<p>${t('loading')}</p>` : html`
        <p class="muted" aria-live="polite" data-source=${this.source}>${this.source === 'local' ? html`${t('list_local')} · ` : nothing}${t('total')}: <span data-total>${this.total}</span></p>
        ${this.items.length ? docTable(this.items, title) : html`<p data-empty>${this.query.q
          ? localized(both(this.source === 'local' ? 'empty_search_local' : 'empty_search', { q: this.query.q }))
          : t('empty')}</p>`}
        ${this.items.length < this.total ? html`<button class="secondary" @click=${() => void this.load(true)}>${t('more')}</button>` : nothing}
        ${this.source === 'local' ? html`<button class="secondary" data-older @click=${() => { this.older = true; void this.load(); }}>${t('older_on_node')}</button>` : nothing}`}`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-doc-list': WdDocList } }
