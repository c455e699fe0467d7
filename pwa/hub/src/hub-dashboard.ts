import { css, html, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { WdElement } from '../../src/element.js';
import { formatDateTime } from '../../src/format.js';
import { currentLang } from '../../src/i18n.js';
import { shared } from '../../src/styles.js';
import { EXCHANGE_LABELS, HEALTH_LABELS, VERDICT_LABELS, label } from '../../../sync/hub-labels.js';
import { getJson, HubApiError, withQuery, type Counted, type DocList, type SentRow, type Summary, type SyncRow, type WardRow, type WeekRow } from './hub-api.js';
import { duration, ht, inLang } from './hub-i18n.js';
import './hub-trend.js';

interface Filters { from: string; to: string; ward: string }
const KEY = 'hub.filters';
const PAGE = 50;

/**
 * The city's figures for a week range (default: the latest week with issued
 * documents): the total rate, units at 100 %, the trend over every week, a
 * table per ward, sync health, and the signatures in doubt with their reasons.
 * Every table links its CSV. Reloads every minute while visible.
 */
@customElement('hub-dashboard')
export class HubDashboard extends WdElement {
  static override styles = [shared, css`
    form { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .5rem 1rem; align-items: end; }
    form label { margin: 0 0 .2rem; }
    .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: .75rem; }
    .big { font-size: 1.9rem; font-weight: 700; margin: .2rem 0; font-variant-numeric: tabular-nums; }
    .counts { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: 0; padding: 0; list-style: none; }
    table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
    th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e0e0e0; vertical-align: top; }
    td.n, th.n { text-align: right; }
    td.n, tbody th { white-space: nowrap; }
    .scroll { overflow-x: auto; }
    .head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: .5rem; }
    .head h2 { margin-bottom: .25rem; }
    a.csv { font-size: .9rem; }
    button.link { background: none; border: none; color: #0d47a1; text-decoration: underline; padding: 0; min-height: 0; min-width: 0; }
    .health-poor, .health-never, .verdict-invalid, .verdict-tampered { color: #7f1313; font-weight: 600; }
    .health-tolerable, .verdict-unverifiable { color: #6d3d00; }
    details summary { cursor: pointer; min-height: 44px; display: flex; align-items: center; }
    @media (max-width: 599px) { .big { font-size: 1.5rem; } .hide-phone { display: none; } }
  `];

  @state() private filters: Filters = readFilters();
  @state() private allWeeks: string[] = [];
  @state() private wardCodes: string[] = [];
  @state() private summary: Summary | null = null;
  @state() private trend: WeekRow[] = [];
  @state() private wardRows: WardRow[] = [];
  @state() private syncRows: SyncRow[] = [];
  @state() private sentRows: SentRow[] = [];
  @state() private flagged: DocList | null = null;
  @state() private error: string | null = null;
  @state() private loadedAt: number | null = null;
  private timer = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    this.timer = window.setInterval(() => { if (document.visibilityState === 'visible') void this.load(); }, 60_000);
  }

  override disconnectedCallback(): void {
    clearInterval(this.timer);
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try {
      const [all, sync] = await Promise.all([getJson<{ rows: WeekRow[] }>('/api/hub/weeks'), getJson<{ rows: SyncRow[] }>('/api/hub/sync')]);
      this.allWeeks = all.rows.map((r) => r.week);
      this.wardCodes = sync.rows.map((r) => r.ward).sort();
      const last = this.allWeeks.at(-1) ?? '';
      const f = { ...this.filters };
      if (!f.from || !this.allWeeks.includes(f.from)) f.from = last;
      if (!f.to || !this.allWeeks.includes(f.to) || f.to < f.from) f.to = last;
      this.filters = f;
      const range = this.params();
      const wardOnly = { ward: f.ward || undefined };
      const [summary, trend, wards, flagged, sent] = await Promise.all([
        getJson<Summary>('/api/hub/summary', range),
        getJson<{ rows: WeekRow[] }>('/api/hub/weeks', wardOnly),
        getJson<{ rows: WardRow[] }>('/api/hub/wards', range),
        getJson<DocList>('/api/hub/invalid', { ...range, limit: String(PAGE) }),
        getJson<{ rows: SentRow[] }>('/api/hub/sent', wardOnly),
      ]);
      this.sentRows = sent.rows;
      this.summary = summary;
      this.trend = trend.rows;
      this.wardRows = wards.rows;
      this.syncRows = f.ward ? sync.rows.filter((r) => r.ward === f.ward) : sync.rows;
      this.flagged = flagged;
      this.error = null;
      this.loadedAt = Date.now();
    } catch (e) {
      this.error = e instanceof HubApiError && e.body?.message ? inLang(e.body.message) : ht('failed');
    }
  }

  private async more(): Promise<void> {
    if (!this.flagged) return;
    const next = await getJson<DocList>('/api/hub/invalid', { ...this.params(), limit: String(PAGE), offset: String(this.flagged.rows.length) });
    this.flagged = { ...next, rows: [...this.flagged.rows, ...next.rows] };
  }

  private params(): Record<string, string | undefined> {
    const f = this.filters;
    return { from: f.from || undefined, to: f.to || undefined, ward: f.ward || undefined };
  }

  private csv(path: string, withRange = true): string {
    return withQuery(path, { ...(withRange ? this.params() : { ward: this.filters.ward || undefined }), format: 'csv', lang: currentLang() });
  }

  private apply(e: Event): void {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    let from = String(form.get('from') ?? '');
    let to = String(form.get('to') ?? '');
    if (from && to && from > to) [from, to] = [to, from];
    this.filters = { from, to, ward: String(form.get('ward') ?? '') };
    try { sessionStorage.setItem(KEY, JSON.stringify(this.filters)); } catch { /* private mode: filters last this page */ }
    void this.load();
  }

  private showWard(ward: string): void {
    this.filters = { ...this.filters, ward };
    try { sessionStorage.setItem(KEY, JSON.stringify(this.filters)); } catch { /* as above */ }
    void this.load();
  }

  override render() {
    const s = this.summary;
    const f = this.filters;
    const lang = currentLang();
    return html`
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <form @submit=${this.apply} aria-label=${ht('filters')}>
        <div><label for="from">${ht('from_week')}</label>
          <select id="from" name="from">${this.allWeeks.map((w) => html`<option value=${w} ?selected=${w === f.from}>${w}</option>`)}</select></div>
        <div><label for="to">${ht('to_week')}</label>
          <select id="to" name="to">${this.allWeeks.map((w) => html`<option value=${w} ?selected=${w === f.to}>${w}</option>`)}</select></div>
        <div><label for="ward">${ht('ward')}</label>
          <select id="ward" name="ward"><option value="">${ht('all_wards')}</option>${this.wardCodes.map((w) => html`<option value=${w} ?selected=${w === f.ward}>${w}</option>`)}</select></div>
        <div><button type="submit">${ht('apply')}</button></div>
      </form>
      ${this.loadedAt ? html`<p class="muted" role="status">${ht('updated')} ${formatDateTime(this.loadedAt)}</p>` : html`<p role="status">${ht('loading')}</p>`}
      ${s ? html`
        <div class="figures">
          <section class="card" aria-labelledby="rate-title">
            <h2 id="rate-title">${ht('city_rate')}${f.ward ? ` — ${f.ward}` : ''}</h2>
            <p class="big" data-figure="city-rate">${s.total.rate[lang]}</p>
            <p class="muted">${s.range.from === s.range.to ? `${ht('week')} ${s.range.from}` : `${s.range.from} → ${s.range.to}`}</p>
            ${this.counts(s.total)}
          </section>
          <section class="card" aria-labelledby="units-title">
            <h2 id="units-title">${ht('units_100')}</h2>
            <p class="big" data-figure="units-100">${s.units.at100} ${ht('units_100_of')} ${s.units.total}</p>
            <p class="muted">${s.units.list.map((u) => (u.unit === u.ward ? u.ward : `${u.ward} / ${u.unit}`)).join(', ')}</p>
          </section>
        </div>` : ''}
      <section class="card" aria-labelledby="trend-title">
        <div class="head"><h2 id="trend-title">${ht('trend')}${f.ward ? ` — ${f.ward}` : ''}</h2><a class="csv" href=${this.csv('/api/hub/weeks', false)} download>${ht('csv')}</a></div>
        <hub-trend .rows=${this.trend}></hub-trend>
        <details><summary>${ht('show_table')}</summary>
          ${this.table(ht('trend'), [ht('week')], this.trend.map((r) => ({ key: r.week, cells: [html`${r.week}`], counts: r })))}
        </details>
      </section>
      <section class="card" aria-labelledby="wards-title">
        <div class="head"><h2 id="wards-title">${ht('by_ward')}</h2><a class="csv" href=${this.csv('/api/hub/wards')} download>${ht('csv')}</a></div>
        ${this.table(ht('by_ward'), [ht('ward')], this.wardRows.map((r) => ({
          key: r.ward, cells: [html`<button type="button" class="link" @click=${() => this.showWard(r.ward)}>${r.ward}</button>`], counts: r,
          extra: html`<td class="n">${r.unitsAt100}/${r.units}</td>`,
        })), ht('units_100'))}
      </section>
      ${this.syncTable()}
      ${this.flaggedList()}
      ${this.sentTable()}`;
  }

  private counts(c: Counted): TemplateResult {
    return html`<ul class="counts">
      <li>${ht('issued')}: <strong>${c.issued}</strong></li><li>${ht('digital')}: <strong>${c.digital}</strong></li>
      <li>${ht('paper')}: <strong>${c.paper}</strong></li><li>${ht('invalid')}: <strong>${c.invalid}</strong></li>
      <li>${ht('unverifiable')}: <strong>${c.unverifiable}</strong></li></ul>`;
  }

  /** A table of counted rows: leading cells, the five counts and the rate, an optional last column. */
  private table(caption: string, lead: string[], rows: { key: string; cells: TemplateResult[]; counts: Counted; extra?: TemplateResult }[], extraHead?: string): TemplateResult {
    const lang = currentLang();
    return html`<div class="scroll" role="region" aria-label=${`${caption} — ${ht('table_scroll')}`} tabindex="0"><table>
      <thead><tr>${lead.map((h) => html`<th scope="col">${h}</th>`)}
        <th scope="col" class="n">${ht('issued')}</th><th scope="col" class="n">${ht('digital')}</th><th scope="col" class="n hide-phone">${ht('paper')}</th>
        <th scope="col" class="n hide-phone">${ht('invalid')}</th><th scope="col" class="n hide-phone">${ht('unverifiable')}</th><th scope="col" class="n">${ht('rate')}</th>
        ${extraHead ? html`<th scope="col" class="n">${extraHead}</th>` : ''}</tr></thead>
      <tbody>${rows.map((r) => html`<tr data-row=${r.key}>${r.cells.map((c, i) => (i === 0 ? html`<th scope="row">${c}</th>` : html`<td>${c}</td>`))}
        <td class="n">${r.counts.issued}</td><td class="n">${r.counts.digital}</td><td class="n hide-phone">${r.counts.paper}</td>
        <td class="n hide-phone">${r.counts.invalid}</td><td class="n hide-phone">${r.counts.unverifiable}</td><td class="n">${r.counts.rate[lang]}</td>${r.extra ?? ''}</tr>`)}</tbody>
    </table></div>`;
  }

  private syncTable(): TemplateResult {
    const lang = currentLang();
    return html`<section class="card" aria-labelledby="sync-title">
      <div class="head"><h2 id="sync-title">${ht('sync')}</h2><a class="csv" href=${this.csv('/api/hub/sync', false)} download>${ht('csv')}</a></div>
      <div class="scroll" role="region" aria-label=${`${ht('sync')} — ${ht('table_scroll')}`} tabindex="0"><table>
        <thead><tr><th scope="col">${ht('ward')}</th><th scope="col">${ht('health')}</th><th scope="col">${ht('last_seen')}</th>
          <th scope="col" class="n">${ht('pending_files')}</th><th scope="col" class="n">${ht('lag')}</th><th scope="col" class="n hide-phone">${ht('documents')}</th><th scope="col">${ht('chain')}</th></tr></thead>
        <tbody>${this.syncRows.map((r) => html`<tr data-row=${r.ward}>
          <th scope="row">${r.ward}</th><td class="health-${r.health}">${label(HEALTH_LABELS, r.health, lang)}</td>
          <td>${r.lastSeenAt ? html`${formatDateTime(r.lastSeenAt)} <span class="muted">(${duration(r.silentSeconds)})</span>` : ht('never')}</td>
          <td class="n">${r.pendingFiles}</td><td class="n">${duration(r.lagP50Seconds)} / ${duration(r.lagMaxSeconds)}</td><td class="n hide-phone">${r.documents}</td>
          <td class=${r.chainBrokenAt === null ? '' : 'verdict-tampered'}>${r.chainBrokenAt === null ? `${ht('chain_ok')} (${r.chainEntries})` : `${ht('chain_broken')} ${r.chainBrokenAt}`}</td></tr>`)}</tbody>
      </table></div></section>`;
  }

  /** Documents the city sent and what each ward did with them (Decision 28/2018 codes 01–06). */
  private sentTable(): TemplateResult {
    const lang = currentLang();
    return html`<section class="card" aria-labelledby="sent-title">
      <div class="head"><h2 id="sent-title">${ht('sent')}</h2><a class="csv" href=${this.csv('/api/hub/sent', false)} download>${ht('csv')}</a></div>
      ${this.sentRows.length === 0 ? html`<p>${ht('none_sent')}</p>` : html`<div class="scroll" role="region" aria-label=${`${ht('sent')} — ${ht('table_scroll')}`} tabindex="0"><table>
        <thead><tr><th scope="col">${ht('ward')}</th><th scope="col">${ht('subject')}</th><th scope="col">${ht('status')}</th><th scope="col" class="hide-phone">${ht('last_step')}</th></tr></thead>
        <tbody>${this.sentRows.map((r) => html`<tr data-sent=${`${r.ward}:${r.code}`}>
          <th scope="row">${r.ward}</th><td>${r.subject}</td><td>${r.code} — ${label(EXCHANGE_LABELS, r.state, lang)}</td>
          <td class="hide-phone">${formatDateTime(r.lastEventAt)}</td></tr>`)}</tbody>
      </table></div>`}</section>`;
  }

  private flaggedList(): TemplateResult {
    const list = this.flagged;
    const lang = currentLang();
    return html`<section class="card" aria-labelledby="flag-title">
      <div class="head"><h2 id="flag-title">${ht('flagged')}${list ? ` (${list.total})` : ''}</h2><a class="csv" href=${this.csv('/api/hub/invalid')} download>${ht('csv')}</a></div>
      ${list && list.total === 0 ? html`<p>${ht('none_flagged')}</p>` : ''}
      <ul class="flagged">${(list?.rows ?? []).map((d) => html`<li>
        <a href=${`#/doc/${encodeURIComponent(d.ward)}/${encodeURIComponent(d.docId)}`}>${d.ward} — ${d.symbol ?? d.docId}</a>
        <span class="verdict-${d.verdict}">${label(VERDICT_LABELS, d.verdict, lang)}</span>: ${d.subject}
        ${d.reasons.length > 0 ? html`<br><span class="muted">${ht('reasons')}: ${d.reasons.map((r) => inLang(r)).join('; ')}</span>` : ''}</li>`)}</ul>
      ${list && list.rows.length < list.total ? html`<button type="button" class="secondary" @click=${() => void this.more()}>${ht('more')}</button>` : ''}
    </section>`;
  }
}

function readFilters(): Filters {
  try {
    const raw = JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Partial<Filters>;
    return { from: raw.from ?? '', to: raw.to ?? '', ward: raw.ward ?? '' };
  } catch { return { from: '', to: '', ward: '' }; }
}

declare global { interface HTMLElementTagNameMap { 'hub-dashboard': HubDashboard } }
