import { cpus } from 'node:os';
import { COUNTRY_CODES } from '../common/countries';
import { ConfigError, DEV_JWT_SECRET, loadConfig as loadStrict } from './config.schema';

/** Most cases are about something else than the JWT_SECRET rule: run them as tests run (NODE_ENV=test). */
const loadConfig = (env: Record<string, string>) => loadStrict({ NODE_ENV: 'test', ...env });

describe('loadConfig', () => {
  it('has local defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/puente');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.TURN_URLS).toEqual([]);
  });

  it('starts one mediasoup worker per core by default', () => {
    expect(cpus().length).toBeGreaterThanOrEqual(1);
    expect(loadConfig({}).MEDIASOUP_WORKERS).toBe(cpus().length);
  });

  it('reads lists and numbers', () => {
    const c = loadConfig({
      PORT: '3100',
      TURN_URLS: 'turn:a.example:3478, turns:b.example:5349',
      TURN_SECRET: 'a-shared-secret-of-length',
      MEDIASOUP_WORKERS: '3',
    });
    expect(c.PORT).toBe(3100);
    expect(c.MEDIASOUP_WORKERS).toBe(3);
    expect(c.TURN_URLS).toEqual(['turn:a.example:3478', 'turns:b.example:5349']);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must not be greater than 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres:\/\/ URL/],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32 characters/],
    [{ NODE_ENV: 'production' }, /JWT_SECRET is required \(32 or more random characters.*\) unless NODE_ENV is development or test/],
    [{ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET }, /JWT_SECRET must not be the published development value/],
    [{ MEDIASOUP_WORKERS: '0' }, /MEDIASOUP_WORKERS must not be less than 1/],
    [{ MEDIASOUP_RTC_PORT: '80' }, /MEDIASOUP_RTC_PORT/],
    [{ MEDIASOUP_LISTEN_IP: 'everywhere' }, /MEDIASOUP_LISTEN_IP must be an ip address/],
    [
      { TURN_URLS: 'stun:x.example', TURN_SECRET: 'a-shared-secret-of-length' },
      /TURN_URLS must be a comma-separated list of turn: or turns: URLs/,
    ],
    [{ TURN_URLS: 'turn:x.example:3478' }, /TURN_URLS needs credentials: set TURN_SECRET/],
    [{ TURN_URLS: 'turn:x.example:3478', TURN_USERNAME: 'u' }, /TURN_USERNAME and TURN_CREDENTIAL must be set together/],
    [{ TURN_URLS: 'turn:x.example:3478', TURN_CREDENTIAL: 'p' }, /TURN_USERNAME and TURN_CREDENTIAL must be set together/],
    [
      { TURN_URLS: 'turn:x.example:3478', TURN_USERNAME: 'u', TURN_CREDENTIAL: 'p', TURN_SECRET: 'a-shared-secret-of-length' },
      /TURN_SECRET and TURN_USERNAME\/TURN_CREDENTIAL are exclusive/,
    ],
    [{ PUBLIC_ORIGINS: 'example.org' }, /PUBLIC_ORIGINS/],
    [{ HOME_COUNTRY: 'Guatemala' }, /HOME_COUNTRY must be the code of an RCM country: one of BZ, CA/],
    [{ HOME_COUNTRY: 'FR' }, /HOME_COUNTRY must be the code of an RCM country/],
    [{ HOME_COUNTRY: 'gt' }, /HOME_COUNTRY must be the code of an RCM country/],
    [
      { MEDIASOUP_ANNOUNCED_ADDRESS: 'not an address' },
      /MEDIASOUP_ANNOUNCED_ADDRESS must be an IP address \(not 0\.0\.0\.0 or ::\) or a host name \(got "not an address"\)/,
    ],
    [{ MEDIASOUP_ANNOUNCED_ADDRESS: 'https://media.example.org' }, /MEDIASOUP_ANNOUNCED_ADDRESS must be an IP address/],
    [{ MEDIASOUP_ANNOUNCED_ADDRESS: '999.1.1.1' }, /MEDIASOUP_ANNOUNCED_ADDRESS must be an IP address/],
    [{ MEDIASOUP_ANNOUNCED_ADDRESS: '0.0.0.0' }, /MEDIASOUP_ANNOUNCED_ADDRESS must be an IP address/],
    [{ MEDIASOUP_ANNOUNCED_ADDRESS: '::' }, /MEDIASOUP_ANNOUNCED_ADDRESS must be an IP address/],
    [{ MEDIASOUP_ANNOUNCED_ADDRESS: 'media_1.example.org' }, /MEDIASOUP_ANNOUNCED_ADDRESS must be an IP address/],
    [{ RETENTION_DAYS: '0' }, /RETENTION_DAYS/],
    [{ VAPID_PUBLIC_KEY: 'B'.repeat(87) }, /VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set together/],
    [{ VAPID_PUBLIC_KEY: 'short', VAPID_PRIVATE_KEY: 'a'.repeat(43) }, /VAPID_PUBLIC_KEY must be a base64url P-256 public key/],
    [{ VAPID_PUBLIC_KEY: 'B'.repeat(87), VAPID_PRIVATE_KEY: 'a+b' }, /VAPID_PRIVATE_KEY must be a base64url P-256 private key/],
    [{ VAPID_SUBJECT: 'operator@example.org' }, /VAPID_SUBJECT must be a mailto: or https: URL/],
    [{ WRAPUP_SECONDS: 'violence:180,health:60' }, /WRAPUP_SECONDS: "health" is not a matter/],
    [{ WRAPUP_SECONDS: 'violence=180' }, /WRAPUP_SECONDS must be matter:seconds pairs/],
    [{ WEB_PUSH_ALLOWED_ORIGINS: 'fcm.googleapis.com' }, /WEB_PUSH_ALLOWED_ORIGINS must be a comma-separated list of origins/],
    [{ WEB_PUSH_ALLOWED_ORIGINS: 'https://fcm.googleapis.com/fcm/send' }, /WEB_PUSH_ALLOWED_ORIGINS must be a comma-separated list/],
    [{ OFFER_SEEN_SECONDS: '0' }, /OFFER_SEEN_SECONDS/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it.each(['203.0.113.10', '2001:db8::10', 'localhost', 'media.puente.example.org', 'MEDIA-1'])(
    'announces %s (an IP address or a host name)',
    (address) => {
      expect(loadConfig({ MEDIASOUP_ANNOUNCED_ADDRESS: address }).MEDIASOUP_ANNOUNCED_ADDRESS).toBe(address);
    },
  );

  it.each(COUNTRY_CODES)('accepts HOME_COUNTRY=%s', (code) => {
    expect(loadConfig({ HOME_COUNTRY: code }).HOME_COUNTRY).toBe(code);
  });

  it('accepts TURN_URLS with a shared secret or with static credentials', () => {
    expect(loadConfig({ TURN_URLS: 'turn:x.example:3478', TURN_SECRET: 'a-shared-secret-of-length' }).TURN_URLS).toEqual([
      'turn:x.example:3478',
    ]);
    expect(loadConfig({ TURN_URLS: 'turn:x.example:3478', TURN_USERNAME: 'u', TURN_CREDENTIAL: 'p' }).TURN_USERNAME).toBe('u');
  });

  describe('JWT_SECRET', () => {
    const own = 'an-operator-secret-of-32-characters-or-more';

    it('is required when NODE_ENV is unset (production), and the development value is refused there', () => {
      expect(() => loadStrict({})).toThrow(/JWT_SECRET is required .*NODE_ENV is production/);
      expect(() => loadStrict({ JWT_SECRET: DEV_JWT_SECRET })).toThrow(/JWT_SECRET must not be the published development value/);
      expect(loadStrict({ JWT_SECRET: own })).toMatchObject({ NODE_ENV: 'production', JWT_SECRET: own });
    });

    it.each(['development', 'test'])('may be left out when NODE_ENV is %s', (NODE_ENV) => {
      expect(loadStrict({ NODE_ENV }).JWT_SECRET).toBe(DEV_JWT_SECRET);
    });

    it('is not asked by commands that sign no token (migrate, create-admin), but must still be long if given', () => {
      expect(loadStrict({}, { signsTokens: false }).NODE_ENV).toBe('production');
      expect(() => loadStrict({ JWT_SECRET: 'short' }, { signsTokens: false })).toThrow(/JWT_SECRET must be at least 32 characters/);
    });
  });

  describe('durations', () => {
    it.each([
      ['MATCHING_SWEEP_MS', '500', 'MATCHING_SWEEP_SECONDS=0.5'],
      ['BOOKING_SWEEP_MS', '60000', 'BOOKING_SWEEP_SECONDS=60'],
      ['RETENTION_PURGE_EVERY_MS', '21600000', 'RETENTION_PURGE_EVERY_SECONDS=21600'],
    ])('refuses the old name %s, naming the new one in seconds', (old, value, instead) => {
      expect(() => loadConfig({ [old]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [old]: value })).toThrow(
        `${old} is no longer read: set ${instead.split('=')[0]} instead, in seconds: ${old}=${value} is ${instead}`,
      );
    });

    it('refuses an old name even beside the new one, and whatever its value', () => {
      expect(() => loadConfig({ MATCHING_SWEEP_SECONDS: '1', MATCHING_SWEEP_MS: 'soon' })).toThrow(
        /MATCHING_SWEEP_MS is no longer read: set MATCHING_SWEEP_SECONDS instead/,
      );
    });

    it('reads the sweeps in seconds, a decimal allowed, and every other duration as a whole number', () => {
      const c = loadConfig({ MATCHING_SWEEP_SECONDS: '0.5', BOOKING_SWEEP_SECONDS: '3600', RETENTION_PURGE_EVERY_SECONDS: '3600' });
      expect([c.MATCHING_SWEEP_SECONDS, c.BOOKING_SWEEP_SECONDS, c.RETENTION_PURGE_EVERY_SECONDS]).toEqual([0.5, 3600, 3600]);
      expect(loadConfig({}).MATCHING_SWEEP_SECONDS).toBe(5);
      expect(() => loadConfig({ OFFER_RING_SECONDS: '2.5' })).toThrow(/OFFER_RING_SECONDS must be a whole number/);
      expect(() => loadConfig({ MATCHING_SWEEP_SECONDS: 'half' })).toThrow(
        /MATCHING_SWEEP_SECONDS must be a number of seconds such as 5 or 0.5/,
      );
      expect(() => loadConfig({ MATCHING_SWEEP_SECONDS: '0.1' })).toThrow(/MATCHING_SWEEP_SECONDS must not be less than 0.2/);
    });

    it('names every duration with its unit spelled out (seconds, minutes or days), never milliseconds', () => {
      const names = Object.keys(loadConfig({}));
      expect(names.filter((n) => /_(MS|MILLIS|MSEC|SECS?|MINS?|HOURS)$/.test(n))).toEqual([]);
    });
  });

  it('lists every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', REDIS_URL: 'nope' })).toThrow(/PORT[\s\S]*REDIS_URL/);
  });
});
