import { webm } from '../src/greetings/webm.fixture';
import { seedInterpreter } from './utils/browser';
import { createStaff, startTestApp, type TestApp } from './utils/test-app';

/** Interpreters' greetings over REST: her own variants only, with consent, WebM/Opus of at most 10 s. */
describe('greetings REST', () => {
  let t: TestApp;
  let mam: string;
  let quc: string;
  let ana: Awaited<ReturnType<typeof seedInterpreter>>;
  const short = webm({
    clusters: [
      [0, [0, 20, 40]],
      [2000, [0, 20]],
    ],
  });

  beforeAll(async () => {
    t = await startTestApp({ media: false, HOME_COUNTRY: 'GT' });
    const id = async (iso: string) =>
      (await t.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = $1 AND variant IS NULL`, [iso]))[0].id;
    [mam, quc] = [await id('mam'), await id('quc')];
    ana = await seedInterpreter(t, 'Ana', 'mam:5');
  }, 60_000);
  afterAll(() => t?.close());

  const upload = (token: string, languageId: string, file: Buffer, consent: string | null = 'true', name = 'greeting.webm') => {
    const req = t.http().put(`/api/v1/greetings/mine/${languageId}`).set('Authorization', `Bearer ${token}`);
    if (consent !== null) req.field('consent', consent);
    return req.attach('file', file, { filename: name, contentType: 'audio/webm' });
  };

  it('refuses what is not hers to record, and bad recordings, naming the field', async () => {
    await t.http().put(`/api/v1/greetings/mine/${mam}`).attach('file', short, 'g.webm').expect(401);
    const official = await createStaff(t, 'official', { country: 'GT' });
    await upload(official.token, mam, short).expect(403);
    await upload(ana.token, quc, short).expect(403);
    expect((await upload(ana.token, mam, short, null).expect(400)).body.fields).toEqual(['consent']);
    expect((await upload(ana.token, mam, short, 'yes').expect(400)).body.fields).toEqual(['consent']);
    const notWebm = await upload(ana.token, mam, Buffer.from('OggS not really'), 'true', 'g.ogg').expect(400);
    expect(notWebm.body).toMatchObject({ fields: ['file'], message: [expect.stringContaining('not a WebM file')] });
    const vorbis = await upload(ana.token, mam, webm({ codec: 'A_VORBIS' })).expect(400);
    expect(vorbis.body.message).toEqual([expect.stringContaining('Opus')]);
    const long = await upload(
      ana.token,
      mam,
      webm({
        clusters: [
          [0, [0]],
          [11_000, [0]],
        ],
      }),
    ).expect(400);
    expect(long.body.message).toEqual([expect.stringContaining('at most 10 s')]);
    await upload(ana.token, mam, Buffer.concat([short, Buffer.alloc(300 * 1024)])).expect(413);
    await t.http().put(`/api/v1/greetings/mine/not-a-uuid`).set('Authorization', `Bearer ${ana.token}`).expect(400);
    await expect(t.sql(`SELECT count(*)::int AS n FROM interpreter_greetings`)).resolves.toEqual([{ n: 0 }]);
  });

  it('stores her greeting with her consent, serves it to anyone for the language, and deletes it for her only', async () => {
    const saved = await upload(ana.token, mam, short).expect(200);
    expect(saved.body).toEqual({
      languageId: mam,
      contentType: 'audio/webm',
      size: short.length,
      durationMs: 2020,
      consentedAt: expect.any(String),
    });
    await expect(
      t
        .http()
        .get('/api/v1/greetings/mine')
        .set('Authorization', `Bearer ${ana.token}`)
        .expect(200)
        .then((r) => r.body),
    ).resolves.toEqual([{ languageId: mam, greeting: saved.body }]);
    await expect(
      t
        .http()
        .get('/api/v1/greetings')
        .expect(200)
        .then((r) => r.body),
    ).resolves.toEqual([{ languageId: mam, durationMs: 2020 }]);
    const audio = await t
      .http()
      .get(`/api/v1/languages/${mam}/greeting`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(audio.headers['content-type']).toBe('audio/webm');
    expect(audio.headers['cache-control']).toBe('no-store');
    expect(Buffer.compare(audio.body as Buffer, short)).toBe(0);
    await t.http().get(`/api/v1/languages/${quc}/greeting`).expect(404);

    // Another interpreter cannot delete it (she has none of her own there); a suspended interpreter's is not served.
    const other = await seedInterpreter(t, 'Eva', 'mam:3');
    await t.http().delete(`/api/v1/greetings/mine/${mam}`).set('Authorization', `Bearer ${other.token}`).expect(404);
    await t.sql(`UPDATE interpreters SET status = 'suspended' WHERE id = $1`, [ana.interpreterId]);
    await expect(
      t
        .http()
        .get('/api/v1/greetings')
        .then((r) => r.body),
    ).resolves.toEqual([]);
    await t.http().get(`/api/v1/languages/${mam}/greeting`).expect(404);
    await t.sql(`UPDATE interpreters SET status = 'active' WHERE id = $1`, [ana.interpreterId]);

    await t.http().delete(`/api/v1/greetings/mine/${mam}`).set('Authorization', `Bearer ${ana.token}`).expect(204);
    await t.http().delete(`/api/v1/greetings/mine/${mam}`).set('Authorization', `Bearer ${ana.token}`).expect(404);
    await t.http().get(`/api/v1/languages/${mam}/greeting`).expect(404);
    const audit = await t.sql<{ type: string }>(`SELECT type FROM audit_events WHERE type LIKE 'greeting.%' ORDER BY seq`);
    expect(audit.map((a) => a.type)).toEqual(['greeting.recorded', 'greeting.deleted']);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/greetings',
        '/api/v1/greetings/mine',
        '/api/v1/greetings/mine/{languageId}',
        '/api/v1/languages/{id}/greeting',
      ]),
    );
  });
});
