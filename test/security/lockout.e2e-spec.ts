import Redis from 'ioredis';
import { EMAIL_CEILING_FACTOR, FIRST_DELAY_SECONDS } from '../../src/auth/login-lockout';
import { createStaff, startTestApp, TestApp, TEST_PASSWORD } from '../utils/test-app';

/**
 * Attack 7 of issue 11: 5 wrong passwords for her email from anywhere locked a staff member out, and repeating
 * it every 15 minutes kept her out. Failures now count per (email, address), with growing delays, and past a
 * ceiling per email only addresses that logged in to it before may still try. Addresses are told apart by
 * X-Forwarded-For, as behind the deployment's proxy (TRUST_PROXY=loopback, the default).
 */
describe('attack 7: an attacker cannot lock a staff member out', () => {
  let t: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    t = await startTestApp({ media: false });
    redis = new Redis(t.config.REDIS_URL);
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  const VICTIM_HOME = '198.51.100.20';
  const login = (email: string, password: string, from: string) =>
    t.http().post('/api/v1/auth/login').set('x-forwarded-for', from).send({ email, password });
  const max = () => t.config.LOGIN_MAX_FAILURES;

  /** A staff member who has logged in from her usual address. */
  async function victim() {
    const staff = await createStaff(t, 'official', { country: 'GT' });
    await login(staff.email, TEST_PASSWORD, VICTIM_HOME).expect(200);
    return staff;
  }

  it("lets her in from her usual address after an attacker's 50 wrong passwords from one address, which is slowed and then locked", async () => {
    const her = await victim();
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 50; i++) {
      const res = await login(her.email, `Wrong-Guess-${i}`, '203.0.113.66');
      statuses.push(res.status);
      retryAfter ??= res.headers['retry-after'];
    }
    expect(statuses.slice(0, max())).toEqual(Array(max()).fill(401));
    expect(statuses.slice(max())).toEqual(Array(50 - max()).fill(429));
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // The attacker's address is locked even with the right password...
    const locked = await login(her.email, TEST_PASSWORD, '203.0.113.66').expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body.retryAfterSeconds).toBe(Number(locked.headers['retry-after']));
    // ...and she is not.
    await login(her.email, TEST_PASSWORD, VICTIM_HOME).expect(200);
    // Nor is she from a new address: one address never reaches the email's ceiling.
    await login(her.email, TEST_PASSWORD, '192.0.2.44').expect(200);
  });

  it('makes each further failure from that address wait twice as long (the delay grows)', async () => {
    const her = await victim();
    const from = '203.0.113.67';
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      let res;
      do res = await login(her.email, 'Wrong-Guess-x', from);
      while (res.status === 401);
      expect(res.status).toBe(429);
      delays.push(Number(res.headers['retry-after']));
      // The delay has passed (without waiting for it): the next guess is counted again.
      for (const key of await redis.keys(`${t.config.REDIS_PREFIX}:login:lock:*`)) await redis.del(key);
    }
    expect(delays[0]).toBeGreaterThan(FIRST_DELAY_SECONDS / 2);
    expect(delays[0]).toBeLessThanOrEqual(FIRST_DELAY_SECONDS);
    expect(delays[1]).toBeGreaterThan(FIRST_DELAY_SECONDS);
    expect(delays[2]).toBeGreaterThan(2 * FIRST_DELAY_SECONDS);
    await login(her.email, TEST_PASSWORD, VICTIM_HOME).expect(200);
  });

  it('past the ceiling for her email (an attacker on many addresses), lets in only addresses she has logged in from', async () => {
    const her = await victim();
    const ceiling = EMAIL_CEILING_FACTOR * max();
    // Below every pair's limit: one wrong password from each of `ceiling` addresses.
    for (let i = 0; i < ceiling; i++) await login(her.email, 'Wrong-Guess-y', `203.0.113.${100 + i}`).expect(401);
    const stranger = await login(her.email, 'Wrong-Guess-z', '203.0.113.250').expect(429);
    expect(Number(stranger.headers['retry-after'])).toBeGreaterThan(0);
    // A new address is refused even with the right password (it could be the attacker who guessed it)...
    await login(her.email, TEST_PASSWORD, '192.0.2.45').expect(429);
    // ...her usual one is not.
    await login(her.email, TEST_PASSWORD, VICTIM_HOME).expect(200);
    // Another account is not touched.
    const other = await createStaff(t, 'official', { country: 'GT' });
    await login(other.email, TEST_PASSWORD, '192.0.2.45').expect(200);
  });

  it('keeps emails and addresses out of Redis in clear (keyed hashes only), and out of the audit log', async () => {
    const her = await victim();
    await login(her.email, 'Wrong-Guess-w', '203.0.113.77').expect(401);
    const keys = await redis.keys(`${t.config.REDIS_PREFIX}:login:*`);
    expect(keys.length).toBeGreaterThan(0);
    const dump = (await Promise.all(keys.map(async (k) => `${k}=${await redis.get(k)}`))).join('\n');
    for (const clear of [her.email, her.email.split('@')[0], '203.0.113.77', VICTIM_HOME]) expect(dump).not.toContain(clear);
    const audit = JSON.stringify(await t.sql(`SELECT data FROM audit_events WHERE type LIKE 'auth.%'`));
    for (const clear of [her.email, '203.0.113.77', VICTIM_HOME]) expect(audit).not.toContain(clear);
  });
});
