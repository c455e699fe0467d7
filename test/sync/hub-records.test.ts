import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HubDocument, hubDocId, vnIsoWeek } from '../../sync/hub-records.js';

test('weeks are ISO weeks in Vietnam time: Sunday 20:00 UTC is already Monday of the next week in Hà Nội', () => {
  assert.is(vnIsoWeek(new Date('2026-01-04T16:59:59Z')), '2026-W01'); // Sunday 23:59 +07
  assert.is(vnIsoWeek(new Date('2026-01-04T17:00:00Z')), '2026-W02'); // Monday 00:00 +07
  // 1 January 2027 is a Friday: it belongs to the last week of 2026.
  assert.is(vnIsoWeek(new Date('2027-01-01T03:00:00Z')), '2026-W53');
  assert.is(vnIsoWeek(new Date('2024-12-30T03:00:00Z')), '2025-W01');
});

test('a hub record names its ward and document, and refuses a verdict it does not know', () => {
  const base = {
    _id: hubDocId('phuong-1', 'doc:out:0123456789ab'), type: 'hub-document', ward: 'phuong-1', docId: 'doc:out:0123456789ab',
    direction: 'outgoing', docType: 'QĐ', unit: 'phuong-1', subject: 'Về việc', state: 'issued', signing: 'digital',
    verdict: 'valid', reasons: [], signatures: [], firstEventAt: '2026-01-05T09:00:00+07:00', lastEventAt: '2026-01-05T10:00:00+07:00',
    seenAt: '2026-01-05T10:01:00+07:00',
  };
  assert.ok(HubDocument.safeParse(base).success);
  assert.not.ok(HubDocument.safeParse({ ...base, verdict: 'probably-fine' }).success);
  assert.not.ok(HubDocument.safeParse({ ...base, _id: 'hubdoc:phuong-1:doc:out:../x' }).success);
});

test.run();
