import { randomUUID } from 'node:crypto';
import { createStaff, startTestApp, TestApp } from '../utils/test-app';

/**
 * Attack 8 of issue 11: a roster admin of another country created a second login for an existing interpreter;
 * that login took a call and the caller saw the real interpreter's first name. An interpreter has one login
 * (a unique index), and only an admin of her roster's country (or a platform admin) may make it.
 */
describe('attack 8: a second login for an existing interpreter', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ media: false });
  });
  afterAll(() => t?.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const rosterEntry = async (country: string) =>
    (
      await t.sql<{ id: string }>(
        `INSERT INTO interpreters (country, external_id, first_name, email) VALUES ($1, $2, 'Rosa', $3) RETURNING id`,
        [country, `il-${randomUUID().slice(0, 8)}`, `il-${randomUUID().slice(0, 8)}@test.puente.example`],
      )
    )[0].id;
  const body = (interpreterId: string, extra: Record<string, string> = {}) => ({
    role: 'interpreter',
    email: `login-${randomUUID().slice(0, 8)}@test.puente.example`,
    password: 'Strong-Password-1',
    interpreterId,
    ...extra,
  });
  const loginsOf = async (interpreterId: string) => (await t.sql(`SELECT id FROM users WHERE interpreter_id = $1`, [interpreterId])).length;

  it("refuses another country's roster admin (404, whether or not she has a login, whatever country is sent)", async () => {
    const mx = await createStaff(t, 'roster_admin', { country: 'MX' });
    const withLogin = await rosterEntry('GT');
    await createStaff(t, 'interpreter', { country: 'GT', interpreterId: withLogin });
    const without = await rosterEntry('GT');
    for (const id of [withLogin, without]) {
      const answers = [
        await t.http().post('/api/v1/users').set(bearer(mx.token)).send(body(id)),
        await t
          .http()
          .post('/api/v1/users')
          .set(bearer(mx.token))
          .send(body(id, { country: 'GT' })),
      ];
      expect(answers.map((r) => r.status)).toEqual([404, 404]);
    }
    expect([await loginsOf(withLogin), await loginsOf(without)]).toEqual([1, 0]);
  });

  it('refuses a second login for her (409 naming interpreterId), from her own roster admin or a platform admin', async () => {
    const gt = await createStaff(t, 'roster_admin', { country: 'GT' });
    const platform = await createStaff(t, 'platform_admin');
    const id = await rosterEntry('GT');
    await t.http().post('/api/v1/users').set(bearer(gt.token)).send(body(id)).expect(201);
    for (const [token, extra] of [
      [gt.token, {}],
      [platform.token, { country: 'GT' }],
    ] as const) {
      const res = await t.http().post('/api/v1/users').set(bearer(token)).send(body(id, extra)).expect(409);
      expect(res.body.fields).toEqual(['interpreterId']);
      expect(res.body.message).toEqual([`interpreterId ${id} already has a login`]);
    }
    expect(await loginsOf(id)).toBe(1);
  });

  it('makes exactly one of three logins asked at the same moment (the database decides)', async () => {
    const gt = await createStaff(t, 'roster_admin', { country: 'GT' });
    const id = await rosterEntry('GT');
    const answers = await Promise.all([1, 2, 3].map(() => t.http().post('/api/v1/users').set(bearer(gt.token)).send(body(id))));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    for (const r of answers.filter((r) => r.status === 409)) expect(r.body.fields).toEqual(['interpreterId']);
    expect(await loginsOf(id)).toBe(1);
  });
});
