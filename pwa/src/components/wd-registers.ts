import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, asApiError, type ApiError, type BookRef, type BookRows } from '../api.js';
import { WdElement } from '../element.js';
import { t } from '../i18n.js';
import { shared } from '../styles.js';
import { tableStyles } from '../doc-table.js';
import { errorBox } from './wd-error.js';

const bookKey = (b: BookRef) => `${b.direction}:${b.year}:${b.register ?? ''}`;

/**
 * The register books (sổ đăng ký văn bản đi / đến) for the văn thư and the
 * leader: pick a book and year, read it as a table, print it (PDF) or take it
 * to a spreadsheet (CSV). The node reads each book off the numbers it gave.
 */
@customElement('wd-registers')
export class WdRegisters extends WdElement {
  static override styles = [shared, tableStyles, css`
    .pick { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; }
    .exports { display: flex; flex-wrap: wrap; gap: .5rem; margin: .75rem 0; }
  `];
  @state() private books: BookRef[] | null = null;
  @state() private chosen: BookRef | null = null;
  @state() private rows: BookRows | null = null;
  @state() private error: ApiError | null = null;

  override connectedCallback(): void { super.connectedCallback(); void this.load(); }

  private async load(): Promise<void> {
    try {
      this.books = (await api.registers()).items;
      const first = this.books[0];
      if (first) await this.open(first);
    } catch (e) { this.error = asApiError(e); }
  }

  private async open(book: BookRef): Promise<void> {
    this.chosen = book;
    this.rows = null;
    try { this.rows = await api.registerBook(book); this.error = null; } catch (e) { this.error = asApiError(e); }
  }

  private bookTitle(b: BookRef): string {
    return b.direction === 'in' ? `${t('book_in')} — ${b.year}` : `${t('book_out')} «${b.register}» — ${b.year}`;
  }

  protected override render() {
    const books = this.books;
    return html`<h1>${t('registers_title')}</h1>${errorBox(this.error)}
      ${books === null ? html`<p>${t('loading')}</p>` : books.length === 0 ? html`<p class="muted" data-empty>${t('books_empty')}</p>` : html`
        <div class="pick"><div><label for="book">${t('book_pick')}</label>
          <select id="book" @change=${(e: Event) => { const b = books.find((x) => bookKey(x) === (e.target as HTMLSelectElement).value); if (b) void this.open(b); }}>
            ${books.map((b) => html`<option value=${bookKey(b)} ?selected=${this.chosen !== null && bookKey(b) === bookKey(this.chosen)}>${this.bookTitle(b)}</option>`)}
          </select></div></div>
        ${this.chosen ? html`<div class="exports">
          <a class="button secondary" data-export="pdf" href=${api.registerBookUrl(this.chosen, 'pdf')} download>${t('book_print')}</a>
          <a class="button secondary" data-export="csv" href=${api.registerBookUrl(this.chosen, 'csv')} download>${t('book_csv')}</a></div>` : nothing}
        ${this.rows ? this.table(this.rows) : nothing}`}`;
  }

  private table(book: BookRows) {
    if (book.rows.length === 0) return html`<p class="muted">${t('books_empty')}</p>`;
    if (book.direction === 'out') {
      return html`<table class="docs" data-book="out"><caption class="sr-only">${this.chosen ? this.bookTitle(this.chosen) : ''}</caption>
        <thead><tr><th scope="col">${t('col_number')}</th><th scope="col">${t('col_date')}</th><th scope="col">${t('book_type_subject')}</th><th scope="col">${t('book_signer')}</th><th scope="col">${t('recipients')}</th></tr></thead>
        <tbody>${book.rows.map((r) => html`<tr>
          <td data-label=${t('col_number')}>${r.numberAndSymbol}</td><td data-label=${t('col_date')}>${r.date}</td>
          <td data-label=${t('book_type_subject')} class="subject"><a href="#/doc/${encodeURIComponent(r.id)}">${r.typeAndSubject}</a></td>
          <td data-label=${t('book_signer')}>${r.signer}</td><td data-label=${t('recipients')}>${r.recipients}</td></tr>`)}</tbody></table>`;
    }
    return html`<table class="docs" data-book="in"><caption class="sr-only">${this.chosen ? this.bookTitle(this.chosen) : ''}</caption>
      <thead><tr><th scope="col">${t('incoming_number')}</th><th scope="col">${t('book_arrival')}</th><th scope="col">${t('sender')}</th><th scope="col">${t('original_symbol')}</th><th scope="col">${t('book_type_subject')}</th><th scope="col">${t('col_handler')}</th></tr></thead>
      <tbody>${book.rows.map((r) => html`<tr>
        <td data-label=${t('incoming_number')}>${String(r.number).padStart(2, '0')}</td><td data-label=${t('book_arrival')}>${r.arrivalDate}</td>
        <td data-label=${t('sender')}>${r.sender}</td><td data-label=${t('original_symbol')}>${r.originalSymbol} · ${r.originalDate}</td>
        <td data-label=${t('book_type_subject')} class="subject"><a href="#/doc/${encodeURIComponent(r.id)}">${r.typeAndSubject}</a></td>
        <td data-label=${t('col_handler')}>${r.handler}</td></tr>`)}</tbody></table>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-registers': WdRegisters } }
