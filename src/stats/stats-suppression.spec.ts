import { publishedCount, suppress, type RawStatsRow } from './stats-suppression';

const row = (over: Partial<RawStatsRow>): RawStatsRow => ({
  month: '2027-03',
  key: 'mam',
  requests: 40,
  answered_1m: 20,
  answered_5m: 30,
  answered: 35,
  unmet: 5,
  not_from_country: 0,
  wait_p50: 42,
  wait_p90: 210,
  sessions: 35,
  duration_p50: 900,
  duration_p90: 1800,
  ...over,
});

describe('small-cell suppression', () => {
  it('shows counts of five or more and the statistics computed from them', () => {
    expect(suppress(row({}))).toEqual({
      month: '2027-03',
      key: 'mam',
      requests: 40,
      answered: 35,
      answeredWithin1m: 20,
      answeredWithin5m: 30,
      unmet: 5,
      notFromCountry: 0,
      medianWaitSeconds: 42,
      p90WaitSeconds: 210,
      sessions: 35,
      medianSessionSeconds: 900,
      p90SessionSeconds: 1800,
      afterCall: {
        feedbackHelped: 0,
        feedbackUnsure: 0,
        feedbackNotHelped: 0,
        referredLegalAid: 0,
        referredShelter: 0,
        referredHealth: 0,
        referredConsulate: 0,
        referredPolice: 0,
        referredChildProtection: 0,
        signControlled: 0,
        signQuickExit: 0,
        anotherInterpreter: 0,
      },
      suppressed: [],
    });
  });

  it('hides every count under five, and a median or percentile of fewer than five people', () => {
    const s = suppress(row({ requests: 6, answered: 4, answered_1m: 1, answered_5m: 4, unmet: 2, sessions: 4 }));
    expect(s).toMatchObject({ requests: 5, answered: null, answeredWithin1m: null, answeredWithin5m: null, unmet: null, sessions: null });
    expect(s).toMatchObject({ medianWaitSeconds: null, p90WaitSeconds: null, medianSessionSeconds: null, p90SessionSeconds: null });
    expect(s.suppressed.sort()).toEqual(['answered', 'answeredWithin1m', 'answeredWithin5m', 'sessions', 'unmet']);
  });

  it('rounds every count shown to the nearest multiple of five', () => {
    expect([5, 6, 7, 8, 12, 13, 102].map(publishedCount)).toEqual([5, 5, 5, 10, 10, 15, 100]);
    expect(suppress(row({ requests: 7, answered: 6, answered_1m: 6, answered_5m: 6, unmet: 1, sessions: 6 }))).toMatchObject({
      requests: 5,
      answered: 5,
      unmet: null,
      sessions: 5,
    });
  });

  it('shows a true zero (nobody is identified by nothing)', () => {
    expect(suppress(row({ unmet: 0 }))).toMatchObject({ unmet: 0, suppressed: [] });
  });
});

describe('what was said after the calls', () => {
  it('follows the same rule: 0 is 0, 1 to 4 hidden (and listed), the rest rounded to 5', () => {
    const s = suppress(row({ after_call: { feedbackHelped: 7, feedbackUnsure: 3, signControlled: 0, anotherInterpreter: 12 } }));
    expect(s.afterCall).toMatchObject({ feedbackHelped: 5, feedbackUnsure: null, signControlled: 0, anotherInterpreter: 10 });
    expect(s.suppressed).toEqual(['feedbackUnsure']);
    // Her say before the call ("not from my country"), alike.
    expect(suppress(row({ not_from_country: 7 })).notFromCountry).toBe(5);
    expect(suppress(row({ not_from_country: 2 }))).toMatchObject({ notFromCountry: null, suppressed: ['notFromCountry'] });
  });
});
