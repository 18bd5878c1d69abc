import { parseWrapupSeconds } from './wrapup-seconds';

describe('WRAPUP_SECONDS', () => {
  it('defaults to a minute after a legal call and three after violence or trafficking', () => {
    expect(parseWrapupSeconds('legal:60,violence:180,trafficking:180,other:60')).toEqual({
      seconds: { legal_civil: 60, legal_labour: 60, legal_criminal: 60, violence: 180, trafficking: 180, other: 60 },
    });
  });

  it('overrides the defaults per matter, `legal` naming the three legal ones', () => {
    expect(parseWrapupSeconds(' violence : 300 , legal_labour:0')).toEqual({
      seconds: { legal_civil: 60, legal_labour: 0, legal_criminal: 60, violence: 300, trafficking: 180, other: 60 },
    });
  });

  it('takes one number for every matter', () => {
    expect(parseWrapupSeconds('0')).toEqual({
      seconds: { legal_civil: 0, legal_labour: 0, legal_criminal: 0, violence: 0, trafficking: 0, other: 0 },
    });
  });

  it.each([
    ['health:60', /"health" is not a matter/],
    ['violence:-1', /"violence" must have a whole number of seconds from 0 to 1800/],
    ['violence:1801', /from 0 to 1800/],
    ['violence:1.5', /from 0 to 1800/],
    ['violence', /must be matter:seconds pairs/],
    ['violence:60:2', /must be matter:seconds pairs/],
    ['', /must be matter:seconds pairs/],
  ])('refuses %p, naming the setting', (value, message) => {
    const parsed = parseWrapupSeconds(value);
    expect(parsed).toEqual({ problems: expect.arrayContaining([expect.stringMatching(message)]) });
    expect('problems' in parsed && parsed.problems.every((p) => p.startsWith('WRAPUP_SECONDS'))).toBe(true);
  });
});
