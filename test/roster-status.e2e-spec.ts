import { RostersService } from '../src/rosters/rosters.service';
import { auditMoved, caller, interpreter, languageId, Person } from './utils/matching-fixtures';
import { TestSocket } from './utils/socket-client';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

/**
 * `PATCH /api/v1/rosters/{country}/interpreters/{id}`: a roster admin suspends one interpreter, or reactivates
 * her, without importing the roster again. Two nodes of one deployment (her console on the second), real
 * PostgreSQL, Redis and sockets.
 */
describe('suspending and reactivating one interpreter', () => {
  let t: TestApp;
  let t2: TestApp;
  let gtAdmin: { token: string };
  const sockets: TestSocket[] = [];
  const track = (p: Person) => (sockets.push(p.socket), p);
  const patch = (id: string, body: unknown, token?: string, country = 'GT') => {
    const req = t.http().patch(`/api/v1/rosters/${country}/interpreters/${id}`);
    if (token) req.set('Authorization', `Bearer ${token}`);
    return req.send(body as object);
  };
  const statusOf = async (id: string) =>
    (await t.sql<{ status: string }>(`SELECT status FROM interpreters WHERE id = $1`, [id]))[0]?.status;

  beforeAll(async () => {
    const env = { OFFER_RING_SECONDS: '60', HOME_COUNTRY: 'GT', media: false as const };
    t = await startTestApp(env);
    t2 = await startTestApp({ ...env, DATABASE_URL: t.config.DATABASE_URL, REDIS_PREFIX: t.config.REDIS_PREFIX });
    gtAdmin = await createStaff(t, 'roster_admin', { country: 'GT' });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t2?.close();
    await t?.close();
  });

  it('takes a ringing offer back, sets her away and tells her why, keeps her from being available, and audits it; reactivated, she is offered again', async () => {
    const lang = await languageId(t, 'mam');
    // Her console is on the second node; the admin's request reaches the first.
    const her = track(await interpreter(t2, { languages: 'mam:5' }, t2.url));
    const c = await caller(t);
    try {
      const { requestId } = await c.call('request:create', { languageId: lang, matter: 'violence', urgency: 'normal', minor: false });
      const offer = await her.socket.next('offer:new', (o) => o.requestId === requestId);

      const res = await patch(her.interpreterId, { status: 'suspended' }, gtAdmin.token).expect(200);
      expect(res.body).toMatchObject({ id: her.interpreterId, country: 'GT', status: 'suspended' });
      expect(await statusOf(her.interpreterId)).toBe('suspended');
      await expect(her.socket.next('presence:update', (e) => e.reason === 'suspended')).resolves.toEqual({
        status: 'away',
        reason: 'suspended',
      });
      await expect(her.socket.next('offer:withdrawn', (e) => e.offerId === offer.offerId)).resolves.toMatchObject({
        reason: 'unavailable',
      });
      await expect(c.next('request:update', (u) => u.requestId === requestId && u.state === 'queued')).resolves.toBeTruthy();
      const refused = await her.socket.call('presence:set', { status: 'available' });
      expect(refused.error).toMatchObject({ code: 'FORBIDDEN' });
      expect(await her.socket.call('offer:accept', { offerId: offer.offerId })).toMatchObject({ error: { code: 'CONFLICT' } });

      await auditMoved(t);
      const [event] = await t.sql<Record<string, any>>(`SELECT * FROM audit_events WHERE type = 'roster.interpreter_status_set'`);
      expect(event).toMatchObject({ actor_role: 'roster_admin', country: 'GT', subject_id: her.interpreterId });
      expect(event.data).toEqual({ status: 'suspended', from: 'active' });

      // Suspending her again changes nothing and records nothing.
      await patch(her.interpreterId, { status: 'suspended' }, gtAdmin.token).expect(200);
      expect(await t.sql(`SELECT 1 FROM audit_events WHERE type = 'roster.interpreter_status_set'`)).toHaveLength(1);

      const back = await patch(her.interpreterId, { status: 'active' }, gtAdmin.token).expect(200);
      expect(back.body.status).toBe('active');
      expect(await her.socket.call('presence:set', { status: 'available' })).toEqual({ status: 'available' });
      const again = await her.socket.next('offer:new', (o) => o.requestId === requestId && o.offerId !== offer.offerId);
      expect(again.requestId).toBe(requestId);
    } finally {
      c.close();
    }
  });

  it('keeps a suspension through a later import whose status cell is empty', async () => {
    const [row] = await t.sql<{ id: string; external_id: string; email: string }>(
      `INSERT INTO interpreters (country, external_id, first_name, email) VALUES ('GT', 'keep-1', 'Eva', 'keep-1@test.puente.example')
       RETURNING id, external_id, email`,
    );
    await patch(row.id, { status: 'suspended' }, gtAdmin.token).expect(200);
    const res = await t.app
      .get(RostersService)
      .importRoster('GT', [{ external_id: 'keep-1', first_name: 'Eva', email: row.email, languages: 'mam:4', status: '' }], null);
    expect(res.rejected).toEqual([]);
    expect(await statusOf(row.id)).toBe('suspended');
  });

  it('refuses everyone but the roster admin of her country, and bad input naming the field, changing nothing', async () => {
    const her = track(await interpreter(t, { languages: 'mam:5', available: false }));
    const mxAdmin = await createStaff(t, 'roster_admin', { country: 'MX' });
    const platform = await createStaff(t, 'platform_admin');
    const official = await createStaff(t, 'official', { country: 'GT' });
    const [other] = await t.sql<{ id: string }>(
      `INSERT INTO interpreters (country, external_id, first_name, email) VALUES ('MX', 'mx-1', 'Luz', 'mx-1@test.puente.example') RETURNING id`,
    );
    const suspend = { status: 'suspended' };

    await patch(her.interpreterId, suspend).expect(401);
    await patch(her.interpreterId, suspend, 'not-a-token').expect(401);
    await patch(her.interpreterId, suspend, official.token).expect(403);
    await patch(her.interpreterId, suspend, her.token).expect(403);
    await patch(her.interpreterId, suspend, platform.token).expect(403);
    // Another country's admin: her roster is not there for him, by either path.
    await patch(her.interpreterId, suspend, mxAdmin.token).expect(404);
    await patch(her.interpreterId, suspend, mxAdmin.token, 'MX').expect(404);
    // Her own country's admin cannot reach another roster's interpreter through her own roster.
    await patch(other.id, suspend, gtAdmin.token).expect(404);
    await patch(other.id, suspend, gtAdmin.token, 'MX').expect(404);
    await patch('00000000-0000-4000-8000-000000000000', suspend, gtAdmin.token).expect(404);
    await patch('not-a-uuid', suspend, gtAdmin.token).expect(404);
    await patch(her.interpreterId, suspend, gtAdmin.token, 'XX').expect(400);

    const bad = await patch(her.interpreterId, { status: 'retired' }, gtAdmin.token).expect(400);
    expect(bad.body.fields).toEqual(['status']);
    expect((await patch(her.interpreterId, {}, gtAdmin.token).expect(400)).body.fields).toEqual(['status']);
    expect((await patch(her.interpreterId, { status: 'suspended', country: 'MX' }, gtAdmin.token).expect(400)).body.fields).toEqual([
      'country',
    ]);
    await t
      .http()
      .patch(`/api/v1/rosters/GT/interpreters/${her.interpreterId}`)
      .set('Authorization', `Bearer ${gtAdmin.token}`)
      .set('Content-Type', 'application/json')
      .send('{"status": ')
      .expect(400);
    await t
      .http()
      .patch(`/api/v1/rosters/GT/interpreters/${her.interpreterId}`)
      .set('Authorization', `Bearer ${gtAdmin.token}`)
      .send({ status: 'suspended', pad: 'x'.repeat(2_000_000) })
      .expect(413);

    expect(await statusOf(her.interpreterId)).toBe('active');
    expect(await statusOf(other.id)).toBe('active');
    expect(await her.socket.call('presence:set', { status: 'available' })).toEqual({ status: 'available' });
  });
});
