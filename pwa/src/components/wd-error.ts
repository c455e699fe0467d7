import { html, nothing, type TemplateResult } from 'lit';
import type { ApiError } from '../api.js';
import { localized } from '../i18n.js';

/** A server (or network) error in the reader's language, with the fields it names. */
export function errorBox(e: ApiError | null): TemplateResult | typeof nothing {
  if (!e) return nothing;
  return html`<div class="error" role="alert" data-code=${e.code}>
    ${localized(e)}
    ${e.details.length ? html`<ul>${e.details.map((d) => html`<li>${localized(d)}</li>`)}</ul>` : nothing}
  </div>`;
}
