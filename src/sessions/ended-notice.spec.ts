import { isEndedNotice } from './ended-notice';

describe('isEndedNotice (an ended session as another node announced it)', () => {
  const notice = {
    sessionId: '6f1c1c9e-0000-4000-8000-000000000001',
    reason: 'completed',
    interpreterId: 'i1',
    interpreterIds: ['i1', 'i2'],
    officialId: null,
    callerSubs: ['c1'],
    endedAt: '2026-12-05T09:59:00.123+00:00',
    wrapups: [{ id: 'i1', until: '2026-12-05T10:00:00Z', canExtend: true }],
  };

  it('takes what session_end returns', () => {
    expect(isEndedNotice(notice)).toBe(true);
    expect(isEndedNotice({ ...notice, officialId: 'u1', wrapups: undefined })).toBe(true);
  });

  it.each([
    ['nothing', undefined],
    ['null', null],
    ['a string', 'completed'],
    ['no session', { ...notice, sessionId: undefined }],
    ['a numeric reason', { ...notice, reason: 3 }],
    ['interpreters not a list', { ...notice, interpreterIds: 'i1' }],
    ['a caller that is not a string', { ...notice, callerSubs: [{}] }],
    ['an official that is a number', { ...notice, officialId: 7 }],
    ['wrap-ups not a list', { ...notice, wrapups: {} }],
    ['a wrap-up without a time', { ...notice, wrapups: [{ id: 'i1', canExtend: true }] }],
    ['a wrap-up whose time is not one', { ...notice, wrapups: [{ id: 'i1', until: 'soon', canExtend: true }] }],
    ['a wrap-up that is null', { ...notice, wrapups: [null] }],
    ['no end time', { ...notice, endedAt: undefined }],
    ['a reason that is not a word', { ...notice, reason: '<script>' }],
    ['an id of a megabyte', { ...notice, sessionId: 'x'.repeat(1 << 20) }],
    ['ten thousand callers', { ...notice, callerSubs: Array.from({ length: 10_000 }, (_, i) => `c${i}`) }],
  ])('refuses %s', (_what, n) => {
    expect(isEndedNotice(n)).toBe(false);
  });
});
