import { css, html, type TemplateResult } from 'lit';
import { t } from '../i18n.js';
import { progressLabel, type Transfer } from '../upload.js';

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
