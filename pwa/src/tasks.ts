// "My tasks": which documents wait for this user, grouped by the step they
// wait for. The node tells each document's next steps for the caller
// (nextActions); we only ask for the states a role can act on.
import type { DocQuery, DocSummary, Role } from './api.js';
import type { MessageKey } from './i18n.js';

export const TASK_GROUPS: readonly { key: MessageKey; actions: readonly string[] }[] = [
  { key: 'group_draft', actions: ['submit', 'edit'] },
  { key: 'group_approve', actions: ['approve', 'return'] },
  { key: 'group_sign', actions: ['sign', 'sign-paper'] },
  { key: 'group_number', actions: ['number'] },
  { key: 'group_issue', actions: ['issue'] },
  { key: 'group_send', actions: ['send'] },
  { key: 'group_register', actions: ['register', 'refuse'] },
  { key: 'group_assign', actions: ['assign'] },
  { key: 'group_handle', actions: ['start', 'done'] },
];

/** The queries that find a role's work (own drafts, the states the role acts on, documents it handles). */
export function taskQueries(role: Role, username: string): DocQuery[] {
  const own = ['draft', 'returned'].map((state) => ({ state, author: username }));
  const handled = ['assigned', 'in_progress'].map((state) => ({ state, handler: username }));
  const byRole: Record<Role, string[]> = {
    specialist: [], admin: [],
    leader: ['submitted', 'approved', 'registered'],
    clerk: ['approved', 'signed', 'numbered', 'issued', 'arrived'],
  };
  if (role === 'admin') return [];
  return [...own, ...byRole[role].map((state) => ({ state })), ...handled].map((q) => ({ ...q, limit: 200 }));
}

export interface TaskGroup { key: MessageKey; items: DocSummary[] }

/** Groups documents by the first step they wait for; documents with no step for this user are left out. */
export function groupTasks(items: Iterable<DocSummary>): TaskGroup[] {
  const groups = TASK_GROUPS.map((g) => ({ key: g.key, actions: new Set(g.actions), items: [] as DocSummary[] }));
  const seen = new Set<string>();
  for (const d of items) {
    if (seen.has(d.id) || d.nextActions.length === 0) continue;
    seen.add(d.id);
    const g = groups.find((x) => d.nextActions.some((a) => x.actions.has(a)));
    g?.items.push(d);
  }
  for (const g of groups) g.items.sort((a, b) => (b.lastActivity ?? '').localeCompare(a.lastActivity ?? ''));
  return groups.filter((g) => g.items.length > 0).map(({ key, items: xs }) => ({ key, items: xs }));
}
