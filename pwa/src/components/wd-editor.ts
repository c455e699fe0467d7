import { css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, ApiError, asApiError, type DraftContent, type User } from '../api.js';
import type { DocDetail as LocalDetail } from '../data/index.js';
import { localDraft, newDraftKey, removeLocal, saveLocal } from '../drafts.js';
import { go, WdElement } from '../element.js';
import { both, docTypeName, DOC_TYPE_CODES, localized, t } from '../i18n.js';
import { shared } from '../styles.js';
import { store, storeOpened } from '../store.js';
import { templateFor } from '../templates.js';
import { attachmentName, isCancelled } from '../upload.js';
import { transferProgress, transferStyles, UploadController } from './transfer-progress.js';
import { errorBox } from './wd-error.js';

const AUTHORITIES = ['', 'TM.', 'Q.', 'KT.', 'TL.', 'TUQ.'];
const ACCEPT = ['application/pdf', 'image/png', 'image/jpeg'] as const;

function fromTemplate(docType: string): DraftContent {
  const tpl = templateFor(docType);
  return { docType, subject: tpl.subject, body: tpl.body, signerAuthority: tpl.signerAuthority, signerTitle: '', signerName: '', recipients: tpl.recipients.map((name) => ({ name })), attachments: [] };
}

/** What the editor edits, from a document's content (the node's or the device's copy). */
function editable(c: Partial<DraftContent>): DraftContent {
  return { ...fromTemplate(String(c.docType ?? 'QĐ')), recipients: [], attachments: [], unitCode: undefined, ...c } as DraftContent;
}

/** The device's copy of a document once the store has read its replica (null: not on this device, or no store). */
async function deviceCopy(id: string): Promise<LocalDetail | null> {
  const data = await storeOpened();
  await data?.ready();
  return data?.get(id) ?? null;
}

/**
 * The draft editor: a template per document type, recipients, attachments.
 * Every keystroke is written to the device at once (drafts.ts), so an update,
 * a reload or a dead node loses nothing. Save and Submit go to the node; with
 * the node away (or changes to this document still waiting on the device)
 * they are queued in the data layer's outbox, which sends them in order when
 * the node answers and shows a refusal under the conflicts of "my tasks".
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
  private readonly uploads = new UploadController(this);
  private key = '';
  private touched = false;
  private readonly persist = () => this.autosave();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('wd-before-update', this.persist);
    window.addEventListener('pagehide', this.persist);
  }
  override disconnectedCallback(): void {
    window.removeEventListener('wd-before-update', this.persist);
    window.removeEventListener('pagehide', this.persist);
    super.disconnectedCallback();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('draftKey') && this.user) void this.load();
  }

  private async load(): Promise<void> {
    if (this.draftKey && this.draftKey === this.key) return; // our own key, set after the first autosave or save
    this.message = null; this.error = null; this.touched = false;
    const key = this.draftKey;
    const saved = key ? localDraft(this.user.username, key) : undefined;
    if (saved) {
      this.key = saved.key; this.docId = saved.docId; this.baseRev = saved.baseRev; this.content = saved.content;
      this.message = t('draft_restored');
      return;
    }
    if (!key) { this.fresh(newDraftKey()); return; }
    // A draft saved on this device (local:…, not yet accepted by the node) is only there; one with changes still queued here is newer there than on the node.
    const local = key.startsWith('local:') ? await deviceCopy(key) : store()?.get(key) ?? null;
    if (local && (key.startsWith('local:') || local.pendingCommands > 0)) { this.fromDevice(key, local); return; }
    if (key.startsWith('local:')) { this.fresh(key); return; }
    try {
      const doc = await api.get(key);
      this.key = doc.id; this.docId = doc.id; this.baseRev = doc.rev;
      this.content = editable(doc.content as Partial<DraftContent>);
    } catch (e) {
      const err = asApiError(e);
      // The node is away: the device's copy is edited (its revision goes with the edit, so the node can tell a stale one).
      const copy = err.code === 'network_unreachable' ? local ?? await deviceCopy(key) : null;
      if (copy) this.fromDevice(key, copy); else this.error = err;
    }
  }

  private fresh(key: string): void {
    this.key = key; this.docId = undefined; this.baseRev = undefined;
    this.content = fromTemplate('QĐ');
  }

  /** Edits the device's copy; with changes of its own still queued the next edit is based on theirs (no revision of ours). */
  private fromDevice(key: string, doc: LocalDetail): void {
    this.key = key; this.docId = doc.id;
    this.baseRev = doc.pendingCommands > 0 || !doc.rev ? undefined : doc.rev;
    this.content = editable(doc.content as Partial<DraftContent>);
  }

  private autosave(): void {
    if (!this.content || !this.touched) return;
    saveLocal(this.user.username, { key: this.key, ...(this.docId ? { docId: this.docId } : {}), ...(this.baseRev ? { baseRev: this.baseRev } : {}), content: this.content, savedAt: Date.now() });
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
      try {
        const meta = await this.uploads.send(file, name);
        this.patch({ attachments: [...(this.content?.attachments ?? []), { name, contentType: meta.contentType, size: meta.size, sha256: meta.sha256 }] });
      } catch (e) {
        if (isCancelled(e)) this.message = localized(both('upload_cancelled', { name }));
        else this.error = asApiError(e);
      } finally { this.busy = false; }
    }
  }

  /**
   * Saves to the node (create or edit), then submits when asked. With the
   * node away, or changes to this document still on the device (queued or
   * refused: a direct save would overtake them), the same goes into the
   * outbox instead; a step already taken by the node is not queued again.
   */
  private async save(submit: boolean): Promise<void> {
    if (!this.content) return;
    const content = this.cleaned(this.content);
    this.busy = true; this.error = null; this.message = null;
    let saved = false;
    try {
      const mine = this.docId ? store()?.get(this.docId) ?? null : null;
      // A draft the outbox has sent since: its local: id now leads to the node's document.
      if (mine) this.docId = mine.id;
      const waiting = this.docId?.startsWith('local:') || (mine && (mine.pendingCommands > 0 || mine.conflicts > 0));
      const baseRev = this.baseRev ?? mine?.rev ?? undefined;
      if (!waiting && (!this.docId || baseRev)) {
        try {
          const doc = this.docId && baseRev ? await api.edit(this.docId, baseRev, content) : await api.createOutgoing(content);
          saved = true;
          removeLocal(this.user.username, this.key);
          this.docId = doc.id; this.baseRev = doc.rev; this.key = doc.id; this.touched = false;
          if (submit) { await api.act(doc.id, 'submit'); go(`/doc/${doc.id}`); return; }
          this.message = t('saved');
          if (this.draftKey !== doc.id) { this.draftKey = doc.id; go(`/edit/${doc.id}`); }
          return;
        } catch (e) {
          if (asApiError(e).code !== 'network_unreachable') throw e;
        }
      }
      await this.queue(saved ? null : content, submit);
    } catch (e) { this.error = asApiError(e); } finally { this.busy = false; }
  }

  /**
   * Queues the save (create, or an edit based on the revision this editor
   * showed) and the submit in the outbox; the text typed here is then the
   * outbox's to keep, and the draft's address becomes its id there.
   */
  private async queue(content: DraftContent | null, submit: boolean): Promise<void> {
    const data = store();
    // No local store (a browser without IndexedDB): nothing can wait on the device but the text typed (drafts.ts).
    if (!data) throw ApiError.of('network_unreachable');
    const docId = await data.queueDraft({ ...(this.docId ? { docId: this.docId } : {}), ...(this.baseRev ? { baseRev: this.baseRev } : {}), content, submit });
    if (!docId) return;
    // Once queued, the next save follows this one in the outbox (based on what it produces), not on the revision shown.
    this.docId = docId; this.baseRev = undefined; this.touched = false;
    removeLocal(this.user.username, this.key);
    this.key = docId;
    // Sent now if the node answers (the changes it waited behind may have gone meanwhile); if not, at the next sync.
    void data.sync();
    // Submitted on the device: nothing is left to edit here, so the document is shown, as after an online submit.
    if (submit) { go(`/doc/${encodeURIComponent(docId)}`); return; }
    this.message = t('saved_local');
    if (this.draftKey !== docId) this.adoptKey();
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
          <ul class="files">${c.attachments.map((a, i) => html`<li><a href=${api.blobUrl(a.sha256, a.name)} download=${a.name}>${a.name}</a> <span class="muted">(${Math.ceil(a.size / 1024)} KB)</span>
            <button type="button" class="secondary" aria-label="${t('remove')} ${a.name}" @click=${() => this.patch({ attachments: c.attachments.filter((_, j) => j !== i) })}>✕</button></li>`)}
            ${this.uploads.current ? html`<li data-uploading>${transferProgress(this.uploads.current)}</li>` : nothing}</ul>
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
