import { Logger } from '@nestjs/common';
import { COUNTRY_CODES } from '../src/common/countries';
import { CallerReach } from '../src/matching/caller-reach';
import { RostersService } from '../src/rosters/rosters.service';
import { startTestApp, type TestApp } from './utils/test-app';

const WARNING = /can never be matched: HOME_COUNTRY is not set and no roster is shared with every member state/;

/** A caller may skip "where are you now": the node says at start-up when such a caller could never be served. */
describe('start-up warning: a caller who gives no country and nobody who could serve her', () => {
  let t: TestApp | undefined;
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn');
  });
  afterEach(async () => {
    warn.mockRestore();
    await t?.close();
    t = undefined;
  });
  const warned = () => warn.mock.calls.some(([m]) => WARNING.test(String(m)));

  it('warns with no HOME_COUNTRY and no roster shared with all; sharing one with every member state makes her reachable', async () => {
    t = await startTestApp({ media: false });
    expect(warned()).toBe(true);
    const reach = t.app.get(CallerReach);
    await expect(reach.withoutCountry()).resolves.toBeNull();
    const rosters = t.app.get(RostersService);
    // Shared with all but one: still not "every member state", still unreachable.
    await rosters.setSharing(
      'HN',
      COUNTRY_CODES.filter((c) => c !== 'HN' && c !== 'US'),
      null,
    );
    await expect(reach.withoutCountry()).resolves.toBeNull();
    await rosters.setSharing(
      'HN',
      COUNTRY_CODES.filter((c) => c !== 'HN'),
      null,
    );
    await expect(reach.withoutCountry()).resolves.toEqual({ via: 'open', countries: ['HN'] });
  }, 60_000);

  it('says nothing when HOME_COUNTRY is set', async () => {
    t = await startTestApp({ media: false, HOME_COUNTRY: 'MX' });
    expect(warned()).toBe(false);
    await expect(t.app.get(CallerReach).withoutCountry()).resolves.toEqual({ via: 'home', country: 'MX' });
  }, 60_000);
});
