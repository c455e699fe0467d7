import { css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, asApiError, type ApiError, type DocDetail, type Handler, type Reason, type User, type Verification } from '../api.js';
import { go, WdElement } from '../element.js';
import { formatDate, formatDateTime, isOverdue, vnToday } from '../format.js';
import { actionName, both, docTypeName, localized, stateName, t } from '../i18n.js';
import { shared } from '../styles.js';
import { asDetail, readyStore, store } from '../store.js';
import { attachmentName, isCancelled } from '../upload.js';
import { transferProgress, transferStyles, UploadController } from './transfer-progress.js';
import { errorBox } from './wd-error.js';
import { probeSigner, signWithToken } from '../token-signer.js';

const NEEDS_COMMENT = new Set(['return', 'refuse']);
const PRIMARY = ['submit', 'approve', 'sign', 'sign-paper', 'number', 'issue', 'send', 'register', 'assign', 'start', 'done'];

/** The newest file the workflow produced (the signed/issued PDF, or the paper scan); for an incoming document, the PDF it came with. */
function latestPdf(doc: DocDetail): string | null {
  for (const e of [...doc.events].reverse()) {
    const d = e.data ?? {};
    if (typeof d['pdf'] === 'string') return d['pdf'];
    if (typeof d['scan'] === 'string') return d['scan'];
  }
  if (doc.direction !== 'incoming') return null;
  const files = Array.isArray(doc.content['attachments']) ? (doc.content['attachments'] as { contentType?: string; sha256?: string }[]) : [];
  return files.find((a) => a.contentType === 'application/pdf' && typeof a.sha256 === 'string')?.sha256 ?? null;
}

/**
 * A document: its content, the PDF when one exists (preview + verification),
 * the event timeline, and the steps this user may take now — approve or
 * return with a comment, sign with a PIN, record a paper signature, number
 * and issue (seal PIN, or the scan on paper), register and assign.
 */
@customElement('wd-detail')
export class WdDetail extends WdElement {
  static override styles = [shared, transferStyles, css`
    dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
    dt { font-weight: 600; color: #444; } dd { margin: 0; }
    .body { white-space: pre-wrap; }
    .overdue { color: #b71c1c; }
    iframe { width: 100%; height: 70vh; border: 1px solid #ccc; background: #fff; }
    ol.timeline { list-style: none; padding: 0; border-left: 3px solid #e0c4c4; margin-left: .5rem; }
    ol.timeline li { padding: .25rem 0 .5rem .9rem; position: relative; }
    ol.timeline li::before { content: ''; position: absolute; left: -.45rem; top: .65rem; width: .6rem; height: .6rem; border-radius: 50%; background: #b71c1c; }
    .verdict-valid { border-left: 4px solid #2e7d32; } .verdict-invalid { border-left: 4px solid #c62828; } .verdict-unknown { border-left: 4px solid #f9a825; }
    .step-inputs { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0 .75rem; }
    @media (max-width: 479px) { dl { grid-template-columns: 1fr; } dt { margin-top: .4rem; } iframe { height: 60vh; } }
  `];
  @property() docId = '';
  @property({ attribute: false }) user!: User;
  @state() private doc: DocDetail | null = null;
  /** Shown from the device's working set (the node did not answer). */
  /** Shown from the device: the node did not answer, or a draft saved here the node has not received yet. */
  @state() private deviceNote: 'node_away' | 'waiting' | null = null;
  @state() private error: ApiError | null = null;
  @state() private stepError: ApiError | null = null;
  @state() private message: string | null = null;
  @state() private busy = false;
  @state() private pdfUrl: string | null = null;
  /** The frame shows the unsigned draft rendered by the node, not a signed file. */
  @state() private draftPreview = false;
  @state() private verification: Verification | null = null;
  /** The certificates of the token a `warddesk signer` on this PC offers: signing then goes through it. */
  @state() private tokenCerts: string[] | null = null;
  @state() private pending: string | null = null; // a step waiting for its input (comment, PIN, handler, scan)
  /** Who the leader can assign to; null until asked (or when the node is away: a username is typed then). */
  @state() private handlers: Handler[] | null = null;
  /** The paper scan going up before the issue step, with its progress and cancel button. */
  private readonly uploads = new UploadController(this);

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('docId')) void this.load();
  }
  override disconnectedCallback(): void {
    if (this.pdfUrl) URL.revokeObjectURL(this.pdfUrl);
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    // The device's copy first (shown at once, and all there is with the node away), then the node's.
    // A draft saved here before the first pull is in the store all the same (readyStore waits for a pull).
    const local = (this.docId.startsWith('local:') ? store() : readyStore())?.get(this.docId);
    // A draft saved on this device and not yet taken by the node: there is nothing to ask it (once taken, its local: id leads to the node's).
    if (local?.id.startsWith('local:')) { this.doc = asDetail(local); this.deviceNote = 'waiting'; return; }
    if (local) { this.doc = asDetail(local); this.deviceNote = 'node_away'; }
    try {
      this.doc = await api.get(local?.id ?? this.docId);
      this.deviceNote = null;
      // Ready before the leader presses "Phân công": the picker, not a typed username.
      if (this.doc.nextActions.includes('assign')) void this.loadHandlers();
      this.error = null;
      if (this.doc?.nextActions.includes('sign')) void probeSigner().then((c) => { this.tokenCerts = c; });
      await this.loadPdf();
    } catch (e) {
      const err = asApiError(e);
      // Node away but the document is on the device: show it, with a note instead of an error.
      this.error = local && err.code === 'network_unreachable' ? null : err;
    }
  }

  private async loadPdf(): Promise<void> {
    const sha = this.doc ? latestPdf(this.doc) : null;
    if (this.pdfUrl) { URL.revokeObjectURL(this.pdfUrl); this.pdfUrl = null; }
    this.verification = null;
    this.draftPreview = !sha && this.doc?.direction === 'outgoing';
    if (!sha && !this.draftPreview) return;
    // The node sends files as downloads; a blob: URL lets the frame show the PDF inline.
    // Before signing, the draft as it will print (number and date blank), so the leader reads the page, not only the text.
    const res = await fetch(sha ? api.blobUrl(sha) : api.previewUrl(this.docId), { credentials: 'same-origin' }).catch(() => null);
    if (res?.ok) this.pdfUrl = URL.createObjectURL(new Blob([await res.arrayBuffer()], { type: 'application/pdf' }));
    if (this.doc?.events.some((e) => typeof e.data?.['pdf'] === 'string')) this.verification = await api.verification(this.docId).catch(() => null);
  }

  private async signWithToken(): Promise<void> {
    if (!this.tokenCerts) return;
    this.busy = true; this.stepError = null; this.message = t('token_hint');
    try {
      this.doc = await signWithToken(this.docId, this.tokenCerts);
      this.pending = null;
      this.message = t('done_ok');
      await this.loadPdf();
    } catch (e) { this.message = null; this.stepError = asApiError(e); } finally { this.busy = false; }
  }

  private async step(action: string, form: HTMLFormElement | null): Promise<void> {
    if (action === 'sign' && this.tokenCerts) { await this.signWithToken(); return; }
    const f = form ? new FormData(form) : new FormData();
    const comment = String(f.get('comment') ?? '').trim();
    if (NEEDS_COMMENT.has(action) && !comment) { this.pending = action; this.message = t('comment_required'); return; }
    const data: Record<string, unknown> = {};
    if (action === 'sign' || (action === 'issue' && this.doc?.medium !== 'paper')) {
      const pin = String(f.get('pin') ?? '');
      if (!pin) { this.pending = action; return; }
      data['pin'] = pin;
    }
    if (action === 'assign') {
      const handler = String(f.get('handler') ?? '').trim();
      if (!handler) { this.pending = action; void this.loadHandlers(); return; }
      data['handler'] = handler;
      const deadline = String(f.get('deadline') ?? '');
      if (deadline) data['deadline'] = deadline;
    }
    const scan = f.get('scan');
    const needsScan = action === 'issue' && this.doc?.medium === 'paper';
    if (needsScan && (!(scan instanceof File) || scan.size === 0)) { this.pending = action; return; }
    this.busy = true; this.stepError = null; this.message = null;
    try {
      if (needsScan && scan instanceof File) {
        data['scan'] = (await this.uploads.send(scan, attachmentName(scan.name))).sha256;
      }
      this.doc = await api.act(this.docId, action, comment || undefined, Object.keys(data).length ? data : undefined);
      this.pending = null;
      this.message = t('done_ok');
      form?.reset();
      await this.loadPdf();
    } catch (e) {
      // A cancelled scan is the official's choice, not an error: nothing was issued.
      if (isCancelled(e) && scan instanceof File) this.message = localized(both('upload_cancelled', { name: attachmentName(scan.name) }));
      else this.stepError = asApiError(e);
    } finally { this.busy = false; }
  }

  private async loadHandlers(): Promise<void> {
    if (this.handlers) return;
    this.handlers = await api.handlers().then((r) => r.items, () => null);
  }

  private handlerInput() {
    const hs = this.handlers;
    const field = hs
      ? html`<select id="handler" name="handler" required><option value="">${t('handler_pick')}</option>
          ${hs.map((h) => html`<option value=${h.username}>${h.fullName}${h.title ? ` — ${h.title}` : ''} (${h.username})</option>`)}</select>`
      : html`<input id="handler" name="handler" autocapitalize="none" required>`;
    return html`<div><label for="handler">${t('handler')}</label>${field}</div>
      <div><label for="deadline">${t('deadline')}</label><input id="deadline" name="deadline" type="date" min=${vnToday()}></div>`;
  }

  private stepForm(d: DocDetail) {
    const steps = d.nextActions.filter((a) => a !== 'edit');
    if (!steps.length && !d.nextActions.includes('edit')) return nothing;
    const p = this.pending;
    const needsPin = (p === 'sign' && !this.tokenCerts) || (p === 'issue' && d.medium !== 'paper');
    return html`<section class="card" aria-labelledby="steps-h">
      <h2 id="steps-h">${t('actions')}</h2>
      ${this.message ? html`<p class="info" role="status">${this.message}</p>` : nothing}
      ${errorBox(this.stepError)}
      <form @submit=${(e: SubmitEvent) => { e.preventDefault(); const b = e.submitter as HTMLButtonElement | null; if (b?.value) void this.step(b.value, e.target as HTMLFormElement); }}>
        <label for="comment">${t('comment')}</label>
        <textarea id="comment" name="comment" style="min-height:5rem"></textarea>
        <div class="step-inputs">
          ${needsPin ? html`<div><label for="pin">${p === 'issue' ? t('seal_pin') : t('pin')}</label>
            <input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="off" required minlength="6"></div>` : nothing}
          ${p === 'assign' ? this.handlerInput() : nothing}
          ${p === 'issue' && d.medium === 'paper' ? html`<div><label for="scan">${t('scan_pdf')}</label><input id="scan" name="scan" type="file" accept="application/pdf" required></div>` : nothing}
        </div>
        <div class="actions">
          ${d.nextActions.includes('edit') ? html`<button type="button" class="secondary" @click=${() => go(`/edit/${d.id}`)}>${t('edit')}</button>` : nothing}
          ${[...steps].sort((a, b) => PRIMARY.indexOf(b) - PRIMARY.indexOf(a)).reverse().map((a) => html`<button type="submit" name="step" value=${a} data-step=${a} class=${NEEDS_COMMENT.has(a) ? 'secondary' : ''} ?disabled=${this.busy}>${a === 'sign' && this.tokenCerts ? t('sign_with_token') : actionName(a)}</button>`)}
        </div>
        ${this.uploads.current ? html`<p data-uploading>${transferProgress(this.uploads.current)}</p>` : nothing}
      </form>
    </section>`;
  }

  private verdict(v: Verification) {
    const name = (status: string) => t(status === 'valid' ? 'verdict_valid' : status === 'invalid' ? 'verdict_invalid' : 'verdict_unknown');
    const reasons = (rs: Reason[]) => (rs.length ? html`<ul>${rs.map((r) => html`<li>${localized(r)}</li>`)}</ul>` : nothing);
    return html`<h2>${t('verification')}</h2>
      <div class="card verdict-${v.verdict.status}" data-verdict=${v.verdict.status}>
        <p><strong>${name(v.verdict.status)}</strong></p>${reasons(v.verdict.reasons)}
        <ul>${v.verdict.signatures.map((s) => html`<li data-signature=${s.role ?? ''}>
          ${s.role === 'agency' ? t('sig_agency') : t('sig_leader')}: <strong>${s.signerName ?? ''}</strong> — ${name(s.status)}
          ${s.signingTime ? html`<span class="muted">(${t('signed_at')} ${formatDateTime(s.signingTime)})</span>` : nothing}${reasons(s.reasons)}</li>`)}</ul>
      </div>`;
  }

  /** A returned draft opens with the leader's reason, where the specialist looks first. */
  private returnNote(d: DocDetail) {
    if (d.state !== 'returned') return nothing;
    const last = [...d.events].reverse().find((e) => e.action === 'return');
    if (!last?.comment) return nothing;
    return html`<div class="card verdict-unknown" role="note" data-return-comment><strong>${t('returned_with')}</strong> (${last.actor.user}, ${formatDateTime(last.at)}):
      <p>“${last.comment}”</p></div>`;
  }

  protected override render() {
    if (this.error) return html`<h1>${t('detail')}</h1>${errorBox(this.error)}`;
    const d = this.doc;
    if (!d) return html`<p>${t('loading')}</p>`;
    const c = d.content;
    const recipients = Array.isArray(c['recipients']) ? (c['recipients'] as { name: string }[]) : [];
    const attachments = Array.isArray(c['attachments']) ? (c['attachments'] as { name: string; sha256: string }[]) : [];
    return html`
      <p><a href="#/${d.direction}" class="muted">← ${d.direction === 'outgoing' ? t('nav_outgoing') : t('nav_incoming')}</a></p>
      <h1>${d.subject}</h1>
      ${this.returnNote(d)}
      ${this.deviceNote ? html`<p class="info" role="status" data-offline-copy data-device-note=${this.deviceNote}>${t(this.deviceNote === 'waiting' ? 'device_waiting' : 'offline_copy')}</p>` : nothing}
      <dl>
        <dt>${t('col_state')}</dt><dd><span class="badge" data-state=${d.state ?? ''}>${stateName(d.state)}</span>${d.exchangeStatus ? html` <span class="muted">(${t('exchange_status')} ${d.exchangeStatus})</span>` : nothing}</dd>
        <dt>${t('doc_type')}</dt><dd>${docTypeName(d.docType)}</dd>
        ${d.numberAndSymbol ? html`<dt>${d.direction === 'incoming' ? t('incoming_number') : t('col_number')}</dt><dd data-number>${d.numberAndSymbol}</dd>` : nothing}
        ${d.date ? html`<dt>${t('col_date')}</dt><dd>${formatDate(d.date)}</dd>` : nothing}
        ${d.medium ? html`<dt>${t('medium')}</dt><dd>${d.medium === 'paper' ? t('medium_paper') : t('medium_electronic')}</dd>` : nothing}
        ${typeof c['senderName'] === 'string' ? html`<dt>${t('sender')}</dt><dd>${c['senderName']}</dd><dt>${t('original_symbol')}</dt><dd>${String(c['originalSymbol'] ?? '')} · ${formatDate(String(c['originalDate'] ?? ''))}</dd>` : nothing}
        ${d.handler ? html`<dt>${t('col_handler')}</dt><dd>${d.handler}</dd>` : nothing}
        ${d.deadline ? html`<dt>${t('deadline')}</dt><dd data-deadline class=${isOverdue(d) ? 'overdue' : ''}>${formatDate(d.deadline)}${isOverdue(d) ? html` — <strong>${t('deadline_overdue')}</strong>` : nothing}</dd>` : nothing}
        <dt>${t('created_by')}</dt><dd>${d.createdBy} · ${formatDateTime(d.createdAt)}</dd>
      </dl>
      ${this.stepForm(d)}
      ${typeof c['body'] === 'string' && c['body'] ? html`<h2>${t('body')}</h2><div class="card body">${c['body']}</div>` : nothing}
      ${recipients.length ? html`<h2>${t('recipients')}</h2><ul>${recipients.map((r) => html`<li>${r.name}</li>`)}</ul>` : nothing}
      ${attachments.length ? html`<h2>${t('attachments')}</h2><ul>${attachments.map((a) => html`<li><a href=${api.blobUrl(a.sha256, a.name)} download=${a.name}>${a.name}</a></li>`)}</ul>` : nothing}
      <h2>${t('preview')}</h2>
      ${this.pdfUrl && this.draftPreview ? html`<p class="muted" data-draft-preview>${t('draft_preview_note')}</p>` : nothing}
      ${this.pdfUrl ? html`<iframe src=${this.pdfUrl} title=${t('preview')}></iframe><p><a class="button secondary" href=${this.pdfUrl} download="${(d.numberAndSymbol ?? d.id).replace(/[/\\:]/g, "-")}.pdf">${t('open_pdf')}</a></p>` : html`<p class="muted" data-no-pdf>${t(this.deviceNote ? 'no_pdf_offline' : d.direction === 'incoming' ? 'no_pdf_incoming' : 'no_pdf')}</p>`}
      ${this.verification ? this.verdict(this.verification) : nothing}
      <h2>${t('timeline')}</h2>
      <ol class="timeline">${d.events.map((e) => html`<li data-action=${e.action}><strong>${actionName(e.action)}</strong> · ${e.actor.user} · <time datetime=${e.at}>${formatDateTime(e.at)}</time>
        ${e.comment ? html`<div class="muted">“${e.comment}”</div>` : nothing}</li>`)}</ol>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-detail': WdDetail } }
