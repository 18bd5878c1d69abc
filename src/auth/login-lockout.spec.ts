import { FIRST_DELAY_SECONDS, pairDelaySeconds } from './login-lockout';

describe('pairDelaySeconds', () => {
  it('lets the free failures through, then doubles the delay with each failure, up to the cap', () => {
    const delays = Array.from({ length: 10 }, (_, i) => pairDelaySeconds(i + 1, 5, 900));
    expect(delays).toEqual([0, 0, 0, 0, FIRST_DELAY_SECONDS, 60, 120, 240, 480, 900]);
  });

  it('stays at the cap however many failures (no overflow)', () => {
    expect(pairDelaySeconds(10_000, 5, 900)).toBe(900);
  });
});
