import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, asApiError, type ApiError, type AttachmentRef } from '../api.js';
import { go, WdElement } from '../element.js';
import { vnToday } from '../format.js';
import { both, docTypeName, DOC_TYPE_CODES, localized, t } from '../i18n.js';
import { shared } from '../styles.js';
import { attachmentName, isCancelled } from '../upload.js';
import { transferProgress, transferStyles, UploadController } from './transfer-progress.js';
import { errorBox } from './wd-error.js';

/**
 * The clerk records an incoming document that came on paper (with its scan);
 * it then waits to be registered. The scan is sent first, with its progress
 * and a cancel button; nothing is recorded unless it arrived whole.
 */
@customElement('wd-incoming-new')
export class WdIncomingNew extends WdElement {
  static override styles = [shared, transferStyles];
  @state() private error: ApiError | null = null;
  @state() private message: string | null = null;
  @state() private busy = false;
  private readonly uploads = new UploadController(this);

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    this.busy = true; this.error = null; this.message = null;
    const scan = f.get('scan');
    try {
      const attachments: AttachmentRef[] = [];
      if (scan instanceof File && scan.size > 0) {
        const name = attachmentName(scan.name);
        const meta = await this.uploads.send(scan, name);
        attachments.push({ name, contentType: meta.contentType, size: meta.size, sha256: meta.sha256 });
      }
      const doc = await api.createIncoming({
        senderName: String(f.get('senderName')), originalSymbol: String(f.get('originalSymbol')), originalDate: String(f.get('originalDate')),
        docType: String(f.get('docType')), subject: String(f.get('subject')), medium: 'paper', attachments,
      });
      // Arrive and vào sổ in one step, as the clerk does at the desk; if the register step is refused the arrival stands and the document page offers it.
      if (f.get('registerNow') === 'on') await api.act(doc.id, 'register').catch(() => null);
      go(`/doc/${doc.id}`);
    } catch (err) {
      if (isCancelled(err) && scan instanceof File) this.message = localized(both('upload_cancelled', { name: attachmentName(scan.name) }));
      else this.error = asApiError(err);
    } finally { this.busy = false; }
  }

  protected override render() {
    return html`<h1>${t('incoming_new')}</h1>${this.message ? html`<p class="info" role="status">${this.message}</p>` : nothing}${errorBox(this.error)}
      <form @submit=${this.submit}>
        <label for="sender">${t('sender')}</label><input id="sender" name="senderName" required>
        <div class="row">
          <div><label for="osym">${t('original_symbol')}</label><input id="osym" name="originalSymbol" required></div>
          <div><label for="odate">${t('original_date')}</label><input id="odate" name="originalDate" type="date" required .value=${vnToday()}></div>
          <div><label for="dtype">${t('doc_type')}</label><select id="dtype" name="docType">${DOC_TYPE_CODES.map((c) => html`<option value=${c} ?selected=${c === 'CV'}>${docTypeName(c)}</option>`)}</select></div>
        </div>
        <label for="subj">${t('subject')}</label><input id="subj" name="subject" required>
        <label for="scan">${t('scan')}</label><input id="scan" name="scan" type="file" accept="application/pdf,image/png,image/jpeg">
        <label class="check"><input type="checkbox" name="registerNow" checked> ${t('register_now')}</label>
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${t('save')}</button></div>
        ${this.uploads.current ? html`<p data-uploading>${transferProgress(this.uploads.current)}</p>` : this.busy ? html`<p role="status">${t('uploading')}</p>` : nothing}
      </form>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-incoming-new': WdIncomingNew } }
