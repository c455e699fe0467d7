import { css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, asApiError, type ApiError, type DraftContent, type User } from '../api.js';
import { localDraft, newDraftKey, removeLocal, saveLocal } from '../drafts.js';
import { go, WdElement } from '../element.js';
import { both, docTypeName, DOC_TYPE_CODES, localized, t } from '../i18n.js';
import { shared } from '../styles.js';
import { templateFor } from '../templates.js';
import { attachmentName, isCancelled, TRANSFER_EVENT, upload, type Transfer } from '../upload.js';
import { transferProgress, transferStyles } from './transfer-progress.js';
import { errorBox } from './wd-error.js';

const AUTHORITIES = ['', 'TM.', 'Q.', 'KT.', 'TL.', 'TUQ.'];
const ACCEPT = ['application/pdf', 'image/png', 'image/jpeg'] as const;

function fromTemplate(docType: string): DraftContent {
  const tpl = templateFor(docType);
  return { docType, subject: tpl.subject, body: tpl.body, signerAuthority: tpl.signerAuthority, signerTitle: '', signerName: '', recipients: tpl.recipients.map((name) => ({ name })), attachments: [] };
}

/**
 * The draft editor: a template per document type, recipients, attachments.
 * Every change is written to the device at once (drafts.ts), so an update,
 * a reload or a dead node loses nothing; with the node away, Save and Submit
 * queue the draft on the device and the sync bar sends it later.
 */
@customElement('wd-editor')
export class WdEditor extends WdElement {
  static override styles = [shared, transferStyles, css`
    .recipient { display: flex; gap: .5rem; margin: .3rem 0; } .recipient input { flex: 1; }
    ul.files { padding-left: 1.2rem; } .files li { margin: .3rem 0; }
    .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0 .75rem; }
  `];
  @property() draftKey = '';
  @property({ attribute: false }) user!: User;
  @state() private content: DraftContent | null = null;
  @state() private docId: string | undefined;
  @state() private baseRev: string | undefined;
  @state() private message: string | null = null;
  @state() private error: ApiError | null = null;
  @state() private busy = false;
  /** The attachment being sent, shown as a row of the file list with its progress. */
  @state() private sending: Transfer | null = null;
  private readonly onTransfer = () => { if (this.sending) this.requestUpdate(); };
  private key = '';
  private touched = false;
  private readonly persist = () => this.autosave();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('wd-before-update', this.persist);
    window.addEventListener('pagehide', this.persist);
    window.addEventListener(TRANSFER_EVENT, this.onTransfer);
  }
  override disconnectedCallback(): void {
    window.removeEventListener('wd-before-update', this.persist);
    window.removeEventListener('pagehide', this.persist);
    window.removeEventListener(TRANSFER_EVENT, this.onTransfer);
    super.disconnectedCallback();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('draftKey') && this.user) void this.load();
  }

  private async load(): Promise<void> {
    if (this.draftKey && this.draftKey === this.key) return; // our own key, set after the first autosave or save
    this.message = null; this.error = null; this.touched = false;
    const saved = this.draftKey ? localDraft(this.user.username, this.draftKey) : undefined;
    if (saved) {
      this.key = saved.key; this.docId = saved.docId; this.baseRev = saved.baseRev; this.content = saved.content;
      this.message = t('draft_restored');
      return;
    }
    if (!this.draftKey || this.draftKey.startsWith('local:')) {
      this.key = this.draftKey || newDraftKey(); this.docId = undefined; this.baseRev = undefined;
      this.content = fromTemplate('QĐ');
      return;
    }
    try {
      const doc = await api.get(this.draftKey);
      this.key = doc.id; this.docId = doc.id; this.baseRev = doc.rev;
      const c = doc.content as Partial<DraftContent>;
      this.content = { ...fromTemplate(String(c.docType ?? 'QĐ')), recipients: [], attachments: [], unitCode: undefined, ...c } as DraftContent;
    } catch (e) { this.error = asApiError(e); }
  }

  private autosave(): void {
    if (!this.content || !this.touched) return;
    const prev = localDraft(this.user.username, this.key);
    saveLocal(this.user.username, { key: this.key, ...(this.docId ? { docId: this.docId } : {}), ...(this.baseRev ? { baseRev: this.baseRev } : {}), content: this.content, savedAt: Date.now(), pending: prev?.pending ?? false, submit: prev?.submit ?? false });
    if (!this.draftKey) this.adoptKey();
  }

  /** A new draft's address becomes #/edit/<its key>, so a reload or an update reopens it. */
  private adoptKey(): void {
    this.draftKey = this.key;
    history.replaceState(null, '', `#/edit/${encodeURIComponent(this.key)}`);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }

  private patch(p: Partial<DraftContent>): void {
    if (!this.content) return;
    this.content = { ...this.content, ...p };
    this.touched = true;
    this.autosave();
  }

  private onDocType(docType: string): void {
    // A new draft nobody typed in yet takes the new type's template; otherwise the author asks for it.
    if (!this.docId && !this.touched) { this.content = fromTemplate(docType); return; }
    this.patch({ docType });
  }

  private applyTemplate(): void {
    if (!this.content) return;
    const tpl = fromTemplate(this.content.docType);
    this.patch({ subject: tpl.subject, body: tpl.body, signerAuthority: tpl.signerAuthority, recipients: tpl.recipients });
    this.message = t('template_applied');
  }

  /**
   * Sends the chosen files one after another, each with its progress and a
   * cancel button; a file is attached only once the node stored it. A refusal
   * (too large, connection lost) or a cancel leaves the draft as it was.
   */
  private async attach(input: HTMLInputElement): Promise<void> {
    const files = [...(input.files ?? [])];
    input.value = '';
    this.error = null; this.message = null;
    for (const file of files) {
      const name = attachmentName(file.name);
      this.busy = true;
      this.sending = upload(file, name);
      try {
        const meta = await this.sending.done;
        this.patch({ attachments: [...(this.content?.attachments ?? []), { name, contentType: meta.contentType, size: meta.size, sha256: meta.sha256 }] });
      } catch (e) {
        if (isCancelled(e)) this.message = localized(both('upload_cancelled', { name }));
        else this.error = asApiError(e);
      } finally { this.busy = false; this.sending = null; }
    }
  }

  /** Saves to the node (create or edit), then submits when asked; queues on the device when the node is away. */
  private async save(submit: boolean): Promise<void> {
    if (!this.content) return;
    const content = this.cleaned(this.content);
    this.busy = true; this.error = null; this.message = null;
    try {
      const doc = this.docId && this.baseRev ? await api.edit(this.docId, this.baseRev, content) : await api.createOutgoing(content);
      removeLocal(this.user.username, this.key);
      this.docId = doc.id; this.baseRev = doc.rev; this.key = doc.id; this.touched = false;
      if (submit) { await api.act(doc.id, 'submit'); go(`/doc/${doc.id}`); return; }
      this.message = t('saved');
      if (this.draftKey !== doc.id) { this.draftKey = doc.id; go(`/edit/${doc.id}`); }
    } catch (e) {
      const err = asApiError(e);
      if (err.code === 'network_unreachable') {
        saveLocal(this.user.username, { key: this.key, ...(this.docId ? { docId: this.docId } : {}), ...(this.baseRev ? { baseRev: this.baseRev } : {}), content, savedAt: Date.now(), pending: true, submit });
        this.message = t('saved_local');
      } else this.error = err;
    } finally { this.busy = false; }
  }

  private cleaned(c: DraftContent): DraftContent {
    const { unitCode, ...rest } = c;
    return { ...rest, recipients: c.recipients.filter((r) => r.name.trim()), ...(unitCode && c.docType === 'CV' ? { unitCode } : {}) };
  }

  protected override render() {
    const c = this.content;
    if (!c) return html`<h1>${this.draftKey && !this.draftKey.startsWith('local:') ? t('editor_edit') : t('editor_new')}</h1>${errorBox(this.error)}${this.error ? nothing : html`<p>${t('loading')}</p>`}`;
    const input = (k: keyof DraftContent) => (e: Event) => this.patch({ [k]: (e.target as HTMLInputElement).value } as Partial<DraftContent>);
    return html`<h1>${this.docId ? t('editor_edit') : t('editor_new')}</h1>
      ${this.message ? html`<p class="info" role="status">${this.message}</p>` : nothing}
      ${errorBox(this.error)}
      <form @submit=${(e: Event) => { e.preventDefault(); void this.save(false); }}>
        <div class="row">
          <div><label for="docType">${t('doc_type')}</label>
            <select id="docType" @change=${(e: Event) => this.onDocType((e.target as HTMLSelectElement).value)}>
              ${DOC_TYPE_CODES.map((code) => html`<option value=${code} ?selected=${code === c.docType}>${docTypeName(code)}</option>`)}
            </select></div>
          <div style="flex:0 0 auto"><button type="button" class="secondary" @click=${this.applyTemplate}>${t('apply_template')}</button></div>
        </div>
        ${c.docType === 'CV' ? html`<label for="unit">${t('unit_code')}</label><input id="unit" .value=${c.unitCode ?? ''} @input=${input('unitCode')} pattern="[A-ZĐ0-9]{1,10}">` : nothing}
        <label for="subject">${t('subject')}</label>
        <input id="subject" required maxlength="1000" .value=${c.subject} @input=${input('subject')}>
        <label for="body">${t('body')}</label>
        <textarea id="body" .value=${c.body} @input=${input('body')}></textarea>
        <div class="grid">
          <div><label for="auth">${t('signer_authority')}</label>
            <select id="auth" @change=${input('signerAuthority')}>${AUTHORITIES.map((a) => html`<option value=${a} ?selected=${a === c.signerAuthority}>${a || '—'}</option>`)}</select></div>
          <div><label for="stitle">${t('signer_title')}</label><input id="stitle" .value=${c.signerTitle} @input=${input('signerTitle')}></div>
          <div><label for="sname">${t('signer_name')}</label><input id="sname" .value=${c.signerName} @input=${input('signerName')}></div>
        </div>
        <fieldset class="card"><legend>${t('recipients')}</legend>
          ${c.recipients.map((r, i) => html`<div class="recipient">
            <input aria-label="${t('recipient_name')} ${i + 1}" .value=${r.name} @input=${(e: Event) => this.patch({ recipients: c.recipients.map((x, j) => (j === i ? { ...x, name: (e.target as HTMLInputElement).value } : x)) })}>
            <button type="button" class="secondary" aria-label="${t('remove')} ${r.name}" @click=${() => this.patch({ recipients: c.recipients.filter((_, j) => j !== i) })}>✕</button></div>`)}
          <button type="button" class="secondary" @click=${() => this.patch({ recipients: [...c.recipients, { name: '' }] })}>${t('add_recipient')}</button>
        </fieldset>
        <fieldset class="card"><legend>${t('attachments')}</legend>
          <ul class="files">${c.attachments.map((a, i) => html`<li><a href=${api.blobUrl(a.sha256)} download=${a.name}>${a.name}</a> <span class="muted">(${Math.ceil(a.size / 1024)} KB)</span>
            <button type="button" class="secondary" aria-label="${t('remove')} ${a.name}" @click=${() => this.patch({ attachments: c.attachments.filter((_, j) => j !== i) })}>✕</button></li>`)}
            ${this.sending ? html`<li data-uploading>${transferProgress(this.sending)}</li>` : nothing}</ul>
          <label for="file">${t('add_attachment')}</label>
          <input id="file" type="file" accept=${ACCEPT.join(',')} multiple ?disabled=${this.busy} @change=${(e: Event) => void this.attach(e.target as HTMLInputElement)}>
        </fieldset>
        <div class="actions">
          <button type="submit" ?disabled=${this.busy}>${t('save')}</button>
          <button type="button" ?disabled=${this.busy} @click=${() => void this.save(true)}>${t('save_submit')}</button>
        </div>
      </form>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-editor': WdEditor } }
