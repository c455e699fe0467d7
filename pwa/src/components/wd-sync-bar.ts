import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, onReachability } from '../api.js';
import { flushPending, pendingCount } from '../drafts.js';
import { WdElement } from '../element.js';
import { formatDateTime } from '../format.js';
import { localized, t } from '../i18n.js';
import { shared } from '../styles.js';
import { store, STORE_EVENT } from '../store.js';
import type { SyncStatus } from '../data/index.js';

/**
 * Online or offline (did the ward node answer the last request), drafts
 * waiting on this device, the last time the node answered, and the city
 * link's own summary. Coming back online sends the pending drafts.
 * @fires wd-refresh - after pending drafts were sent, so lists reload
 */
@customElement('wd-sync-bar')
export class WdSyncBar extends WdElement {
  static override styles = [shared, css`
    .bar { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; padding: .25rem 1rem; font-size: .9rem; background: #eceff1; border-bottom: 1px solid #cfd8dc; }
    .dot { display: inline-block; width: .7rem; height: .7rem; border-radius: 50%; margin-right: .35rem; background: #2e7d32; }
    .offline .dot { background: #c62828; }
    .offline { background: #fff3e0; }
    button { min-height: 44px; padding: .25rem .75rem; }
    .grow { flex: 1 1 auto; }
    @media (max-width: 599px) { .last, .city { display: none; } .bar { padding: .15rem .5rem; } }
  `];
  @property() user = '';
  @state() private online = navigator.onLine;
  @state() private pending = 0;
  @state() private lastSync: number | null = null;
  @state() private city: { vi: string; en: string } | null = null;
  @state() private busy = false;
  /** The device's working-set sync (pull + outbox), once the local store is open. */
  @state() private local: SyncStatus | null = null;
  private unwatch: (() => void) | null = null;
  private readonly onStore = () => {
    const data = store();
    if (!data || this.unwatch) return;
    this.unwatch = data.onStatus((s) => { this.local = s; if (s.lastSyncAt) this.lastSync = Date.parse(s.lastSyncAt); });
  };
  private timer = 0;
  private unsubscribe: (() => void) | null = null;
  private readonly onDrafts = () => { this.pending = this.user ? pendingCount(this.user) : 0; };
  private readonly onOnline = () => { void this.syncNow(); };

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = onReachability((ok) => {
      const was = this.online;
      this.online = ok;
      if (ok) this.lastSync = Date.now();
      if (ok && !was) void this.syncNow();
    });
    window.addEventListener('wd-drafts', this.onDrafts);
    window.addEventListener(STORE_EVENT, this.onStore);
    this.onStore();
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', () => { this.online = false; });
    this.onDrafts();
    void this.poll();
    this.timer = window.setInterval(() => void this.poll(), 15_000);
  }

  override disconnectedCallback(): void {
    this.unsubscribe?.();
    window.removeEventListener('wd-drafts', this.onDrafts);
    window.removeEventListener(STORE_EVENT, this.onStore);
    this.unwatch?.();
    this.unwatch = null;
    window.removeEventListener('online', this.onOnline);
    clearInterval(this.timer);
    super.disconnectedCallback();
  }

  private async poll(): Promise<void> {
    try { this.city = (await api.syncStatus()).summary; } catch { /* reachability already told us */ }
  }

  /** Sends pending drafts and refreshes what is on screen. */
  async syncNow(): Promise<void> {
    if (this.busy || !this.user) return;
    this.busy = true;
    try {
      await this.poll();
      const sent = await flushPending(this.user);
      this.onDrafts();
      await store()?.sync();
      this.dispatchEvent(new CustomEvent('wd-refresh', { bubbles: true, composed: true, detail: { sent } }));
    } finally { this.busy = false; }
  }

  protected override render() {
    const l = this.local;
    const pending = this.pending + (l?.pending ?? 0);
    return html`<div class="bar ${this.online ? 'online' : 'offline'}" role="status" aria-live="polite" data-online=${String(this.online)} data-sync-state=${l?.state ?? 'none'}
      data-synced=${String(Boolean(l?.lastSyncAt))} data-local-docs=${store()?.documentCount ?? 0}>
      <span><span class="dot" aria-hidden="true"></span>${this.online ? t('sync_online') : t('sync_offline')}</span>
      <span>${t('sync_pending')}: <strong data-pending>${pending}</strong></span>
      ${l?.progress ? html`<span data-progress>${t('sync_receiving')}: ${l.progress.docsWritten}</span>` : nothing}
      ${l?.conflicts ? html`<a href="#/tasks" class="error" data-conflict-count>${t('sync_conflicts')}: ${l.conflicts}</a>` : nothing}
      <span class="last">${t('sync_last')}: ${this.lastSync ? formatDateTime(this.lastSync) : t('sync_never')}</span>
      ${this.city ? html`<span class="muted grow city">${t('sync_city')}: ${localized(this.city)}</span>` : html`<span class="grow"></span>`}
      <button class="secondary" ?disabled=${this.busy} @click=${() => void this.syncNow()}>${t('sync_now')}</button>
    </div>`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-sync-bar': WdSyncBar } }
