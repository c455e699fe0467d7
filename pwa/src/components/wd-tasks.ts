import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, asApiError, type ApiError, type User } from '../api.js';
import type { ConflictRecord } from '../data/index.js';
import { docTable, tableStyles } from '../doc-table.js';
import { localDrafts, type LocalDraft } from '../drafts.js';
import { WdElement } from '../element.js';
import { formatDateTime } from '../format.js';
import { actionName, localized, t } from '../i18n.js';
import { shared } from '../styles.js';
import { asSummary, readyStore, store, STORE_EVENT } from '../store.js';
import { cachedTasks, saveTasks } from '../task-cache.js';
import { groupTasks, taskQueries, type TaskGroup } from '../tasks.js';
import { errorBox } from './wd-error.js';

const PAGE = 100;

/** The subject as the user wrote it (a refused create or edit carries their whole text), else the document's on the device. */
function conflictSubject(c: ConflictRecord): string {
  const mine = c.command.kind === 'act' ? undefined : c.command.content['subject'];
  return typeof mine === 'string' && mine ? mine : store()?.get(c.docId)?.subject ?? '—';
}

/**
 * The documents waiting for this user, by step (drafts saved on this device
 * and not yet sent among them); first the changes the node refused, to retry
 * or discard, and text typed here but never saved.
 */
@customElement('wd-tasks')
export class WdTasks extends WdElement {
  static override styles = [shared, tableStyles, css`section { margin-bottom: 1.5rem; } .count { font-weight: normal; color: #555; }`];
  @property({ attribute: false }) user!: User;
  @state() private groups: (TaskGroup & { total?: number })[] | null = null;
  @state() private local: LocalDraft[] = [];
  @state() private error: ApiError | null = null;
  @state() private shown: Record<string, number> = {};
  @state() private conflicts: ConflictRecord[] = [];
  /** Where the list came from: 'local' (the device's working set), 'cache' (the list last shown on this device, while the store opens) or 'node' (the REST API). */
  @state() private source: 'local' | 'cache' | 'node' = 'node';
  private readonly reload = () => void this.load();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('wd-reload', this.reload);
    window.addEventListener('wd-drafts', this.reload);
    window.addEventListener(STORE_EVENT, this.reload);
    void this.load();
  }
  override disconnectedCallback(): void {
    window.removeEventListener('wd-reload', this.reload);
    window.removeEventListener('wd-drafts', this.reload);
    window.removeEventListener(STORE_EVENT, this.reload);
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    this.local = localDrafts(this.user.username);
    // The working set on the device answers at once, node or no node.
    const data = readyStore();
    if (data) {
      this.groups = groupTasks(data.tasks().map(asSummary));
      saveTasks(this.user.username, this.groups);
      this.conflicts = data.conflicts();
      this.source = 'local';
      this.error = null;
      return;
    }
    const cached = this.groups === null && store() === null ? cachedTasks(this.user.username) : null;
    if (cached) { this.groups = cached; this.source = 'cache'; }
    try {
      const pages = await Promise.all(taskQueries(this.user.role, this.user.username).map((q) => api.list(q)));
      if (readyStore()) return; // the device's store opened meanwhile and answered
      this.groups = groupTasks(pages.flatMap((p) => p.items));
      this.source = 'node';
      this.error = null;
    } catch (e) { this.error = asApiError(e); this.groups ??= []; }
  }

  private async resolve(c: ConflictRecord, choice: 'retry' | 'discard'): Promise<void> {
    try { await store()?.resolveConflict(c._id, choice); if (choice === 'retry') void store()?.sync(); } catch (e) { this.error = asApiError(e); }
  }

  protected override render() {
    return html`<h1>${t('nav_tasks')}</h1>
      ${errorBox(this.error)}
      ${this.conflicts.length ? html`<section aria-labelledby="conflicts-h" data-conflicts><h2 id="conflicts-h">${t('conflicts')} <span class="count">(${this.conflicts.length})</span></h2>
        <p class="muted">${t('conflicts_hint')}</p>
        <ul>${this.conflicts.map((c) => html`<li data-conflict=${c.docId}><a href="#/doc/${encodeURIComponent(c.docId)}">${actionName(c.command.kind === 'act' ? c.command.action : c.command.kind)}</a>
          «${conflictSubject(c)}»
          <p class="error">${localized(c.message)}</p>
          <div class="actions"><button class="secondary" @click=${() => void this.resolve(c, 'retry')}>${t('conflict_retry')}</button>
          <button class="secondary" @click=${() => void this.resolve(c, 'discard')}>${t('conflict_discard')}</button></div></li>`)}</ul></section>` : nothing}
      ${this.local.length ? html`<section aria-labelledby="local-h"><h2 id="local-h">${t('unsaved_local')} <span class="count">(${this.local.length})</span></h2>
        <ul>${this.local.map((d) => html`<li><a href="#/edit/${encodeURIComponent(d.key)}">${d.content.subject || '—'}</a>
          <span class="muted">${formatDateTime(d.savedAt)}</span></li>`)}</ul></section>` : nothing}
      <p class="sr-only" data-source=${this.source}></p>
      ${this.groups === null ? html`<p>${t('loading')}</p>` : this.groups.length === 0 && !this.local.length ? html`<p class="info">${t('no_tasks')}</p>` : nothing}
      ${(this.groups ?? []).map((g) => {
        const limit = this.shown[g.key] ?? PAGE;
        return html`<section aria-labelledby="h-${g.key}" data-group=${g.key}>
          <h2 id="h-${g.key}">${t(g.key)} <span class="count">(${g.total ?? g.items.length})</span></h2>
          ${docTable(g.items.slice(0, limit), t(g.key))}
          ${g.items.length > limit ? html`<button class="secondary" @click=${() => { this.shown = { ...this.shown, [g.key]: limit + PAGE }; }}>${t('more')}</button>` : nothing}
        </section>`;
      })}`;
  }
}

declare global { interface HTMLElementTagNameMap { 'wd-tasks': WdTasks } }
