import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, ApiError, onReachability, type Session, type User } from '../api.js';
import { go, WdElement } from '../element.js';
import { currentLang, roleName, setLang, t } from '../i18n.js';
import { shared } from '../styles.js';
import { closeStore, openStore } from '../store.js';
import { forgetTasks } from '../task-cache.js';
import './wd-login.js';
import './wd-sync-bar.js';
import './wd-update-banner.js';
import './wd-tasks.js';
import './wd-doc-list.js';
import './wd-editor.js';
import './wd-detail.js';
import './wd-incoming-new.js';
import './wd-registers.js';
import './wd-users.js';
import './wd-settings.js';
import './wd-setup.js';
import './wd-keys.js';

const LAST_USER = 'wd.user';

/** The shell: session, navigation by role, language switch, hash routes. */
@customElement('wd-app')
export class WdApp extends WdElement {
  static override styles = [shared, css`
    header { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem .75rem; padding: .25rem 1rem; background: #b71c1c; color: #fff; }
    header .brand { font-weight: 700; font-size: 1.1rem; margin-right: auto; }
    header .who { font-size: .9rem; }
    header button { background: transparent; border-color: #fff; color: #fff; }
    nav ul { display: flex; flex-wrap: wrap; gap: .25rem; list-style: none; margin: 0; padding: .25rem 1rem; background: #fff; border-bottom: 1px solid #ddd; overflow-x: auto; }
    nav a { display: inline-flex; align-items: center; min-height: 44px; padding: 0 .75rem; color: #333; text-decoration: none; border-radius: .35rem; }
    nav a[aria-current=page] { background: #fbe9e7; color: #8a1515; font-weight: 600; }
    main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
    header .short { display: none; }
    .skip { position: absolute; left: -999px; } .skip:focus { left: .5rem; top: .5rem; z-index: 10; background: #fff; color: #000; padding: .5rem; }
    /* A phone keeps at most a quarter of its height for chrome: one header line (with who is logged in),
       and the menu as one row that scrolls sideways (every link stays in the page, none wraps to a second row). */
    @media (max-width: 599px) {
      header { flex-wrap: nowrap; gap: .4rem; padding: .15rem .5rem; }
      header .brand { font-size: 1rem; margin-right: 0; }
      header .who { flex: 1 1 auto; min-width: 0; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font-size: .8rem; }
      header .long { display: none; } header .short { display: inline; }
      header button { min-height: 34px; padding: .15rem .5rem; font-size: .85rem; white-space: nowrap; flex: none; }
      nav ul { flex-wrap: nowrap; padding: .1rem .5rem; gap: .1rem; scrollbar-width: thin; }
      nav a { min-height: 40px; padding: 0 .55rem; white-space: nowrap; }
      nav ul { padding-top: 0; padding-bottom: 0; }
      main { padding: .5rem; }
    }
  `];
  @state() private session: Session | null = null;
  @state() private offlineUser: User | null = null;
  @state() private route = location.hash.slice(1) || '/';
  @state() private booting = true;
  private readonly onHash = () => { this.route = location.hash.slice(1) || '/'; };
  private unsubscribe: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    // Started offline: once the node answers, pick up the session (or ask for a login; drafts wait on the device).
    this.unsubscribe = onReachability((ok) => { if (ok && this.offlineUser && !this.session) void this.boot(); });
    void this.boot();
  }
  override disconnectedCallback(): void { window.removeEventListener('hashchange', this.onHash); this.unsubscribe?.(); super.disconnectedCallback(); }

  private async boot(): Promise<void> {
    // Open the last user's working set while the node is asked who is logged in: a start shows their list sooner.
    const last = this.lastUser();
    if (last) void openStore(last);
    try {
      const s = await api.me();
      if (!s.mustChangePassword) this.signedIn(s);
      else { this.offlineUser = null; void closeStore(); }
    } catch (e) {
      // The node is away: whoever last used this device keeps drafting offline (the node checks them on return).
      if (e instanceof ApiError && e.code === 'network_unreachable') {
        // Their working set is on the device (opened above): the lists and tasks read it with the node away.
        this.offlineUser = last;
      } else { this.offlineUser = null; void closeStore(); }
    } finally { this.booting = false; performance.mark('wd-session'); }
  }

  private lastUser(): User | null {
    try { return JSON.parse(localStorage.getItem(LAST_USER) ?? 'null') as User | null; } catch { return null; }
  }

  private signedIn(s: Session): void {
    this.session = s;
    this.offlineUser = null;
    localStorage.setItem(LAST_USER, JSON.stringify(s.user));
    void openStore(s.user);
    if (this.route === '/' || this.route === '/login') go(s.user.role === 'admin' ? '/users' : '/tasks');
    // A node with no ward CA yet: the admin lands on the first-run setup.
    if (s.user.role === 'admin' && (this.route === '/' || this.route === '/login' || this.route === '/users')) {
      void api.setupStatus().then((st) => { if (!st.ca) go('/setup'); }, () => undefined);
    }
  }

  private async logout(): Promise<void> {
    try { await api.logout(); } catch { /* offline: forget locally anyway */ }
    localStorage.removeItem(LAST_USER);
    if (this.user) forgetTasks(this.user.username);
    await closeStore();
    this.session = null;
    this.offlineUser = null;
    go('/');
  }

  private get user(): User | null { return this.session?.user ?? this.offlineUser; }

  private nav(user: User) {
    const links: [string, string][] = user.role === 'admin'
      ? [['/setup', t('nav_setup')], ['/users', t('nav_users')], ['/settings', t('nav_settings')], ['/keys', t('nav_keys')], ['/outgoing', t('nav_outgoing')], ['/incoming', t('nav_incoming')]]
      : [['/tasks', t('nav_tasks')], ['/outgoing', t('nav_outgoing')], ['/incoming', t('nav_incoming')], ['/new', t('nav_new')],
        ...(user.role === 'clerk' ? [['/incoming/new', t('nav_new_incoming')] as [string, string]] : []),
        ...(user.role === 'clerk' || user.role === 'leader' ? [['/registers', t('nav_registers')] as [string, string]] : []),
        ...(user.role === 'leader' || user.role === 'clerk' ? [['/keys', t('nav_keys')] as [string, string]] : [])];
    return html`<nav aria-label=${t('nav')}><ul>${links.map(([path, label]) => html`<li><a href="#${path}" aria-current=${this.route === path ? 'page' : 'false'}>${label}</a></li>`)}</ul></nav>`;
  }

  private page(user: User) {
    const r = this.route;
    if (r.startsWith('/doc/')) return html`<wd-detail .docId=${decodeURIComponent(r.slice(5))} .user=${user}></wd-detail>`;
    // One template for new and existing drafts: when a new draft gets its key the editor (and the focus) stays.
    if (r.startsWith('/edit/') || r === '/new') return html`<wd-editor .draftKey=${r === '/new' ? '' : decodeURIComponent(r.slice(6))} .user=${user}></wd-editor>`;
    if (r === '/incoming/new') return html`<wd-incoming-new></wd-incoming-new>`;
    if (r === '/outgoing' || r === '/incoming') return html`<wd-doc-list .direction=${r.slice(1) as 'outgoing' | 'incoming'}></wd-doc-list>`;
    if (r === '/registers' && (user.role === 'clerk' || user.role === 'leader')) return html`<wd-registers></wd-registers>`;
    if (r === '/users' && user.role === 'admin') return html`<wd-users></wd-users>`;
    if (r === '/settings' && user.role === 'admin') return html`<wd-settings></wd-settings>`;
    if (r === '/setup' && user.role === 'admin') return html`<wd-setup></wd-setup>`;
    if (r === '/keys') return html`<wd-keys .user=${user}></wd-keys>`;
    // The admin's activation link: #/activate/<code>, opened by the holder after logging in as themselves.
    if (r.startsWith('/activate/')) return html`<wd-keys .user=${user} .code=${decodeURIComponent(r.slice(10))}></wd-keys>`;
    return html`<wd-tasks .user=${user}></wd-tasks>`;
  }

  protected override render() {
    const user = this.user;
    const other = currentLang() === 'vi' ? 'en' : 'vi';
    return html`
      <a class="skip" href="#main" @click=${(e: Event) => { e.preventDefault(); this.renderRoot.querySelector('main')?.focus(); }}>${t('skip_to_main')}</a>
      <header>
        <span class="brand">${t('app_name')}</span>
        ${user ? html`<span class="who" title="${user.fullName} · ${roleName(user.role)}">${user.fullName} · ${roleName(user.role)}</span>` : nothing}
        <button lang=${other} @click=${() => setLang(other)}><span class="sr-only">${t('lang_switch_label')}</span><span class="long" aria-hidden="true">${t('lang_switch')}</span><span class="short" aria-hidden="true">${other.toUpperCase()}</span></button>
        ${user ? html`<button @click=${() => void this.logout()}>${t('logout')}</button>` : nothing}
      </header>
      ${user ? html`<wd-sync-bar .user=${user.username} @wd-refresh=${() => this.requestChildRefresh()}></wd-sync-bar>${this.nav(user)}` : nothing}
      <main id="main" tabindex="-1">
        ${this.booting ? html`<p>${t('loading')}</p>` : user ? this.page(user) : html`<wd-login @wd-session=${(e: CustomEvent<Session>) => this.signedIn(e.detail)}></wd-login>`}
      </main>
      <wd-update-banner></wd-update-banner>`;
  }

  private requestChildRefresh(): void {
    window.dispatchEvent(new CustomEvent('wd-reload'));
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-app': WdApp } }
