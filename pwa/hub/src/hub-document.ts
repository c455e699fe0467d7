import { css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { WdElement } from '../../src/element.js';
import { formatDateTime } from '../../src/format.js';
import { actionName, currentLang, roleName, stateName } from '../../src/i18n.js';
import { shared } from '../../src/styles.js';
import { SIGNING_LABELS, TIMELINE_LABELS, VERDICT_LABELS, label } from '../../../sync/hub-labels.js';
import { getJson, HubApiError, type DocDetail } from './hub-api.js';
import { ht, inLang, type HubKey } from './hub-i18n.js';

/** One document as the city sees it: verdict with reasons, signatures, timeline, the signed PDF. */
@customElement('hub-document')
export class HubDocument extends WdElement {
  static override styles = [shared, css`
    dl { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .3rem 1rem; margin: 0; }
    dt { font-weight: 600; }
    dd { margin: 0; overflow-wrap: anywhere; }
    .verdict-invalid, .verdict-tampered { background: #fdecea; color: #7f1313; }
    .verdict-unverifiable { background: #fff3e0; color: #6d3d00; }
    .verdict-valid { background: #e8f5e9; color: #1b5e20; }
    ol { padding-left: 1.2rem; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e0e0e0; }
    .scroll { overflow-x: auto; }
    @media (max-width: 599px) { dl { grid-template-columns: 1fr; } dt { margin-top: .4rem; } }
  `];

  @property() ward = '';
  @property() docId = '';
  @state() private detail: DocDetail | null = null;
  @state() private error: string | null = null;

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('ward') || changed.has('docId')) void this.load();
  }

  private async load(): Promise<void> {
    this.detail = null;
    this.error = null;
    try {
      this.detail = await getJson<DocDetail>(`/api/hub/documents/${encodeURIComponent(this.ward)}/${encodeURIComponent(this.docId)}`);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
    } catch (e) {
      this.error = e instanceof HubApiError && e.body?.message ? inLang(e.body.message) : ht('failed');
    }
  }

  override render() {
    const back = html`<p><a class="button secondary" href="#/">← ${ht('back')}</a></p>`;
    if (this.error) return html`${back}<p class="error" role="alert">${this.error}</p>`;
    const d = this.detail;
    if (!d) return html`${back}<p role="status">${ht('loading')}</p>`;
    const doc = d.document;
    const lang = currentLang();
    return html`
      ${back}
      <section class="card" aria-labelledby="doc-title">
        <h2 id="doc-title" tabindex="-1">${ht('document')} ${doc.symbol ?? doc.docId}</h2>
        <dl>
          <dt>${ht('ward')}</dt><dd>${doc.ward}</dd>
          <dt>${ht('unit')}</dt><dd>${doc.unit}</dd>
          <dt>${ht('subject')}</dt><dd>${doc.subject}</dd>
          <dt>${ht('doc_type')}</dt><dd>${doc.docType}</dd>
          <dt>${ht('state')}</dt><dd>${stateName(doc.state)}</dd>
          <dt>${ht('week')}</dt><dd>${doc.week ?? '—'}</dd>
          <dt>${ht('signing')}</dt><dd>${label(SIGNING_LABELS, doc.signing, lang)}</dd>
          <dt>${ht('verdict')}</dt><dd><span class="badge verdict-${doc.verdict}">${label(VERDICT_LABELS, doc.verdict, lang)}</span></dd>
        </dl>
        ${doc.reasons.length > 0 ? html`<h3>${ht('reasons')}</h3><ul>${doc.reasons.map((r) => html`<li>${inLang(r)}</li>`)}</ul>` : ''}
        <p>${d.pdf
          ? (d.pdf.complete ? html`<a class="button" href=${d.pdf.url} target="_blank" rel="noopener">${ht('pdf')}</a>` : html`<span class="info">${ht('pdf_pending')}</span>`)
          : html`<span class="muted">${ht('no_pdf')}</span>`}</p>
      </section>
      ${doc.signatures.length > 0 ? html`
        <section class="card" aria-labelledby="sig-title">
          <h2 id="sig-title">${ht('signatures')}</h2>
          <div class="scroll" role="region" aria-label=${ht('signatures')} tabindex="0">
            <table>
              <thead><tr><th scope="col">${ht('role')}</th><th scope="col">${ht('signer')}</th><th scope="col">${ht('signed_at')}</th><th scope="col">${ht('status')}</th></tr></thead>
              <tbody>${doc.signatures.map((s) => html`<tr>
                <td>${ht(`role_${s.role}` as HubKey)}</td><td>${s.signerName}</td><td>${formatDateTime(s.signingTime)}</td>
                <td>${label(VERDICT_LABELS, s.status === 'unknown' ? 'unverifiable' : s.status, lang)}</td></tr>`)}</tbody>
            </table>
          </div>
        </section>` : ''}
      ${d.steps && d.steps.length > 0 ? html`
        <section class="card" aria-labelledby="steps-title">
          <h2 id="steps-title">${ht('steps')}</h2>
          <ol class="steps">${d.steps.map((e) => html`<li data-action=${e.action}><time datetime=${e.at}>${formatDateTime(e.at)}</time> — ${actionName(e.action)}
            <span class="muted">(${e.user}, ${roleName(e.role)})</span>${e.comment ? html`: “${e.comment}”` : ''}</li>`)}</ol>
        </section>` : ''}
      <section class="card" aria-labelledby="tl-title">
        <h2 id="tl-title">${ht('timeline')}</h2>
        <ol>${d.timeline.map((e) => html`<li><time datetime=${e.at}>${formatDateTime(e.at)}</time> — ${label(TIMELINE_LABELS, e.what, lang)}${e.state ? html` (${stateName(e.state)})` : ''}</li>`)}</ol>
      </section>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'hub-document': HubDocument } }
