import { ConfigError, loadConfig } from './config.schema';

describe('loadConfig', () => {
  it('has local defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/puente');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.MEDIASOUP_WORKERS).toBeGreaterThanOrEqual(1);
    expect(c.TURN_URLS).toEqual([]);
  });

  it('reads lists and numbers', () => {
    const c = loadConfig({ PORT: '3100', TURN_URLS: 'turn:a.example:3478, turns:b.example:5349', MEDIASOUP_WORKERS: '3' });
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
    [{ NODE_ENV: 'production' }, /JWT_SECRET must be set in production/],
    [{ MEDIASOUP_WORKERS: '0' }, /MEDIASOUP_WORKERS must not be less than 1/],
    [{ MEDIASOUP_RTC_PORT: '80' }, /MEDIASOUP_RTC_PORT/],
    [{ MEDIASOUP_LISTEN_IP: 'everywhere' }, /MEDIASOUP_LISTEN_IP must be an ip address/],
    [{ TURN_URLS: 'stun:x.example' }, /TURN_URLS/],
    [{ PUBLIC_ORIGINS: 'example.org' }, /PUBLIC_ORIGINS/],
    [{ HOME_COUNTRY: 'Guatemala' }, /HOME_COUNTRY/],
    [{ RETENTION_DAYS: '0' }, /RETENTION_DAYS/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('lists every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', REDIS_URL: 'nope' })).toThrow(/PORT[\s\S]*REDIS_URL/);
  });
});
