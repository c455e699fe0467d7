import { css, html, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { WdElement } from '../../src/element.js';
import { currentLang } from '../../src/i18n.js';
import { formatPercent } from '../../../sync/hub-rate.js';
import type { WeekRow } from './hub-api.js';
import { ht } from './hub-i18n.js';

const H = 240;
const PAD = { left: 44, right: 44, top: 16, bottom: 36 };

/**
 * The weekly trend, drawn by hand in SVG (no chart library for two series):
 * grey bars for documents issued (left scale), a red line for the digital
 * signing rate (right scale, 0–100 %). Screen readers get a summary in the
 * label and the full figures in the table below the chart.
 */
@customElement('hub-trend')
export class HubTrend extends WdElement {
  static override styles = css`
    :host { display: block; }
    svg { width: 100%; height: auto; display: block; }
    .axis { font: 11px system-ui, sans-serif; fill: #444; }
    .bar { fill: #cfd8dc; }
    .line { fill: none; stroke: #b71c1c; stroke-width: 2.5; }
    .dot { fill: #b71c1c; }
    .grid { stroke: #e0e0e0; }
    .legend { display: flex; gap: 1rem; font-size: .9rem; flex-wrap: wrap; }
    .key { display: inline-block; width: .9rem; height: .9rem; vertical-align: -2px; margin-right: .3rem; }
    .k-issued { background: #cfd8dc; }
    .k-rate { background: #b71c1c; }
  `;

  @property({ attribute: false }) rows: WeekRow[] = [];
  /** Drawn at the element's own width, so labels stay readable on a phone. */
  @state() private width = 720;
  private readonly resize = new ResizeObserver((entries) => {
    const w = Math.round(entries[0]?.contentRect.width ?? 0);
    if (w > 0 && Math.abs(w - this.width) > 8) this.width = Math.max(300, w);
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    this.resize.disconnect();
    super.disconnectedCallback();
  }

  override render() {
    const rows = this.rows;
    const W = this.width;
    const lang = currentLang();
    if (rows.length === 0) return html`<p>—</p>`;
    const maxIssued = Math.max(1, ...rows.map((r) => r.issued));
    const plotW = W - PAD.left - PAD.right;
    const plotH = H - PAD.top - PAD.bottom;
    const step = plotW / rows.length;
    const x = (i: number) => PAD.left + step * i + step / 2;
    const yRate = (p: number) => PAD.top + plotH * (1 - p / 100);
    const yIssued = (n: number) => PAD.top + plotH * (1 - n / maxIssued);
    const every = Math.ceil(rows.length / Math.max(2, Math.floor(plotW / 60)));
    const line = rows.map((r, i) => (r.rate.percent === null ? null : `${x(i).toFixed(1)},${yRate(r.rate.percent).toFixed(1)}`)).filter(Boolean).join(' ');
    const first = rows[0]!;
    const last = rows.at(-1)!;
    const label = `${ht('trend_label')}: ${first.week} ${first.rate[lang]} … ${last.week} ${last.rate[lang]}`;
    return html`
      <div class="legend" aria-hidden="true">
        <span><span class="key k-issued"></span>${ht('issued')}</span>
        <span><span class="key k-rate"></span>${ht('rate')}</span>
      </div>
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${label}>
        ${[0, 25, 50, 75, 100].map((p) => svg`
          <line class="grid" x1=${PAD.left} x2=${W - PAD.right} y1=${yRate(p)} y2=${yRate(p)}></line>
          <text class="axis" x=${W - PAD.right + 4} y=${yRate(p) + 4}>${formatPercent(p, lang).replace(',0', '').replace('.0', '')}</text>`)}
        <text class="axis" x=${PAD.left - 4} y=${PAD.top + 4} text-anchor="end">${maxIssued}</text>
        <text class="axis" x=${PAD.left - 4} y=${PAD.top + plotH} text-anchor="end">0</text>
        ${rows.map((r, i) => svg`
          <rect class="bar" x=${x(i) - step * 0.35} width=${step * 0.7} y=${yIssued(r.issued)} height=${PAD.top + plotH - yIssued(r.issued)}>
            <title>${r.week}: ${ht('issued')} ${r.issued}, ${ht('rate')} ${r.rate[lang]}</title>
          </rect>
          ${i % every === 0 ? svg`<text class="axis" x=${x(i)} y=${H - PAD.bottom + 16} text-anchor="middle">${r.week.slice(5)}</text>` : ''}`)}
        <polyline class="line" points=${line}></polyline>
        ${rows.map((r, i) => (r.rate.percent === null ? '' : svg`<circle class="dot" cx=${x(i)} cy=${yRate(r.rate.percent)} r="3"></circle>`))}
      </svg>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'hub-trend': HubTrend } }
