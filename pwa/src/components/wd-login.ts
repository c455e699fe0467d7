import { css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, asApiError, type ApiError, type Session } from '../api.js';
import { WdElement } from '../element.js';
import { t } from '../i18n.js';
import { shared } from '../styles.js';
import { errorBox } from './wd-error.js';

/**
 * Login, then the forced change of a one-time password.
 * @fires wd-session - detail: the Session once the user may work
 */
@customElement('wd-login')
export class WdLogin extends WdElement {
  static override styles = [shared, css`
    :host { max-width: 26rem; margin: 2rem auto; padding: 0 1rem; }
    form { background: #fff; border: 1px solid #ddd; border-radius: .5rem; padding: 1.25rem; }
    button[type=submit] { width: 100%; margin-top: 1rem; }
  `];
  @state() mustChange = false;
  @state() private error: ApiError | null = null;
  @state() private busy = false;
  @state() private mismatch = false;
  private typedPassword = '';

  private async login(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    this.busy = true;
    this.error = null;
    try {
      this.typedPassword = String(f.get('password'));
      const s = await api.login(String(f.get('username')).trim(), this.typedPassword);
      if (s.mustChangePassword) this.mustChange = true;
      else this.done(s);
    } catch (err) { this.error = asApiError(err); } finally { this.busy = false; }
  }

  private async change(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const next = String(f.get('newPassword'));
    this.mismatch = next !== String(f.get('confirm'));
    if (this.mismatch) return;
    this.busy = true;
    this.error = null;
    try { this.done(await api.changePassword(String(f.get('oldPassword')), next)); } catch (err) { this.error = asApiError(err); } finally { this.busy = false; }
  }

  private done(s: Session): void {
    this.typedPassword = '';
    this.dispatchEvent(new CustomEvent<Session>('wd-session', { detail: s, bubbles: true, composed: true }));
  }

  protected override render() {
    if (this.mustChange) {
      return html`<form @submit=${this.change} aria-labelledby="pw-title">
        <h1 id="pw-title">${t('change_password_title')}</h1>
        <p class="info">${t('change_password_hint')}</p>
        ${errorBox(this.error)}
        ${this.mismatch ? html`<div class="error" role="alert">${t('passwords_differ')}</div>` : ''}
        <label for="old">${t('old_password')}</label>
        <input id="old" name="oldPassword" type="password" autocomplete="current-password" required .value=${this.typedPassword}>
        <label for="new">${t('new_password')}</label>
        <input id="new" name="newPassword" type="password" autocomplete="new-password" minlength="10" required>
        <label for="confirm">${t('confirm_password')}</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="10" required>
        <button type="submit" ?disabled=${this.busy}>${t('save_password')}</button>
      </form>`;
    }
    return html`<form @submit=${this.login} aria-labelledby="login-title">
      <h1 id="login-title">${t('login_title')}</h1>
      ${errorBox(this.error)}
      <label for="username">${t('username')}</label>
      <input id="username" name="username" autocomplete="username" autocapitalize="none" required>
      <label for="password">${t('password')}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit" ?disabled=${this.busy}>${t('login')}</button>
    </form>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-login': WdLogin } }
