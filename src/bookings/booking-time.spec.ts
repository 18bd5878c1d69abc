import { localIso, parseStart } from './booking-time';

describe('hearing start times', () => {
  it('reads an instant with an offset as that instant', () => {
    expect(parseStart('2027-03-15T09:00:00-04:00', 'America/Guatemala')).toEqual({ ok: true, at: new Date('2027-03-15T13:00:00Z') });
    expect(parseStart('2027-03-15T13:00Z', 'America/New_York')).toEqual({ ok: true, at: new Date('2027-03-15T13:00:00Z') });
  });

  it('reads a wall-clock time with the rules of its zone on that date, across a daylight-saving change', () => {
    // The United States moves to daylight time on 14 March 2027.
    expect(parseStart('2027-03-08T09:00', 'America/New_York')).toEqual({ ok: true, at: new Date('2027-03-08T14:00:00Z') });
    expect(parseStart('2027-03-15T09:00', 'America/New_York')).toEqual({ ok: true, at: new Date('2027-03-15T13:00:00Z') });
    // Guatemala keeps no daylight time.
    expect(parseStart('2027-03-15T09:00', 'America/Guatemala')).toEqual({ ok: true, at: new Date('2027-03-15T15:00:00Z') });
  });

  it('refuses a wall-clock time that a daylight-saving change skips, and an impossible date', () => {
    const gap = parseStart('2027-03-14T02:30', 'America/New_York');
    expect(gap.ok).toBe(false);
    expect(!gap.ok && gap.message).toMatch(/does not exist in America\/New_York/);
    const bad = parseStart('2027-02-30T09:00', 'America/New_York');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/^startsAt is not a valid date/);
  });

  it('shows an instant with the offset of the zone at that date', () => {
    expect(localIso(new Date('2027-03-08T14:00:00Z'), 'America/New_York')).toBe('2027-03-08T09:00:00-05:00');
    expect(localIso(new Date('2027-03-15T13:00:00Z'), 'America/New_York')).toBe('2027-03-15T09:00:00-04:00');
  });
});
