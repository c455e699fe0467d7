import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, asApiError, type ApiError, type Health, type Role, type User } from '../api.js';
import { WdElement } from '../element.js';
import { localized, roleName, t } from '../i18n.js';
import { shared } from '../styles.js';
import { errorBox } from './wd-error.js';
import './wd-certificates.js';

/** The server's rule (node/users.ts). Browsers compile `pattern` with the v flag, where an unescaped "-" in a class is a syntax error and the whole pattern is silently ignored: hence "\\-". */
const USERNAME_PATTERN = '[a-z][a-z0-9._\\-]{1,31}';

const ROLES: Role[] = ['specialist', 'leader', 'clerk', 'admin'];

/**
 * Admin: officials (add, role, disable, one-time password) and the signing certificates on this node (wd-certificates).
 * Also how full the node's data disk is, with the node's warning from 90 % (the admin-only part of /api/health):
 * once full, no change can be saved, so the admin must hear of it before.
 */
@customElement('wd-users')
export class WdUsers extends WdElement {
  static override styles = [shared, css`
    table { width: 100%; border-collapse: collapse; background: #fff; }
    th, td { text-align: left; padding: .45rem; border-bottom: 1px solid #e2e2e2; vertical-align: middle; }
    td select { min-width: 9rem; }
    .otp { font-family: monospace; font-size: 1.2rem; }
    .wrap { overflow-x: auto; }
    /* Phones: each official is a card, so the role picker and the buttons are on screen, not off to the side. */
    @media (max-width: 599px) {
      thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
      table, tbody, tr, td { display: block; width: 100%; }
      tr { border: 1px solid #ddd; border-radius: .5rem; margin: .5rem 0; padding: .25rem .5rem; background: #fff; }
      td { border: 0; padding: .2rem 0; }
      td.row { display: flex; flex-wrap: wrap; gap: .4rem; }
    }
  `];
  @state() private users: User[] = [];
  @state() private error: ApiError | null = null;
  @state() private otp: { username: string; oneTimePassword: string } | null = null;
  @state() private health: Health | null = null;

  override connectedCallback(): void { super.connectedCallback(); void this.load(); }

  private async load(): Promise<void> {
    try {
      this.users = (await api.users()).items;
    } catch (e) { this.error = asApiError(e); }
    // The disk is a side note: if health cannot be read, the users screen still works.
    this.health = await api.health().catch(() => null);
  }

  private diskNote() {
    const disk = this.health?.disk;
    if (!disk) return nothing;
    const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GB`;
    const line = `${t('disk_usage')}: ${disk.usedPercent} % ${t('disk_used')}, ${gb(disk.freeBytes)} ${t('disk_free')}`;
    if (disk.warning && disk.message) return html`<div class="error" role="alert" data-disk-warning>${localized(disk.message)}</div>`;
    return html`<p class="muted" data-disk>${line}</p>`;
  }

  private async run(fn: () => Promise<unknown>): Promise<void> {
    this.error = null;
    try { await fn(); await this.load(); } catch (e) { this.error = asApiError(e); }
  }

  private async add(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    await this.run(async () => {
      await api.createUser({ username: String(f.get('username')).trim().toLowerCase(), fullName: String(f.get('fullName')), title: String(f.get('title')), role: String(f.get('role')) as Role, password: String(f.get('password')) });
      form.reset();
    });
  }

  protected override render() {
    return html`<h1>${t('users_title')}</h1>
      ${this.diskNote()}
      ${errorBox(this.error)}
      ${this.otp ? html`<div class="info" role="status">${t('one_time_password')} — ${this.otp.username}: <span class="otp">${this.otp.oneTimePassword}</span>
        <button class="secondary" @click=${() => { this.otp = null; }}>${t('close')}</button></div>` : nothing}
      <div class="wrap"><table>
        <caption class="sr-only">${t('users_title')}</caption>
        <thead><tr><th scope="col">${t('username')}</th><th scope="col">${t('full_name')}</th><th scope="col">${t('role')}</th><th scope="col">${t('actions')}</th></tr></thead>
        <tbody>${this.users.map((u) => html`<tr data-user=${u.username}>
          <td>${u.username}${u.active ? '' : html` <span class="badge">${t('inactive')}</span>`}</td>
          <td>${u.fullName}${u.title ? html`<div class="muted">${u.title}</div>` : nothing}</td>
          <td><select aria-label="${t('role')} ${u.username}" @change=${(e: Event) => void this.run(() => api.patchUser(u.username, { role: (e.target as HTMLSelectElement).value as Role }))}>
            ${ROLES.map((r) => html`<option value=${r} ?selected=${r === u.role}>${roleName(r)}</option>`)}</select></td>
          <td class="row">
            <button class="secondary" @click=${() => void this.run(() => api.patchUser(u.username, { active: !u.active }))}>${u.active ? t('disable') : t('enable')}</button>
            <button class="secondary" @click=${() => void this.run(async () => { this.otp = await api.resetPassword(u.username); })}>${t('reset_password')}</button>
          </td></tr>`)}</tbody>
      </table></div>
      <h2>${t('add_user')}</h2>
      <form class="card" @submit=${this.add}>
        <div class="row">
          <div><label for="nu">${t('username')}</label><input id="nu" name="username" required pattern=${USERNAME_PATTERN} maxlength="32" autocapitalize="none" autocomplete="off" spellcheck="false" aria-describedby="nu-hint">
            <div class="muted" id="nu-hint">${t('username_format')}</div></div>
          <div><label for="nf">${t('full_name')}</label><input id="nf" name="fullName" required></div>
          <div><label for="nt">${t('title')}</label><input id="nt" name="title"></div>
          <div><label for="nr">${t('role')}</label><select id="nr" name="role">${ROLES.map((r) => html`<option value=${r}>${roleName(r)}</option>`)}</select></div>
          <div><label for="np">${t('initial_password')}</label><input id="np" name="password" type="password" minlength="10" required autocomplete="new-password"></div>
        </div>
        <div class="actions"><button type="submit">${t('add_user')}</button></div>
      </form>
      <wd-certificates .users=${this.users}></wd-certificates>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-users': WdUsers } }
