import { createStaff, startTestApp, type TestApp } from './utils/test-app';

/** Issue 16, item 6: the directory of services to refer a woman to, scoped by country, kept by its roster admin. */
describe('where help is: the services directory', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ media: false });
  }, 120_000);
  afterAll(() => t?.close());

  const as = (token: string | null) => ({
    get: (path: string) => (token ? t.http().get(path).set('authorization', `Bearer ${token}`) : t.http().get(path)),
    post: (path: string, body: unknown) => {
      const r = t
        .http()
        .post(path)
        .send(body as object);
      return token ? r.set('authorization', `Bearer ${token}`) : r;
    },
    patch: (path: string, body: unknown) =>
      t
        .http()
        .patch(path)
        .set('authorization', `Bearer ${token}`)
        .send(body as object),
    delete: (path: string) => t.http().delete(path).set('authorization', `Bearer ${token}`),
  });

  const shelter = {
    name: 'Casa de la Mujer',
    kind: 'shelter',
    area: 'Quetzaltenango',
    phone: '+502 7765 4321',
    hours: '24 h',
    minors: true,
  };

  it('is kept by the roster admin of its country only, and refuses bad input naming the field, storing nothing', async () => {
    const gt = await createStaff(t, 'roster_admin', { country: 'GT' });
    const mx = await createStaff(t, 'roster_admin', { country: 'MX' });
    const platform = await createStaff(t, 'platform_admin');
    const interp = await createStaff(t, 'interpreter', { country: 'GT' });
    await as(mx.token).post('/api/v1/rosters/GT/services', shelter).expect(404);
    await as(platform.token).post('/api/v1/rosters/GT/services', shelter).expect(403);
    await as(interp.token).post('/api/v1/rosters/GT/services', shelter).expect(403);
    await as(null).post('/api/v1/rosters/GT/services', shelter).expect(401);
    for (const [bad, field] of [
      [{ ...shelter, kind: 'spa' }, 'kind'],
      [{ ...shelter, phone: 'call me' }, 'phone'],
      [{ ...shelter, name: '<script>' }, 'name'],
      [{ ...shelter, languageIds: ['00000000-0000-4000-8000-000000000000'] }, 'languageIds'],
      [{ ...shelter, note: 'a woman called' }, 'note'],
    ] as const) {
      const res = await as(gt.token).post('/api/v1/rosters/GT/services', bad).expect(400);
      expect(res.body.fields).toEqual([field]);
    }
    expect(await t.sql(`SELECT count(*)::int AS n FROM services`)).toEqual([{ n: 0 }]);

    const made = await as(gt.token).post('/api/v1/rosters/GT/services', shelter).expect(201);
    expect(made.body).toEqual({ id: expect.any(String), country: 'GT', languageIds: [], ...shelter });
    const changed = await as(gt.token).patch(`/api/v1/rosters/GT/services/${made.body.id}`, { hours: 'Mon-Fri 8-17' }).expect(200);
    expect(changed.body).toMatchObject({ hours: 'Mon-Fri 8-17', name: shelter.name });
    await as(mx.token).patch(`/api/v1/rosters/MX/services/${made.body.id}`, { hours: 'never' }).expect(404);
    await as(mx.token).delete(`/api/v1/rosters/MX/services/${made.body.id}`).expect(404);
    await as(gt.token).delete(`/api/v1/rosters/GT/services/${made.body.id}`).expect(204);
    await as(gt.token).delete(`/api/v1/rosters/GT/services/${made.body.id}`).expect(404);
  });

  it('is read by interpreters and officials, by country, kind and area (as text, not a pattern)', async () => {
    const gt = await createStaff(t, 'roster_admin', { country: 'GT' });
    const hn = await createStaff(t, 'roster_admin', { country: 'HN' });
    for (const s of [
      shelter,
      { ...shelter, name: 'Bufete Popular', kind: 'legal_aid', area: 'Ciudad de Guatemala' },
      { ...shelter, name: 'Refugio 100%', area: 'Petén' },
    ])
      await as(gt.token).post('/api/v1/rosters/GT/services', s).expect(201);
    await as(hn.token)
      .post('/api/v1/rosters/HN/services', { ...shelter, name: 'Casa Alianza' })
      .expect(201);

    const interp = await createStaff(t, 'interpreter', { country: 'GT' });
    const names = (res: { body: { name: string }[] }) => res.body.map((s) => s.name).sort();
    expect(names(await as(interp.token).get('/api/v1/services?country=GT&kind=shelter').expect(200))).toEqual([
      'Casa de la Mujer',
      'Refugio 100%',
    ]);
    expect(names(await as(interp.token).get('/api/v1/services?country=GT&area=quetzal').expect(200))).toEqual(['Casa de la Mujer']);
    expect(names(await as(interp.token).get('/api/v1/services?country=GT&area=%25').expect(200))).toEqual([]);
    expect(names(await as(interp.token).get('/api/v1/services?country=HN').expect(200))).toEqual(['Casa Alianza']);
    expect((await as(interp.token).get('/api/v1/services').expect(400)).body.fields).toEqual(['country']);
    expect((await as(interp.token).get('/api/v1/services?country=XX').expect(400)).body.fields).toEqual(['country']);
    const official = await createStaff(t, 'official', { country: 'HN', institution: 'Juzgado' });
    expect(names(await as(official.token).get('/api/v1/services').expect(200))).toEqual(['Casa Alianza']);
    const caller = (await t.http().post('/api/v1/auth/caller').send({})).body.accessToken as string;
    await as(caller).get('/api/v1/services?country=GT').expect(403);
    await as(null).get('/api/v1/services?country=GT').expect(401);
  });
});
