import { randomUUID } from 'node:crypto';
import { oggOpus } from '../src/greetings/ogg.fixture';
import { webm } from '../src/greetings/webm.fixture';
import { RostersService } from '../src/rosters/rosters.service';
import { seedInterpreter } from './utils/browser';
import { seedRequest } from './utils/stats-fixtures';
import { createStaff, startTestApp, type TestApp } from './utils/test-app';

type Staff = { id: string; token: string };

/**
 * Spoken names of languages over REST: staff record them with consent, a roster admin of a country where the
 * language is spoken (or a platform admin) publishes or rejects them, callers hear only published ones; the
 * order of a country's languages; the staff's to-do list; and every way in that is not theirs.
 */
describe('spoken names of languages', () => {
  let t: TestApp;
  const lang: Record<string, string> = {};
  let ana: Staff & { interpreterId: string };
  let gtAdmin: Staff;
  let mxAdmin: Staff;
  let platform: Staff;
  const short = webm({
    clusters: [
      [0, [0, 20, 40]],
      [1000, [0, 20]],
    ],
  });
  const ogg = oggOpus({ granules: [48_312, 72_312] });

  const bearer = (s: { token: string }) => ({ Authorization: `Bearer ${s.token}` });
  const upload = (who: { token: string } | null, languageId: string, file: Buffer, consent: string | null = 'true') => {
    const req = t.http().post(`/api/v1/languages/${languageId}/spoken-name/recording`);
    if (who) req.set(bearer(who));
    if (consent !== null) req.field('consent', consent);
    return req.attach('file', file, { filename: 'name.webm', contentType: 'audio/webm' });
  };
  const binary = (path: string, who?: { token: string }) => {
    const req = t.http().get(path);
    if (who) req.set(bearer(who));
    return req.buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  };
  const published = async () => (await t.http().get('/api/v1/languages/spoken-names').expect(200)).body as { languageId: string }[];
  const pending = async (who: Staff, country?: string) =>
    (
      await t
        .http()
        .get('/api/v1/languages/spoken-names/pending')
        .query(country ? { country } : {})
        .set(bearer(who))
        .expect(200)
    ).body as { id: string; languageId: string; mine: boolean }[];
  const stored = async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM language_recordings`))[0].n;
  const audit = async (type: string) =>
    t.sql<{ actor_id: string; actor_role: string; subject_id: string; data: Record<string, unknown> }>(
      `SELECT actor_id, actor_role, subject_id, data FROM audit_events WHERE type = $1 ORDER BY seq`,
      [type],
    );

  beforeAll(async () => {
    t = await startTestApp({ media: false, HOME_COUNTRY: 'GT' });
    const rows = await t.sql<{ id: string; iso6393: string }>(
      `SELECT id, iso6393 FROM languages WHERE variant IS NULL AND iso6393 = ANY($1)`,
      [['mam', 'acr', 'quc', 'zai', 'deu', 'caa', 'cab', 'len', 'pay', 'jic', 'miq', 'yan', 'spa']],
    );
    for (const r of rows) lang[r.iso6393] = r.id;
    ana = await seedInterpreter(t, 'Ana', 'mam:5;acr:4');
    gtAdmin = await createStaff(t, 'roster_admin', { country: 'GT' });
    mxAdmin = await createStaff(t, 'roster_admin', { country: 'MX' });
    platform = await createStaff(t, 'platform_admin');
  }, 60_000);
  afterAll(() => t?.close());

  it('record, unheard while pending, checked and published: then anyone hears it', async () => {
    const saved = await upload(ana, lang.acr, short).expect(201);
    expect(saved.body).toEqual({
      id: expect.any(String),
      languageId: lang.acr,
      kind: 'name',
      state: 'pending',
      recorderRole: 'interpreter',
      mine: true,
      contentType: 'audio/webm',
      size: short.length,
      durationMs: 1020,
      createdAt: expect.any(String),
    });
    const id = saved.body.id as string;
    // Not public while pending.
    await expect(published()).resolves.toEqual([]);
    await t.http().get(`/api/v1/languages/${lang.acr}/spoken-name`).expect(404);
    // She sees hers; Guatemala's roster admin sees it and can listen to it first.
    expect((await t.http().get('/api/v1/languages/spoken-names/mine').set(bearer(ana)).expect(200)).body).toEqual([saved.body]);
    expect(await pending(gtAdmin)).toEqual([{ ...saved.body, mine: false }]);
    const review = await binary(`/api/v1/languages/${lang.acr}/spoken-name/recordings/${id}`, gtAdmin).expect(200);
    expect(review.headers['cache-control']).toBe('no-store');
    expect(Buffer.compare(review.body as Buffer, short)).toBe(0);

    const pub = await t
      .http()
      .post(`/api/v1/languages/${lang.acr}/spoken-name/recordings/${id}/publish`)
      .set(bearer(gtAdmin))
      .send({})
      .expect(200);
    expect(pub.body).toMatchObject({ id, state: 'published' });
    const list = await t.http().get('/api/v1/languages/spoken-names').expect(200);
    expect(list.body).toEqual([{ languageId: lang.acr }]);
    expect(list.headers['cache-control']).toBe('public, max-age=60');
    const audio = await binary(`/api/v1/languages/${lang.acr}/spoken-name`).expect(200);
    expect(audio.headers['content-type']).toBe('audio/webm');
    expect(audio.headers['cache-control']).toBe('no-store');
    expect(Buffer.compare(audio.body as Buffer, short)).toBe(0);
    expect(await pending(gtAdmin)).toEqual([]);
    expect((await t.http().get('/api/v1/languages/spoken-names/mine').set(bearer(ana)).expect(200)).body).toEqual([]);

    // A roster admin's own recording (Ogg, as Firefox records) replaces it once published; the old audio is gone.
    const second = await upload(gtAdmin, lang.acr, ogg).expect(201);
    expect(second.body).toMatchObject({ state: 'pending', recorderRole: 'roster_admin', contentType: 'audio/ogg', durationMs: 1500 });
    await t
      .http()
      .post(`/api/v1/languages/${lang.acr}/spoken-name/recordings/${second.body.id}/publish`)
      .set(bearer(platform))
      .send({})
      .expect(200);
    const now = await binary(`/api/v1/languages/${lang.acr}/spoken-name`).expect(200);
    expect(now.headers['content-type']).toBe('audio/ogg');
    expect(Buffer.compare(now.body as Buffer, ogg)).toBe(0);
    expect(await stored()).toBe(1);
    expect((await audit('spoken_name.published')).map((e) => [e.subject_id, e.actor_role, e.data])).toEqual([
      [id, 'roster_admin', { languageId: lang.acr, replaced: false }],
      [second.body.id, 'platform_admin', { languageId: lang.acr, replaced: true }],
    ]);

    // Taken down: silent again, and back on the to-do list.
    await t.http().delete(`/api/v1/languages/${lang.acr}/spoken-name`).set(bearer(gtAdmin)).expect(204);
    await t.http().get(`/api/v1/languages/${lang.acr}/spoken-name`).expect(404);
    await t.http().delete(`/api/v1/languages/${lang.acr}/spoken-name`).set(bearer(gtAdmin)).expect(404);
    await expect(published()).resolves.toEqual([]);
  });

  it('replaces her own pending recording, lets her withdraw it, and a roster admin reject one (deleted, reason audited)', async () => {
    const first = await upload(ana, lang.mam, short).expect(201);
    const again = await upload(ana, lang.mam, ogg).expect(201);
    expect(again.body.id).toBe(first.body.id);
    expect((await pending(gtAdmin)).map((p) => [p.id, p.languageId])).toEqual([[first.body.id, lang.mam]]);
    expect((await audit('spoken_name.recorded')).slice(-2).map((e) => e.data.replaced)).toEqual([false, true]);

    await t.http().delete(`/api/v1/languages/${lang.mam}/spoken-name/recording`).set(bearer(ana)).expect(204);
    await t.http().delete(`/api/v1/languages/${lang.mam}/spoken-name/recording`).set(bearer(ana)).expect(404);
    expect(await pending(gtAdmin)).toEqual([]);

    const toReject = await upload(ana, lang.mam, short).expect(201);
    await t
      .http()
      .post(`/api/v1/languages/${lang.mam}/spoken-name/recordings/${toReject.body.id}/reject`)
      .set(bearer(mxAdmin))
      .send({ reason: 'wrong_language' })
      .expect(204);
    await t
      .http()
      .post(`/api/v1/languages/${lang.mam}/spoken-name/recordings/${toReject.body.id}/publish`)
      .set(bearer(gtAdmin))
      .send({})
      .expect(404);
    await t.http().get(`/api/v1/languages/${lang.mam}/spoken-name/recordings/${toReject.body.id}`).set(bearer(ana)).expect(404);
    expect(await stored()).toBe(0);
    expect((await audit('spoken_name.rejected')).map((e) => e.data)).toEqual([{ languageId: lang.mam, reason: 'wrong_language' }]);
    expect((await audit('spoken_name.withdrawn')).map((e) => [e.actor_id, e.data])).toEqual([[ana.id, { languageId: lang.mam }]]);
  });

  it('refuses whoever may not record, and bad recordings, naming the field', async () => {
    const caller = (await t.http().post('/api/v1/auth/caller').send({}).expect(200)).body.accessToken as string;
    const official = await createStaff(t, 'official', { country: 'GT' });
    await upload(null, lang.mam, short).expect(401);
    await upload({ token: caller }, lang.mam, short).expect(403);
    await upload(official, lang.mam, short).expect(403);
    await upload(platform, lang.mam, short).expect(403);
    // An interpreter in a variant she does not interpret; a roster admin for a language not spoken in her country.
    await upload(ana, lang.quc, short).expect(403);
    await upload(gtAdmin, lang.zai, short).expect(403);
    // Outside the curated catalogue there is no spoken name to record.
    await upload(gtAdmin, lang.deu, short).expect(404);
    await upload(gtAdmin, randomUUID(), short).expect(404);
    const badId = await t
      .http()
      .post('/api/v1/languages/not-a-uuid/spoken-name/recording')
      .set(bearer(gtAdmin))
      .field('consent', 'true')
      .expect(400);
    expect(badId.body.fields).toEqual(['id']);

    expect((await upload(ana, lang.mam, short, null).expect(400)).body.fields).toEqual(['consent']);
    expect((await upload(ana, lang.mam, short, 'yes').expect(400)).body.fields).toEqual(['consent']);
    const noFile = await t
      .http()
      .post(`/api/v1/languages/${lang.mam}/spoken-name/recording`)
      .set(bearer(ana))
      .field('consent', 'true')
      .expect(400);
    expect(noFile.body.fields).toEqual(['file']);
    const notAudio = await upload(ana, lang.mam, Buffer.from('RIFF....WAVEfmt ')).expect(400);
    expect(notAudio.body).toMatchObject({ fields: ['file'], message: [expect.stringContaining('not a WebM file')] });
    expect((await upload(ana, lang.mam, webm({ codec: 'A_VORBIS' })).expect(400)).body.message).toEqual([expect.stringContaining('Opus')]);
    const long = await upload(
      ana,
      lang.mam,
      webm({
        clusters: [
          [0, [0]],
          [6_000, [0]],
        ],
      }),
    ).expect(400);
    expect(long.body).toMatchObject({ fields: ['file'], message: [expect.stringContaining('at most 5 s')] });
    await upload(ana, lang.mam, Buffer.concat([short, Buffer.alloc(130 * 1024)])).expect(413);

    // A suspended interpreter records nothing; a revoked account's token stops working.
    await t.sql(`UPDATE interpreters SET status = 'suspended' WHERE id = $1`, [ana.interpreterId]);
    await upload(ana, lang.mam, short).expect(403);
    await t.sql(`UPDATE interpreters SET status = 'active' WHERE id = $1`, [ana.interpreterId]);
    const eva = await seedInterpreter(t, 'Eva', 'mam:3');
    await t.http().post(`/api/v1/users/${eva.id}/revoke`).set(bearer(platform)).send({}).expect(200);
    await upload(eva, lang.mam, short).expect(401);
    expect(await stored()).toBe(0);
  });

  it('lets only a roster admin of a country where it is spoken, or a platform admin, see, hear, publish or reject', async () => {
    // Achi is spoken in Guatemala only: Mexico's roster admin is outside it.
    const rec = (await upload(ana, lang.acr, short).expect(201)).body as { id: string };
    const base = `/api/v1/languages/${lang.acr}/spoken-name`;
    await t.http().post(`${base}/recordings/${rec.id}/publish`).set(bearer(mxAdmin)).send({}).expect(404);
    await t.http().post(`${base}/recordings/${rec.id}/reject`).set(bearer(mxAdmin)).send({}).expect(404);
    await t.http().get(`${base}/recordings/${rec.id}`).set(bearer(mxAdmin)).expect(404);
    await t.http().delete(base).set(bearer(mxAdmin)).expect(404);
    await t.http().get('/api/v1/languages/spoken-names/pending').query({ country: 'GT' }).set(bearer(mxAdmin)).expect(404);
    expect(await pending(mxAdmin)).toEqual([]);
    // Another interpreter may not hear it nor publish; nobody reaches it under another language's id.
    const eva = await seedInterpreter(t, 'Eva', 'acr:3');
    await t.http().get(`${base}/recordings/${rec.id}`).set(bearer(eva)).expect(404);
    await t.http().post(`${base}/recordings/${rec.id}/publish`).set(bearer(eva)).send({}).expect(403);
    await t.http().post(`/api/v1/languages/${lang.mam}/spoken-name/recordings/${rec.id}/publish`).set(bearer(gtAdmin)).send({}).expect(404);
    await t.http().post(`${base}/recordings/${rec.id}/publish`).send({}).expect(401);
    // Bad input names the field.
    expect(
      (await t.http().post(`${base}/recordings/${rec.id}/reject`).set(bearer(gtAdmin)).send({ reason: 'ugly voice' }).expect(400)).body
        .fields,
    ).toEqual(['reason']);
    expect(
      (await t.http().post(`${base}/recordings/${rec.id}/publish`).set(bearer(gtAdmin)).send({ state: 'x' }).expect(400)).body.fields,
    ).toEqual(['state']);
    expect((await t.http().post(`${base}/recordings/nope/publish`).set(bearer(gtAdmin)).send({}).expect(400)).body.fields).toEqual([
      'recordingId',
    ]);
    expect(
      (await t.http().get('/api/v1/languages/spoken-names/pending').query({ country: 'FR' }).set(bearer(platform)).expect(400)).body.fields,
    ).toEqual(['country']);
    // A platform admin sees every country's, and may narrow to one.
    expect((await pending(platform)).map((p) => p.id)).toEqual([rec.id]);
    expect(await pending(platform, 'MX')).toEqual([]);
    await expect(published()).resolves.toEqual([]);
    await t.http().delete(`${base}/recording`).set(bearer(ana)).expect(204);
  });

  it('lists, for staff, the languages of a country that have no spoken name yet', async () => {
    const missing = async (who: { token: string }, country = 'GT') =>
      (await t.http().get('/api/v1/languages/spoken-names/missing').query({ country }).set(bearer(who)).expect(200)).body as {
        languageId: string;
        pending: boolean;
        family: string;
      }[];
    const before = await missing(ana);
    // Guatemala's 22 Mayan languages, Xinka and Garífuna; Spanish is a relay language, not offered to callers.
    expect(before).toHaveLength(24);
    expect(before.map((m) => m.languageId)).not.toContain(lang.spa);
    expect(before.find((m) => m.languageId === lang.cab)).toMatchObject({
      iso6393: 'cab',
      name: 'Garífuna',
      family: 'arawakan',
      pending: false,
    });

    const rec = (await upload(ana, lang.acr, short).expect(201)).body as { id: string };
    expect((await missing(gtAdmin)).find((m) => m.languageId === lang.acr)).toMatchObject({ pending: true });
    await t.http().post(`/api/v1/languages/${lang.acr}/spoken-name/recordings/${rec.id}/publish`).set(bearer(gtAdmin)).send({}).expect(200);
    const after = await missing(platform);
    expect(after).toHaveLength(23);
    expect(after.map((m) => m.languageId)).not.toContain(lang.acr);
    expect((await missing(mxAdmin, 'mx')).map((m) => m.languageId)).toContain(lang.zai);

    await t.http().get('/api/v1/languages/spoken-names/missing').query({ country: 'GT' }).expect(401);
    const official = await createStaff(t, 'official', { country: 'GT' });
    await t.http().get('/api/v1/languages/spoken-names/missing').query({ country: 'GT' }).set(bearer(official)).expect(403);
    for (const query of [{}, { country: 'XX' }, { country: 'GT', extra: '1' }]) {
      const res = await t.http().get('/api/v1/languages/spoken-names/missing').query(query).set(bearer(ana)).expect(400);
      expect(res.body.fields).toEqual(['extra' in query ? 'extra' : 'country']);
    }
  });

  it("orders a country's languages by requests there (under 5 count as 0), then by its roster, then by name", async () => {
    // Honduras: no other test touches its requests or roster.
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
    const asked = async (iso: string, n: number, country: string, days = 10) => {
      for (let i = 0; i < n; i++) await seedRequest(t, '', lang[iso], daysAgo(days + i), { country });
    };
    await asked('miq', 7, 'HN');
    await asked('jic', 5, 'HN');
    await asked('pay', 4, 'HN'); // fewer than 5: counts as none
    await asked('yan', 9, 'NI'); // asked elsewhere
    await asked('len', 8, 'HN', 400); // more than 12 months ago
    const row = (id: string, languages: string, status = 'active') => ({
      external_id: id,
      first_name: id,
      email: `${id}@roster.example`,
      languages,
      relay_languages: 'spa',
      specialties: 'violence',
      status,
    });
    const res = await t.app
      .get(RostersService)
      .importRoster(
        'HN',
        [row('h1', 'cab:4'), row('h2', 'cab:3;len:2'), row('h3', 'yan:5', 'suspended'), row('h4', 'yan:5', 'suspended')],
        null,
      );
    expect(res.rejected).toEqual([]);
    await seedInterpreter(t, 'Olga', 'caa:5'); // Guatemala's roster: not Honduras's

    const order = await t.http().get('/api/v1/languages/order').query({ country: 'hn' }).expect(200);
    expect(order.headers['cache-control']).toBe('public, max-age=60');
    const names = ['miq', 'jic', 'cab', 'len', 'caa', 'yan', 'pay', 'spa']; // Ch'orti', Mayangna, Pech, Spanish: by name
    expect(order.body).toEqual({ languageIds: names.map((iso) => lang[iso]) });

    for (const query of [{}, { country: 'FR' }, { country: ['HN', 'GT'] }, { country: 'HN', limit: '3' }]) {
      const bad = await t.http().get('/api/v1/languages/order').query(query).expect(400);
      expect(bad.body.fields).toEqual(['limit' in query ? 'limit' : 'country']);
    }
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/languages/spoken-names',
        '/api/v1/languages/spoken-names/missing',
        '/api/v1/languages/spoken-names/pending',
        '/api/v1/languages/order',
        '/api/v1/languages/{id}/spoken-name',
        '/api/v1/languages/{id}/spoken-name/recording',
        '/api/v1/languages/{id}/spoken-name/recordings/{recordingId}/publish',
        '/api/v1/languages/{id}/spoken-name/recordings/{recordingId}/reject',
      ]),
    );
  });
});
