// The document table shared by the task list and the outgoing/incoming
// lists: a real <table> (screen readers announce the headers), reflowed into
// cards on phones; the subject is a link, so rows are reachable by keyboard.
import { css, html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { DocSummary } from './api.js';
import { formatDate, formatDateTime, isOverdue } from './format.js';
import { stateName, t } from './i18n.js';

export function docTable(items: readonly DocSummary[], caption: string): TemplateResult {
  return html`<table class="docs">
    <caption class="sr-only">${caption}</caption>
    <thead><tr>
      <th scope="col">${t('col_number')}</th><th scope="col">${t('col_date')}</th><th scope="col">${t('col_type')}</th>
      <th scope="col">${t('col_subject')}</th><th scope="col">${t('col_state')}</th><th scope="col">${t('col_activity')}</th>
    </tr></thead>
    <tbody>${repeat(items, (d) => d.id, (d) => html`<tr>
      <td data-label=${t('col_number')}>${d.numberAndSymbol ?? ''}</td>
      <td data-label=${t('col_date')}>${formatDate(d.date)}</td>
      <td data-label=${t('col_type')}>${d.docType}</td>
      <td data-label=${t('col_subject')} class="subject"><a href="#/doc/${d.id}">${d.subject}</a>${d.pendingCommands ? html` <span class="muted" data-pending-doc>· ${t('sync_pending')}</span>` : nothing}
        ${d.deadline && d.state !== 'done' ? html`<div class=${isOverdue(d) ? 'deadline overdue' : 'deadline'} data-deadline=${isOverdue(d) ? 'overdue' : 'due'}>${t('deadline')}: ${formatDate(d.deadline)}${isOverdue(d) ? ` — ${t('deadline_overdue')}` : ''}</div>` : nothing}</td>
      <td data-label=${t('col_state')}><span class="badge state-${d.state}">${stateName(d.state)}</span></td>
      <td data-label=${t('col_activity')}>${formatDateTime(d.lastActivity)}</td>
    </tr>`)}</tbody>
  </table>`;
}

export const tableStyles = css`
  table.docs { width: 100%; border-collapse: collapse; background: #fff; }
  table.docs th, table.docs td { text-align: left; padding: .55rem .5rem; border-bottom: 1px solid #e2e2e2; vertical-align: top; }
  table.docs th { background: #f0ebe6; font-size: .9rem; }
  table.docs td.subject a { color: #0d47a1; display: inline-block; min-height: 44px; padding: .6rem 0; }
  .deadline { font-size: .9rem; color: #444; } .deadline.overdue { color: #b71c1c; font-weight: 600; }
  .state-returned { background: #fff3cd; } .state-issued, .state-done, .state-sent { background: #e3f4e6; } .state-submitted, .state-arrived { background: #e8f1fb; }
  @media (max-width: 719px) {
    table.docs thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    table.docs, table.docs tbody, table.docs tr, table.docs td { display: block; width: 100%; }
    table.docs tr { border: 1px solid #ddd; border-radius: .5rem; margin: .5rem 0; padding: .25rem .5rem; background: #fff; }
    table.docs td { border: 0; padding: .15rem 0; }
    table.docs td:empty { display: none; }
    table.docs td::before { content: attr(data-label) ': '; font-weight: 600; color: #555; font-size: .85rem; }
    table.docs td.subject::before { content: ''; }
    table.docs td.subject a { font-weight: 600; }
  }
`;
