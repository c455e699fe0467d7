// The base of every WardDesk component: re-renders when the language changes.
import { LitElement } from 'lit';

export class WdElement extends LitElement {
  private readonly onLang = () => this.requestUpdate();
  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('wd-lang', this.onLang);
  }
  override disconnectedCallback(): void {
    window.removeEventListener('wd-lang', this.onLang);
    super.disconnectedCallback();
  }
}

/** Navigates inside the app (hash routes work offline and need no server fallback). */
export function go(path: string): void {
  if (location.hash !== `#${path}`) location.hash = path;
}
