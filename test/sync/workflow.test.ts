import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { availableActions, checkTransition, deriveState, emptyState, EXCHANGE_STATUS } from '../../sync/workflow.js';
import type { EventRecord } from '../../sync/schema.js';

const ev = (action: EventRecord['action'], user: string, at: string, data: Record<string, unknown> = {}): EventRecord => ({
  _id: `ev:x:${at}`, type: 'event', ward: 'w', docId: 'doc:out:x', action, at, actor: { user, role: 'specialist', device: '' }, data,
});

test('state is folded from events in time order, whatever order they arrive in', () => {
  const events = [ev('approve', 'lead', '2026-01-02T10:00:00+07:00'), ev('create', 'cv', '2026-01-01T09:00:00+07:00'), ev('submit', 'cv', '2026-01-01T10:00:00+07:00')];
  const s = deriveState('outgoing', events);
  assert.is(s.state, 'approved');
  assert.is(s.author, 'cv');
});

test('only the author edits and submits a draft; only a leader approves', () => {
  const draft = deriveState('outgoing', [ev('create', 'cv', '2026-01-01T09:00:00+07:00')]);
  assert.equal(checkTransition('outgoing', draft, 'submit', { user: 'cv', role: 'specialist' }, undefined), { ok: true, rule: checkTransitionRule('submit') });
  assert.equal(checkTransition('outgoing', draft, 'submit', { user: 'other', role: 'specialist' }, undefined), { ok: false, code: 'wrong_role' });
  const submitted = deriveState('outgoing', [ev('create', 'cv', '2026-01-01T09:00:00+07:00'), ev('submit', 'cv', '2026-01-01T10:00:00+07:00')]);
  assert.equal(checkTransition('outgoing', submitted, 'approve', { user: 'cv', role: 'specialist' }, undefined), { ok: false, code: 'wrong_role' });
  assert.ok(checkTransition('outgoing', submitted, 'approve', { user: 'lead', role: 'leader' }, undefined).ok);
});

function checkTransitionRule(action: string) {
  const r = checkTransition('outgoing', deriveState('outgoing', [ev('create', 'cv', '2026-01-01T09:00:00+07:00')]), action as 'submit', { user: 'cv', role: 'specialist' }, undefined);
  return r.ok ? r.rule : undefined;
}

test('numbering is impossible before signing, whatever the role', () => {
  const approved = deriveState('outgoing', [ev('create', 'cv', 'a'), ev('submit', 'cv', 'b'), ev('approve', 'lead', 'c')]);
  for (const role of ['specialist', 'leader', 'clerk', 'admin'] as const) {
    assert.equal(checkTransition('outgoing', approved, 'number', { user: 'u', role }, undefined), { ok: false, code: 'illegal_transition' });
  }
});

test('the handler, and only the handler, starts and finishes an assigned incoming document', () => {
  const assigned = deriveState('incoming', [ev('arrive', 'vt', 'a'), ev('register', 'vt', 'b'), ev('assign', 'lead', 'c', { handler: 'cv' })]);
  assert.is(assigned.handler, 'cv');
  assert.ok(checkTransition('incoming', assigned, 'start', { user: 'cv', role: 'specialist' }, undefined).ok);
  assert.not.ok(checkTransition('incoming', assigned, 'start', { user: 'cv2', role: 'specialist' }, undefined).ok);
  assert.equal(availableActions('incoming', assigned, { user: 'cv', role: 'specialist' }), ['start']);
  assert.equal(availableActions('incoming', assigned, { user: 'lead', role: 'leader' }), ['assign']);
});

test('every incoming state has its Decision 28 exchange code', () => {
  assert.equal(EXCHANGE_STATUS, { arrived: '01', refused: '02', registered: '03', assigned: '04', in_progress: '05', done: '06' });
  assert.is(emptyState().state, null);
});

test.run();
