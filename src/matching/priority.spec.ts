import { compareWaiting, OFFERS_AT_ONCE_SQL, offersAtOnce, urgencyRank } from './priority';

describe('waiting order', () => {
  const at = (s: number) => new Date(2026, 0, 1, 0, 0, s);
  it('serves emergency, then urgent, then normal; minors first within an urgency; then oldest', () => {
    const list = [
      { id: 'normal-old', priority: urgencyRank('normal'), minor: false, queuedAt: at(0) },
      { id: 'urgent-adult', priority: urgencyRank('urgent'), minor: false, queuedAt: at(1) },
      { id: 'normal-minor', priority: urgencyRank('normal'), minor: true, queuedAt: at(5) },
      { id: 'emergency', priority: urgencyRank('emergency'), minor: false, queuedAt: at(9) },
      { id: 'urgent-minor', priority: urgencyRank('urgent'), minor: true, queuedAt: at(8) },
      { id: 'normal-young', priority: urgencyRank('normal'), minor: false, queuedAt: at(3) },
    ];
    expect(list.sort(compareWaiting).map((r) => r.id)).toEqual([
      'emergency',
      'urgent-minor',
      'urgent-adult',
      'normal-minor',
      'normal-old',
      'normal-young',
    ]);
  });

  it('rings three interpreters at once for an emergency only', () => {
    expect(offersAtOnce('emergency')).toBe(3);
    expect(offersAtOnce('urgent')).toBe(1);
    expect(offersAtOnce('normal')).toBe(1);
  });
});

describe('the same rules in SQL', () => {
  it('rings as many at once in SQL as in code', () => {
    expect(OFFERS_AT_ONCE_SQL('r.urgency')).toBe("CASE r.urgency WHEN 'normal' THEN 1 WHEN 'urgent' THEN 1 WHEN 'emergency' THEN 3 END");
  });
});
