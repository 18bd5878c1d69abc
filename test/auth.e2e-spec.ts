import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { MATCHING_QUEUE } from '../src/matching/matching.service';
import { createStaff, startTestApp, TestApp, TEST_PASSWORD } from './utils/test-app';

describe('auth and roles (PostgreSQL, Redis)', () => {
  let t: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    t = await startTestApp({ media: false, MATCHING_SWEEP_SECONDS: '60' });
    redis = new Redis(t.config.REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  /**
   * Every table's row count, and every Redis key under this app's prefix that holds data: what any write by a
   * request would change. Left out are what Bull changes by the clock: its queue bookkeeping (job counters,
   * wait/delayed/active lists, the stalled check) and the sweeps' repeat-job instances
   * (`bull:<queue>:repeat:<hash>:<time>`), which a sweep replaces whenever it runs. A job a request adds still
   * shows: every job of Puente has a named id and keeps its key until its delay ends.
   */
  async function storedState() {
    const tables = await t.sql<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    const rows: Record<string, number> = {};
    for (const { name } of tables) rows[name] = (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${name}"`))[0].n;
    const prefix = t.config.REDIS_PREFIX;
    const bullBookkeeping =
      /:bull:[^:]+:(id|wait|delayed|active|paused|meta-paused|stalled|stalled-check|priority|limiter|completed|failed)$/;
    const sweepInstance = /:bull:[^:]+:repeat:[^:]+:\d+(:lock|:logs)?$/;
    // Rate-limit counters are per client address (a keyed hash, expiring within the hour), never per caller.
    const keys = (await redis.keys(`${prefix}:*`))
      .filter((k) => !bullBookkeeping.test(k) && !sweepInstance.test(k) && !k.startsWith(`${prefix}:{rl:`))
      .sort();
    return { rows, keys };
  }

  it('logs a staff member in and audits it', async () => {
    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const res = await t.http().post('/api/v1/auth/login').send({ email: admin.email, password: TEST_PASSWORD }).expect(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), role: 'roster_admin' });
    const events = await t.sql(`SELECT type, actor_id FROM audit_events WHERE type = 'auth.login' AND actor_id = $1`, [admin.id]);
    expect(events.length).toBeGreaterThanOrEqual(1);
  });

  it('refuses a wrong password and an unknown email alike, and audits the failure', async () => {
    const admin = await createStaff(t, 'official', { country: 'MX' });
    const wrong = await t.http().post('/api/v1/auth/login').send({ email: admin.email, password: 'not-the-password' }).expect(401);
    const unknown = await t.http().post('/api/v1/auth/login').send({ email: 'nobody@test.puente.example', password: 'x' }).expect(401);
    expect(wrong.body.message).toBe(unknown.body.message);
    const failures = await t.sql(`SELECT 1 FROM audit_events WHERE type = 'auth.login_failed'`);
    expect(failures.length).toBe(2);
  });

  it('names the bad fields of a login body and rejects unknown fields', async () => {
    const res = await t.http().post('/api/v1/auth/login').send({ email: 'not-an-email', password: 'x', extra: 1 }).expect(400);
    expect(res.body.fields).toEqual(expect.arrayContaining(['email', 'extra']));
  });

  it('gives an anonymous caller a token and stores nothing about her, in PostgreSQL or Redis', async () => {
    const before = await storedState();
    expect(Object.keys(before.rows)).toEqual(expect.arrayContaining(['users', 'audit_events', 'interpretation_requests', 'languages']));
    expect(before.keys.length).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      const res = await t.http().post('/api/v1/auth/caller').send({}).expect(200);
      expect(res.body.accessToken).toEqual(expect.any(String));
      // ...nor when she uses it on the routes a caller reads.
      const auth = { Authorization: `Bearer ${res.body.accessToken}` };
      await t.http().get('/api/v1/languages').query({ q: 'mam' }).set(auth).expect(200);
      await t.http().get('/api/v1/matters').set(auth).expect(200);
    }
    expect(await storedState()).toEqual(before);
  });

  it('would see a row or a Redis key that a request stored (the check above can fail)', async () => {
    const before = await storedState();
    await createStaff(t, 'official', { country: 'GT' });
    const afterLogin = await storedState();
    expect(afterLogin.rows.users).toBe(before.rows.users + 1);
    expect(afterLogin.rows.audit_events).toBeGreaterThan(before.rows.audit_events);
    await redis.set(`${t.config.REDIS_PREFIX}:probe`, '1');
    try {
      expect((await storedState()).keys).toContain(`${t.config.REDIS_PREFIX}:probe`);
    } finally {
      await redis.del(`${t.config.REDIS_PREFIX}:probe`);
    }
    // A delayed job like the caller's grace timer, named as matching names its jobs.
    const queue = t.app.get<Queue>(getQueueToken(MATCHING_QUEUE));
    const job = await queue.add('caller-grace', { sub: 'probe' }, { jobId: 'caller-grace:probe', delay: 60_000 });
    try {
      expect((await storedState()).keys).toContain(`${t.config.REDIS_PREFIX}:bull:${MATCHING_QUEUE}:caller-grace:probe`);
    } finally {
      await job.remove();
    }
  });

  it('rejects missing, forged and revoked tokens with 401', async () => {
    await t.http().post('/api/v1/users').send({}).expect(401);
    await t.http().post('/api/v1/users').set('Authorization', 'Bearer nonsense').send({}).expect(401);
    const admin = await createStaff(t, 'platform_admin');
    await t.sql(`UPDATE users SET tokens_valid_after = now() + interval '1 minute' WHERE id = $1`, [admin.id]);
    await t.http().post('/api/v1/users').set('Authorization', `Bearer ${admin.token}`).send({}).expect(401);
  });

  describe('POST /users and role guards', () => {
    it('lets a platform admin create any staff account', async () => {
      const admin = await createStaff(t, 'platform_admin');
      const court = await t
        .http()
        .post('/api/v1/institutions')
        .set('Authorization', `Bearer ${admin.token}`)
        .send({ country: 'HN', name: 'Juzgado 3', kind: 'court' })
        .expect(201);
      const res = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${admin.token}`)
        .send({ role: 'official', email: 'Judge@Court.example', password: 'Strong-Password-1', institutionId: court.body.id })
        .expect(201);
      expect(res.body).toMatchObject({ email: 'judge@court.example', role: 'official', country: 'HN', institutionId: court.body.id });
      await t.http().post('/api/v1/auth/login').send({ email: 'judge@court.example', password: 'Strong-Password-1' }).expect(200);
    });

    it('refuses a duplicate email (409) and a weak password (400 naming password)', async () => {
      const admin = await createStaff(t, 'platform_admin');
      const body = { role: 'platform_admin', email: 'dup@test.puente.example', password: 'Strong-Password-1' };
      await t.http().post('/api/v1/users').set('Authorization', `Bearer ${admin.token}`).send(body).expect(201);
      await t.http().post('/api/v1/users').set('Authorization', `Bearer ${admin.token}`).send(body).expect(409);
      const weak = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${admin.token}`)
        .send({ ...body, email: 'weak@test.puente.example', password: 'short' })
        .expect(400);
      expect(weak.body.fields).toEqual(['password']);
    });

    it('keeps a roster admin inside her country (another country is outside it: 404; a platform admin is 403)', async () => {
      const gt = await createStaff(t, 'roster_admin', { country: 'GT' });
      const auth = { Authorization: `Bearer ${gt.token}` };
      const fiscalia = await t
        .http()
        .post('/api/v1/institutions')
        .set(auth)
        .send({ country: 'GT', name: 'Fiscalía', kind: 'prosecutor' })
        .expect(201);
      const own = await t
        .http()
        .post('/api/v1/users')
        .set(auth)
        .send({ role: 'official', email: 'fiscal@gt.example', password: 'Strong-Password-1', institutionId: fiscalia.body.id })
        .expect(201);
      expect(own.body.country).toBe('GT');
      await t
        .http()
        .post('/api/v1/users')
        .set(auth)
        .send({
          role: 'official',
          email: 'fiscal@mx.example',
          password: 'Strong-Password-1',
          institutionId: fiscalia.body.id,
          country: 'MX',
        })
        .expect(404);
      await t
        .http()
        .post('/api/v1/users')
        .set(auth)
        .send({ role: 'platform_admin', email: 'boss@gt.example', password: 'Strong-Password-1' })
        .expect(403);
      const written = await t.sql(`SELECT email FROM users WHERE email IN ('fiscal@mx.example', 'boss@gt.example')`);
      expect(written).toEqual([]);
    });

    it("creates an interpreter account only for an interpreter of the admin's own roster", async () => {
      const gt = await createStaff(t, 'roster_admin', { country: 'GT' });
      const auth = { Authorization: `Bearer ${gt.token}` };
      const [own] = await t.sql<{ id: string }>(
        `INSERT INTO interpreters (country, external_id, first_name, email) VALUES ('GT', 'acct-1', 'Ana', 'acct-1@test.puente.example') RETURNING id`,
      );
      const [mx] = await t.sql<{ id: string }>(
        `INSERT INTO interpreters (country, external_id, first_name, email) VALUES ('MX', 'acct-2', 'Lucía', 'acct-2@test.puente.example') RETURNING id`,
      );
      const body = { role: 'interpreter', email: 'ana.acct@gt.example', password: 'Strong-Password-1', interpreterId: own.id };
      const res = await t.http().post('/api/v1/users').set(auth).send(body).expect(201);
      expect(res.body).toMatchObject({ role: 'interpreter', country: 'GT', interpreterId: own.id });
      await t
        .http()
        .post('/api/v1/users')
        .set(auth)
        .send({ ...body, email: 'lucia.acct@gt.example', interpreterId: mx.id })
        .expect(404);
      await t
        .http()
        .post('/api/v1/users')
        .set(auth)
        .send({ ...body, email: 'nobody.acct@gt.example', interpreterId: '00000000-0000-4000-8000-000000000000' })
        .expect(404);
      const missing = await t
        .http()
        .post('/api/v1/users')
        .set(auth)
        .send({ ...body, email: 'none.acct@gt.example', interpreterId: undefined })
        .expect(400);
      expect(missing.body.fields).toEqual(['interpreterId']);
    });

    describe('the database itself links interpreter accounts to their roster entry', () => {
      const insert = (role: string, country: string | null, interpreterId: string | null, institution: string | null = null) =>
        t.sql(
          `INSERT INTO users (email, password_hash, role, country, institution_id, interpreter_id) VALUES ($1, 'x', $2, $3, (SELECT id FROM institutions WHERE name = $4), $5)`,
          [`db-${Math.random().toString(36).slice(2)}@test.puente.example`, role, country, institution, interpreterId],
        );
      let gtInterpreter: string;
      // One without an account, for the refusals below (a second account for gtInterpreter is refused anyway).
      let gtFree: string;
      beforeAll(async () => {
        [{ id: gtInterpreter }, { id: gtFree }] = await t.sql<{ id: string }>(
          `INSERT INTO interpreters (country, external_id, first_name, email)
           VALUES ('GT', 'db-1', 'Rosa', 'db-1@test.puente.example'), ('GT', 'db-2', 'Eva', 'db-2@test.puente.example') RETURNING id`,
        );
        await t.sql(`INSERT INTO institutions (country, name, kind) VALUES ('GT', 'Juzgado', 'court') ON CONFLICT DO NOTHING`);
      });

      it('accepts an interpreter account naming an interpreter of her country', async () => {
        await expect(insert('interpreter', 'GT', gtInterpreter)).resolves.toEqual([]);
      });

      it.each([
        ['an interpreter account without an interpreter', 'interpreter', 'GT', null, null, /users_interpreter_id_iff_interpreter/],
        ['an interpreter that does not exist', 'interpreter', 'GT', '00000000-0000-4000-8000-000000000000', null, /users_interpreter_fk/],
        ["another country's interpreter", 'interpreter', 'MX', 'GT-ROW', null, /users_interpreter_fk/],
        ['an interpreter account without a country', 'interpreter', null, 'GT-ROW', null, /users_interpreter_has_country/],
        ['an official pointing at an interpreter', 'official', 'GT', 'GT-ROW', 'Juzgado', /users_interpreter_id_iff_interpreter/],
        ['a second account for an interpreter who has one', 'interpreter', 'GT', 'GT-TAKEN', null, /users_interpreter_id_unique/],
      ])('refuses %s', async (_what, role, country, interpreterId, institution, constraint) => {
        const id = interpreterId === 'GT-ROW' ? gtFree : interpreterId === 'GT-TAKEN' ? gtInterpreter : interpreterId;
        await expect(insert(role as string, country as string | null, id as string | null, institution as string | null)).rejects.toThrow(
          constraint as RegExp,
        );
      });

      it('keeps an interpreter that an account speaks for', async () => {
        await expect(t.sql(`DELETE FROM interpreters WHERE id = $1`, [gtInterpreter])).rejects.toThrow(/users_interpreter_fk/);
      });
    });

    it.each(['official', 'interpreter'] as const)('forbids %s from creating accounts (403)', async (role) => {
      const someone = await createStaff(t, role, { country: 'PA' });
      await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${someone.token}`)
        .send({
          role: 'official',
          email: 'x@y.example',
          password: 'Strong-Password-1',
          country: 'PA',
          institutionId: '00000000-0000-4000-8000-000000000000',
        })
        .expect(403);
    });

    it('forbids a caller token from staff routes (403)', async () => {
      const { body } = await t.http().post('/api/v1/auth/caller').send({}).expect(200);
      await t.http().post('/api/v1/users').set('Authorization', `Bearer ${body.accessToken}`).send({}).expect(403);
      await t.http().get('/api/v1/audit/verify').set('Authorization', `Bearer ${body.accessToken}`).expect(403);
    });
  });
  it('locks an email out from an address after repeated failed logins there, even with the right password, and audits it', async () => {
    const who = await createStaff(t, 'official', { country: 'GT' });
    const login = (password: string) => t.http().post('/api/v1/auth/login').send({ email: who.email, password });
    for (let i = 0; i < 5; i++) await login('wrong-password').expect(401);
    const locked = await login(TEST_PASSWORD).expect(429);
    expect(locked.body.message).toMatch(/too many failed logins/);
    expect(locked.body.retryAfterSeconds).toBeGreaterThan(0);
    const events = await t.sql<{ type: string; actor_id: string; data: { lockedOut?: boolean } }>(
      `SELECT type, actor_id, data FROM audit_events WHERE actor_id = $1 AND type LIKE 'auth.%' ORDER BY seq`,
      [who.id],
    );
    // (The first is the helper's own login.)
    expect(events.map((e) => e.type)).toEqual([
      'auth.login',
      ...Array(5).fill('auth.login_failed'),
      'auth.locked_out',
      'auth.login_failed',
    ]);
    expect(events[7].data).toEqual({ lockedOut: true });
    // An unknown email is counted the same way, so a lockout tells nothing about which accounts exist.
    for (let i = 0; i < 5; i++)
      await t.http().post('/api/v1/auth/login').send({ email: 'nobody-here@test.puente.example', password: 'x' }).expect(401);
    await t.http().post('/api/v1/auth/login').send({ email: 'nobody-here@test.puente.example', password: 'x' }).expect(429);
    // Another account is not affected.
    const other = await createStaff(t, 'official', { country: 'GT' });
    await t.http().post('/api/v1/auth/login').send({ email: other.email, password: TEST_PASSWORD }).expect(200);
  });

  it("revokes a staff member's tokens at once, audited; a roster admin only in her country", async () => {
    const staff = await createStaff(t, 'official', { country: 'GT' });
    const gtAdmin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const mxAdmin = await createStaff(t, 'roster_admin', { country: 'MX' });
    await t.http().get('/api/v1/bookings').set('authorization', `Bearer ${staff.token}`).expect(200);
    await t.http().post(`/api/v1/users/${staff.id}/revoke`).set('authorization', `Bearer ${mxAdmin.token}`).send({}).expect(404);
    await t.http().get('/api/v1/bookings').set('authorization', `Bearer ${staff.token}`).expect(200);
    const res = await t
      .http()
      .post(`/api/v1/users/${staff.id}/revoke`)
      .set('authorization', `Bearer ${gtAdmin.token}`)
      .send({})
      .expect(200);
    expect(res.body).toEqual({ revoked: true });
    await t.http().get('/api/v1/bookings').set('authorization', `Bearer ${staff.token}`).expect(401);
    const [event] = await t.sql<{ actor_id: string }>(
      `SELECT actor_id FROM audit_events WHERE type = 'user.tokens_revoked' AND subject_id = $1`,
      [staff.id],
    );
    expect(event.actor_id).toBe(gtAdmin.id);
    // Logging in again, at once, gives a token that works.
    const again = await t.http().post('/api/v1/auth/login').send({ email: staff.email, password: TEST_PASSWORD }).expect(200);
    await t.http().get('/api/v1/bookings').set('authorization', `Bearer ${again.body.accessToken}`).expect(200);
    await t.http().post(`/api/v1/users/${staff.id}/revoke`).set('authorization', `Bearer ${staff.token}`).send({}).expect(401);
  });
});
