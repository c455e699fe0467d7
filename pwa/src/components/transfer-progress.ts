import { css, html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { BlobMeta } from '../api.js';
import { t } from '../i18n.js';
import { progressLabel, TRANSFER_EVENT, upload, type Transfer } from '../upload.js';

/** Styles for transferProgress, to add to the host component's own. */
export const transferStyles = css`
  .transfer { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem .6rem; }
  .transfer progress { flex: 1 1 6rem; min-width: 4rem; height: .8rem; accent-color: #1565c0; }
  .transfer .name { overflow-wrap: anywhere; }
  .transfer button { min-height: 44px; min-width: 44px; padding: .25rem .6rem; }
`;

/**
 * One upload as it moves: its name (unless the caller shows it), a bar, the
 * megabytes sent of the total with the percent, and a button to cancel it.
 */
export function transferProgress(transfer: Transfer, showName = true): TemplateResult {
  const label = progressLabel(transfer, t('upload_progress'));
  return html`<span class="transfer" data-transfer=${transfer.id} data-loaded=${transfer.loaded} data-total=${transfer.total}>
    ${showName ? html`<span class="name">${transfer.name}</span>` : ''}
    <progress max=${Math.max(transfer.total, 1)} .value=${transfer.loaded} aria-label="${t('upload_progress')} ${transfer.name}"></progress>
    <span data-progress-label>${label}</span>
    <button type="button" class="secondary" aria-label="${t('upload_cancel')} ${transfer.name}" title=${t('upload_cancel')} @click=${() => transfer.cancel()}>✕</button>
  </span>`;
}

/**
 * A screen's own upload (one at a time): sends a file and re-renders its host
 * as the bytes move, so the editor, the paper-incoming form and the detail
 * screen show the same row without each listening for TRANSFER_EVENT.
 */
export class UploadController implements ReactiveController {
  /** The file going up, shown with transferProgress; null when none. */
  current: Transfer | null = null;
  private readonly moved = () => { if (this.current) this.host.requestUpdate(); };

  constructor(private readonly host: ReactiveControllerHost) { host.addController(this); }

  hostConnected(): void { window.addEventListener(TRANSFER_EVENT, this.moved); }
  hostDisconnected(): void { window.removeEventListener(TRANSFER_EVENT, this.moved); }

  /** Sends `file` as `name`: the stored file, or upload.ts's ApiError (cancelled, interrupted, too large, the node's refusal). */
  async send(file: Blob, name: string): Promise<BlobMeta> {
    this.current = upload(file, name);
    this.host.requestUpdate();
    try { return await this.current.done; } finally { this.current = null; this.host.requestUpdate(); }
  }
}
