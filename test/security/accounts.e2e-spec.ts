import { interpreter, Person, within } from '../utils/matching-fixtures';
import { connect, handshakeError, TestSocket } from '../utils/socket-client';
import { createStaff, startTestApp, TestApp, TEST_PASSWORD } from '../utils/test-app';

/**
 * Accounts that can be disabled, enabled and removed (issue 11, item 3): by a platform admin or the roster
 * admin of the account's country only; a disabled or removed account's tokens and sockets stop at once; every
 * change audited with metadata only.
 */
describe('disabling, enabling and removing accounts', () => {
  let t: TestApp;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    t = await startTestApp({ media: false, HOME_COUNTRY: 'GT' });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t?.close();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const patch = (id: string, token: string, body: unknown) =>
    t
      .http()
      .patch(`/api/v1/users/${id}`)
      .set(bearer(token))
      .send(body as object);
  const remove = (id: string, token: string) => t.http().delete(`/api/v1/users/${id}`).set(bearer(token));
  const login = (email: string, password = TEST_PASSWORD) => t.http().post('/api/v1/auth/login').send({ email, password });
  const works = (token: string) => t.http().get('/api/v1/bookings').set(bearer(token));
  const userOf = async (p: Person) =>
    (await t.sql<{ id: string; email: string }>(`SELECT id, email FROM users WHERE interpreter_id = $1`, [p.interpreterId]))[0];
  const cut = (s: TestSocket) =>
    within(new Promise((r) => (s.socket.connected ? s.socket.once('disconnect', r) : r(null))), 10_000, 'her socket was cut');
  const events = (subject: string) =>
    t.sql<{ type: string; actor_id: string; data: unknown }>(
      `SELECT type, actor_id, data FROM audit_events WHERE subject_id = $1 AND type LIKE 'user.%' ORDER BY seq`,
      [subject],
    );

  it('disables an interpreter at once (no login, no token, no socket) and enables her again (a new login; old tokens stay dead), audited', async () => {
    const ana = await interpreter(t, { languages: 'mam:5' });
    sockets.push(ana.socket);
    const { id, email } = await userOf(ana);
    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });

    const off = await patch(id, admin.token, { disabled: true }).expect(200);
    expect(off.body).toEqual({ id, disabled: true });
    await cut(ana.socket);
    await works(ana.token).expect(401);
    const refused = await login(email).expect(403);
    expect(refused.body.message).toMatch(/disabled/);
    // A wrong password is answered as for anyone: the state of the account shows only to whoever knows it.
    expect((await login(email, 'Not-Her-Password-1').expect(401)).body.message).toBe('email or password is wrong');
    expect(await handshakeError(t.url, ana.token)).toMatch(/revoked/);

    const on = await patch(id, admin.token, { disabled: false }).expect(200);
    expect(on.body).toEqual({ id, disabled: false });
    await works(ana.token).expect(401);
    const again = await login(email).expect(200);
    await works(again.body.accessToken).expect(200);
    const s = await connect(t.url, again.body.accessToken);
    sockets.push(s);
    expect(await s.call('presence:set', { status: 'available' })).toEqual({ status: 'available' });

    expect(await events(id)).toEqual([
      { type: 'user.disabled', actor_id: admin.id, data: {} },
      { type: 'user.enabled', actor_id: admin.id, data: {} },
    ]);
    // Nothing changes, nothing is audited: setting the state it has.
    await patch(id, admin.token, { disabled: false }).expect(200);
    expect(await events(id)).toHaveLength(2);
  });

  it('removes an account for good: tokens and sockets stop, the email and password are erased and the email may be used again', async () => {
    const official = await createStaff(t, 'official', { country: 'GT' });
    const s = await connect(t.url, official.token);
    sockets.push(s);
    const platform = await createStaff(t, 'platform_admin');
    await remove(official.id, platform.token).expect(204);
    await cut(s);
    await works(official.token).expect(401);
    expect((await login(official.email).expect(401)).body.message).toBe('email or password is wrong');
    const [row] = await t.sql<{ email: string; password_hash: string; disabled: boolean; removed_at: Date | null }>(
      `SELECT email, password_hash, disabled, removed_at FROM users WHERE id = $1`,
      [official.id],
    );
    expect(row).toEqual({
      email: `removed-${official.id}@removed.invalid`,
      password_hash: '',
      disabled: true,
      removed_at: expect.any(Date),
    });
    // Gone for every admin action.
    await remove(official.id, platform.token).expect(404);
    await patch(official.id, platform.token, { disabled: false }).expect(404);
    await t.http().post(`/api/v1/users/${official.id}/revoke`).set(bearer(platform.token)).send({}).expect(404);
    // Her email is free for a new account.
    const [court] = await t.sql<{ id: string }>(`SELECT institution_id AS id FROM users WHERE id = $1`, [official.id]);
    await t
      .http()
      .post('/api/v1/users')
      .set(bearer(platform.token))
      .send({ role: 'official', email: official.email, password: 'Strong-Password-1', institutionId: court.id })
      .expect(201);
    expect(await events(official.id)).toEqual([{ type: 'user.removed', actor_id: platform.id, data: { role: 'official' } }]);
  });

  it('lets a new login be made for an interpreter whose old one was removed', async () => {
    const ana = await interpreter(t, { languages: 'mam:5', available: false });
    ana.socket.close();
    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const body = {
      role: 'interpreter',
      email: `new-${ana.interpreterId.slice(0, 8)}@test.puente.example`,
      password: 'Strong-Password-1',
      interpreterId: ana.interpreterId,
    };
    await t.http().post('/api/v1/users').set(bearer(admin.token)).send(body).expect(409);
    await remove((await userOf(ana)).id, admin.token).expect(204);
    await t.http().post('/api/v1/users').set(bearer(admin.token)).send(body).expect(201);
  });

  describe('who may', () => {
    it.each([
      ['a roster admin of another country', 'roster_admin', 'MX', 404],
      ['an official', 'official', 'GT', 403],
      ['an interpreter', 'interpreter', 'GT', 403],
    ] as const)('refuses %s (%s)', async (_who, role, country, status) => {
      const target = await createStaff(t, 'official', { country: 'GT' });
      const actor = await createStaff(t, role, { country });
      await patch(target.id, actor.token, { disabled: true }).expect(status);
      await remove(target.id, actor.token).expect(status);
      await works(target.token).expect(200);
      expect(await events(target.id)).toEqual([]);
    });

    it('refuses a caller token (403) and no token (401)', async () => {
      const target = await createStaff(t, 'official', { country: 'GT' });
      const { body } = await t.http().post('/api/v1/auth/caller').send({}).expect(200);
      await patch(target.id, body.accessToken, { disabled: true }).expect(403);
      await t.http().patch(`/api/v1/users/${target.id}`).send({ disabled: true }).expect(401);
      await t.http().delete(`/api/v1/users/${target.id}`).expect(401);
      await works(target.token).expect(200);
    });

    it("keeps a roster admin off platform admins' accounts (404) and off her own (409); a platform admin reaches any other", async () => {
      const gt = await createStaff(t, 'roster_admin', { country: 'GT' });
      const platform = await createStaff(t, 'platform_admin');
      await patch(platform.id, gt.token, { disabled: true }).expect(404);
      await remove(platform.id, gt.token).expect(404);
      expect((await patch(gt.id, gt.token, { disabled: true }).expect(409)).body.message).toMatch(/your own account/);
      await remove(gt.id, gt.token).expect(409);
      await patch(platform.id, platform.token, { disabled: true }).expect(409);
      await t.http().get('/api/v1/audit/verify').set(bearer(platform.token)).expect(200);
      await patch(gt.id, platform.token, { disabled: true }).expect(200);
      await works(gt.token).expect(401);
    });

    it('answers an unknown account 404, like one outside her country', async () => {
      const platform = await createStaff(t, 'platform_admin');
      await patch('00000000-0000-4000-8000-000000000000', platform.token, { disabled: true }).expect(404);
      await remove('00000000-0000-4000-8000-000000000000', platform.token).expect(404);
    });
  });

  it.each([
    [{}, ['disabled']],
    [{ disabled: 'yes' }, ['disabled']],
    [{ disabled: true, role: 'platform_admin' }, ['role']],
    [{ disabled: null }, ['disabled']],
  ])('names the bad field of %j (400)', async (body, fields) => {
    const platform = await createStaff(t, 'platform_admin');
    const target = await createStaff(t, 'official', { country: 'GT' });
    const res = await patch(target.id, platform.token, body).expect(400);
    expect(res.body.fields).toEqual(fields);
    await works(target.token).expect(200);
  });

  it('names a bad id (400)', async () => {
    const platform = await createStaff(t, 'platform_admin');
    expect((await patch('not-a-uuid', platform.token, { disabled: true }).expect(400)).body.fields).toEqual(['id']);
    expect((await remove('not-a-uuid', platform.token).expect(400)).body.fields).toEqual(['id']);
  });
});
