import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, onReachability, type CityLinkStatus } from '../api.js';
import { WdElement } from '../element.js';
import { formatDateTime } from '../format.js';
import { localized, t } from '../i18n.js';
import { megabytes, rate } from '../sizes.js';
import { shared } from '../styles.js';
import { store, STORE_EVENT } from '../store.js';
import { transfers, TRANSFER_EVENT } from '../upload.js';
import type { SyncStatus } from '../data/index.js';
import { transferProgress, transferStyles } from './transfer-progress.js';

/** The city link is asked about no more often than this (it only changes at the node's sync runs). */
const CITY_POLL_MS = 15_000;
const CITY_MIN_GAP_MS = 10_000;

/** What the device's own sync last learnt of the node: answered, did not, or nothing yet (before its first request). */
const nodeWord = (s: SyncStatus | null): boolean | null => (s?.state === 'offline' ? false : s?.online ? true : null);

/**
 * Online or offline (did the ward node answer the last request), changes
 * waiting in this device's outbox and conflicts, the last time the node
 * answered, uploads under way (megabytes, percent, cancel), and the ward's
 * link to the city as the node reports it: online or not, what waits for the
 * city, the rate, the last error. The city link is polled only while the page
 * is visible and the node answers. Coming back online runs a sync, which
 * sends the outbox first.
 * @fires wd-refresh - after a sync asked for here, so lists reload
 */
@customElement('wd-sync-bar')
export class WdSyncBar extends WdElement {
  static override styles = [shared, transferStyles, css`
    .bar { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; padding: .25rem 1rem; font-size: .9rem; background: #eceff1; border-bottom: 1px solid #cfd8dc; }
    .dot { display: inline-block; width: .7rem; height: .7rem; border-radius: 50%; margin-right: .35rem; background: #2e7d32; }
    .offline .dot { background: #c62828; }
    .offline { background: #fff3e0; }
    button { min-height: 44px; padding: .25rem .75rem; }
    .grow { flex: 1 1 auto; }
    .short { display: none; }
    .link { display: flex; flex-wrap: wrap; gap: 0 .6rem; align-items: center; padding: .2rem 1rem; font-size: .85rem; background: #f5f7f8; border-bottom: 1px solid #cfd8dc; }
    .link .dot.untried { background: #90a4ae; }
    .link.offline .dot { background: #c62828; }
    .link .error { margin: 0; padding: .1rem .5rem; flex: 1 1 100%; }
    .transfers { padding: .2rem 1rem; background: #e8f1fb; border-bottom: 1px solid #bbdefb; font-size: .9rem; }
    /* On a phone each bar is one line: the city's error and what to do are cut with an ellipsis (the whole text shows on a tap). */
    @media (max-width: 599px) {
      .last, .summary { display: none; }
      .bar, .link, .transfers { padding: .1rem .5rem; }
      .bar { flex-wrap: nowrap; gap: .5rem; font-size: .8rem; }
      .bar > span { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; min-width: 0; }
      .bar .long { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
      .bar .short { display: inline; }
      .bar button { min-height: 32px; padding: .1rem .6rem; font-size: .8rem; flex: none; }
      .link { font-size: .78rem; }
      .link .error:not(.open) { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding: 0 .4rem; cursor: pointer; }
    }
  `];
  @property() user = '';
  @state() private online = navigator.onLine;
  /** Kept on the device per user, so a start with the node away still says when the last sync was, not "never". */
  @state() private lastSync: number | null = null;
  private rememberSync(at: number): void {
    this.lastSync = at;
    try { localStorage.setItem(`warddesk:last-sync:${this.user}`, String(at)); } catch { /* private mode: shown, not kept */ }
  }
  @state() private city: CityLinkStatus | null = null;
  @state() private busy = false;
  /** The device's working-set sync (pull + outbox), once the local store is open. */
  @state() private local: SyncStatus | null = null;
  private unwatch: (() => void) | null = null;
  private readonly onStore = () => {
    const data = store();
    if (!data || this.unwatch) return;
    this.unwatch = data.onStatus((s) => {
      const said = nodeWord(s);
      if (said !== null && said !== nodeWord(this.local)) this.nodeAnswers = said;
      this.local = s;
      if (s.lastSyncAt) this.rememberSync(Date.parse(s.lastSyncAt));
    });
  };
  private timer = 0;
  private lastPoll = 0;
  /** The latest word on the node, from this page's requests or the device's pulls, whichever came last. */
  private nodeAnswers = true;
  private readonly onTransfer = () => this.requestUpdate();
  private readonly onVisible = () => { if (document.visibilityState === 'visible') void this.poll(); };
  private unsubscribe: (() => void) | null = null;
  private readonly onOnline = () => { void this.syncNow(); };
  private readonly onOffline = () => { this.online = false; this.nodeAnswers = false; };

  override connectedCallback(): void {
    super.connectedCallback();
    const kept = Number(localStorage.getItem(`warddesk:last-sync:${this.user}`));
    if (kept > 0) this.lastSync = kept;
    this.unsubscribe = onReachability((ok) => {
      const was = this.online;
      this.online = ok;
      this.nodeAnswers = ok;
      if (ok) this.rememberSync(Date.now());
      if (ok && !was) void this.syncNow();
    });
    window.addEventListener(STORE_EVENT, this.onStore);
    this.onStore();
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    window.addEventListener(TRANSFER_EVENT, this.onTransfer);
    document.addEventListener('visibilitychange', this.onVisible);
    void this.poll();
    this.timer = window.setInterval(() => void this.poll(), CITY_POLL_MS);
  }

  override disconnectedCallback(): void {
    this.unsubscribe?.();
    window.removeEventListener(STORE_EVENT, this.onStore);
    this.unwatch?.();
    this.unwatch = null;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener(TRANSFER_EVENT, this.onTransfer);
    document.removeEventListener('visibilitychange', this.onVisible);
    clearInterval(this.timer);
    super.disconnectedCallback();
  }

  /**
   * Asks the node about the city link: not while the page is hidden, not when
   * the node does not answer (the device's own pulls tell when it is back),
   * and not twice within 10 s unless the person pressed "sync now".
   */
  private async poll(force = false): Promise<void> {
    if (!force && (document.visibilityState !== 'visible' || !this.nodeAnswers || Date.now() - this.lastPoll < CITY_MIN_GAP_MS)) return;
    this.lastPoll = Date.now();
    try { this.city = await api.syncStatus(); } catch { /* reachability already told us */ }
  }

  /** Sends the outbox, pulls, and refreshes what is on screen. */
  async syncNow(): Promise<void> {
    if (this.busy || !this.user) return;
    this.busy = true;
    try {
      // A stopped city sync runs again only when asked: "Sync now" asks the node too.
      if (this.city?.configured && this.city.phase === 'stopped') this.city = await api.citySyncNow().catch(() => this.city);
      else await this.poll(true);
      await store()?.sync();
      this.dispatchEvent(new CustomEvent('wd-refresh', { bubbles: true, composed: true }));
    } finally { this.busy = false; }
  }

  protected override render() {
    const l = this.local;
    const pending = l?.pending ?? 0;
    return html`<div class="bar ${this.online ? 'online' : 'offline'}" role="status" aria-live="polite" data-online=${String(this.online)} data-sync-state=${l?.state ?? 'none'}
      data-synced=${String(Boolean(l?.lastSyncAt))} data-local-docs=${store()?.documentCount ?? 0}>
      <span><span class="dot" aria-hidden="true"></span><span class="long">${this.online ? t('sync_online') : t('sync_offline')}</span><span class="short" aria-hidden="true">${this.online ? t('sync_online_short') : t('sync_offline_short')}</span></span>
      <span>${t('sync_pending')}: <strong data-pending>${pending}</strong></span>
      ${l?.progress ? html`<span data-progress>${t('sync_receiving')}: ${l.progress.docsWritten}</span>` : nothing}
      ${l?.conflicts ? html`<a href="#/tasks" class="error" data-conflict-count>${t('sync_conflicts')}: ${l.conflicts}</a>` : nothing}
      <span class="last">${t('sync_last')}: ${this.lastSync ? formatDateTime(this.lastSync) : t('sync_never')}</span>
      <span class="grow"></span>
      <button class="secondary" ?disabled=${this.busy} @click=${() => void this.syncNow()}>${t('sync_now')}</button>
    </div>
    ${this.cityLink()}
    ${transfers().length ? html`<div class="transfers" data-transfers>${transfers().map((x) => transferProgress(x))}</div>` : nothing}`;
  }

  /** "Thành phố: ● mất kết nối · chờ gửi 3 mục, 1,2 MB · tốc độ 350 KB/s", the last error under it, and what to do when sync stopped. */
  private cityLink() {
    const c = this.city;
    if (!c) return nothing;
    const stopped = c.phase === 'stopped';
    const state = !c.configured ? 'not-configured' : stopped ? 'stopped' : c.online === true ? 'online' : c.online === false ? 'offline' : 'untried';
    const stateText = !c.configured ? t('city_not_configured') : stopped ? t('city_link_stopped') : c.online === true ? t('city_link_online') : c.online === false ? t('city_link_offline') : t('city_link_untried');
    const pending = c.pending;
    const waiting = !c.configured ? nothing
      : c.upToDate ? html`<span>${t('city_link_confirmed')}</span>`
      : pending ? html`<span data-city-pending>${t('city_link_waiting')} ${pending.documents} ${t('city_link_items')}, ${megabytes(pending.bytes)} MB</span>` : nothing;
    const moving = c.configured && c.rate && !c.upToDate ? html`<span data-city-rate>${t('city_link_rate')} ${rate(c.rate.bytesPerSecond)}</span>` : nothing;
    return html`<div class="link ${state === 'offline' || state === 'not-configured' || state === 'stopped' ? 'offline' : ''}" data-city=${state}>
      <span><strong>${t('sync_city')}:</strong> <span class="dot ${state === 'untried' ? 'untried' : ''}" aria-hidden="true"></span>${stateText}</span>
      ${waiting}${moving}
      <span class="muted summary">${localized(c.summary)}</span>
      ${c.lastError ? html`<p class="error" data-city-error=${c.lastError.code} @click=${toggle}>${t('city_link_error')} (${formatDateTime(c.lastError.at)}): ${localized(c.lastError)}</p>` : nothing}
      ${c.action ? html`<p class="error" data-city-action @click=${toggle}><strong>${t('city_link_todo')}:</strong> ${localized(c.action)}</p>` : nothing}
    </div>`;
  }
}

/** A cut line opens in full on a tap (phones), and closes again. */
function toggle(e: Event): void { (e.currentTarget as HTMLElement).classList.toggle('open'); }

declare global { interface HTMLElementTagNameMap { 'wd-sync-bar': WdSyncBar } }
