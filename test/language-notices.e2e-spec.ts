import { webm } from '../src/greetings/webm.fixture';
import { seedInterpreter } from './utils/browser';
import { createStaff, startTestApp, type TestApp } from './utils/test-app';

type Staff = { id: string; token: string };

/**
 * The notices of what the service is (a woman's, a girl's), over REST: recorded like a language's spoken name (the
 * same review, language-recordings.service.ts) but longer, each kind on its own; published only by a roster admin of
 * a country where the language is spoken; and every way in that is not theirs.
 */
describe('spoken notices of the service', () => {
  let t: TestApp;
  const lang: Record<string, string> = {};
  let ana: Staff & { interpreterId: string };
  let gtAdmin: Staff;
  let mxAdmin: Staff;
  // About 30 s: too long for a name, right for a notice.
  const notice = webm({
    clusters: [
      [0, [0, 20, 40]],
      [30_000, [0, 20]],
    ],
  });
  const tooLong = webm({
    clusters: [
      [0, [0]],
      [41_000, [0, 20]],
    ],
  });

  const bearer = (s: { token: string }) => ({ Authorization: `Bearer ${s.token}` });
  const upload = (who: { token: string } | null, path: string, file: Buffer, consent: string | null = 'true') => {
    const req = t.http().post(`/api/v1/languages/${path}/recording`);
    if (who) req.set(bearer(who));
    if (consent !== null) req.field('consent', consent);
    return req.attach('file', file, { filename: 'notice.webm', contentType: 'audio/webm' });
  };
  const publish = (who: Staff, path: string, id: string) =>
    t.http().post(`/api/v1/languages/${path}/recordings/${id}/publish`).set(bearer(who)).send({});
  const kinds = async () =>
    (await t.sql<{ kind: string; state: string }>(`SELECT kind, state FROM language_recordings ORDER BY kind, state`)).map(
      (r) => `${r.kind}:${r.state}`,
    );

  beforeAll(async () => {
    t = await startTestApp({ media: false, HOME_COUNTRY: 'GT' });
    const rows = await t.sql<{ id: string; iso6393: string }>(
      `SELECT id, iso6393 FROM languages WHERE variant IS NULL AND iso6393 = ANY($1)`,
      [['mam', 'acr']],
    );
    for (const r of rows) lang[r.iso6393] = r.id;
    ana = await seedInterpreter(t, 'Ana', 'mam:5');
    gtAdmin = await createStaff(t, 'roster_admin', { country: 'GT' });
    mxAdmin = await createStaff(t, 'roster_admin', { country: 'MX' });
  }, 60_000);
  afterAll(() => t?.close());

  it("records a woman's and a girl's notice separately; each is heard only once published, at its own address", async () => {
    const adult = await upload(ana, `${lang.mam}/notice`, notice).expect(201);
    expect(adult.body).toMatchObject({ kind: 'notice', state: 'pending', languageId: lang.mam, recorderRole: 'interpreter' });
    expect(adult.body.durationMs).toBeGreaterThan(29_000);
    const child = await upload(ana, `${lang.mam}/child-notice`, notice).expect(201);
    expect(child.body).toMatchObject({ kind: 'child_notice', state: 'pending' });
    // The same recording as a name is refused: a name is at most 5 s (the field named).
    const asName = await upload(ana, `${lang.mam}/spoken-name`, notice).expect(400);
    expect(asName.body).toMatchObject({ fields: ['file'], message: [expect.stringContaining('at most 5 s')] });
    await t.http().get(`/api/v1/languages/${lang.mam}/notice`).expect(404);
    expect((await t.http().get('/api/v1/languages/notices').expect(200)).body).toEqual([]);
    // Each list holds its own kind.
    const mine = (kind: string) => t.http().get(`/api/v1/languages/${kind}/mine`).set(bearer(ana)).expect(200);
    expect((await mine('notices')).body.map((r: { id: string }) => r.id)).toEqual([adult.body.id]);
    expect((await mine('child-notices')).body.map((r: { id: string }) => r.id)).toEqual([child.body.id]);
    expect((await mine('spoken-names')).body).toEqual([]);
    const pending = await t.http().get('/api/v1/languages/notices/pending').set(bearer(gtAdmin)).expect(200);
    expect(pending.body.map((r: { id: string }) => r.id)).toEqual([adult.body.id]);

    // A girl's recording is not published at a woman's address.
    await publish(gtAdmin, `${lang.mam}/notice`, child.body.id).expect(404);
    await publish(gtAdmin, `${lang.mam}/notice`, adult.body.id).expect(200);
    expect((await t.http().get('/api/v1/languages/notices').expect(200)).body).toEqual([{ languageId: lang.mam }]);
    expect((await t.http().get('/api/v1/languages/child-notices').expect(200)).body).toEqual([]);
    const audio = await t.http().get(`/api/v1/languages/${lang.mam}/notice`).expect(200);
    expect(audio.headers['cache-control']).toBe('no-store');
    expect(Number(audio.headers['content-length'])).toBe(notice.length);
    await t.http().get(`/api/v1/languages/${lang.mam}/child-notice`).expect(404);
    await publish(gtAdmin, `${lang.mam}/child-notice`, child.body.id).expect(200);
    await t.http().get(`/api/v1/languages/${lang.mam}/child-notice`).expect(200);
    expect(await kinds()).toEqual(['child_notice:published', 'notice:published']);

    // The to-do lists are per kind: Mam has both notices now, but no spoken name.
    const missing = async (kind: string) =>
      (
        (await t.http().get(`/api/v1/languages/${kind}/missing`).query({ country: 'GT' }).set(bearer(ana)).expect(200)).body as {
          languageId: string;
        }[]
      ).map((m) => m.languageId);
    expect(await missing('notices')).not.toContain(lang.mam);
    expect(await missing('child-notices')).not.toContain(lang.mam);
    expect(await missing('spoken-names')).toContain(lang.mam);

    // Audited with metadata only, under the notice's own name.
    const events = await t.sql<{ type: string; data: Record<string, unknown> }>(
      `SELECT type, data FROM audit_events WHERE type LIKE '%notice.%' ORDER BY seq`,
    );
    expect(events.map((e) => e.type)).toEqual(['notice.recorded', 'child_notice.recorded', 'notice.published', 'child_notice.published']);
    expect(events.map((e) => Object.keys(e.data).sort())).toEqual([
      ['durationMs', 'languageId', 'replaced'],
      ['durationMs', 'languageId', 'replaced'],
      ['languageId', 'replaced'],
      ['languageId', 'replaced'],
    ]);

    // Taken down: callers no longer hear it.
    await t.http().delete(`/api/v1/languages/${lang.mam}/notice`).set(bearer(gtAdmin)).expect(204);
    await t.http().get(`/api/v1/languages/${lang.mam}/notice`).expect(404);
    await t.http().get(`/api/v1/languages/${lang.mam}/child-notice`).expect(200);
  });

  it("takes a notice larger than a name may be (a notice's own size limit, not a name's 128 KiB)", async () => {
    // About 150 KB over 30 s: many small blocks.
    const big = webm({ clusters: Array.from({ length: 30 }, (_, i) => [i * 1000, Array.from({ length: 300 }, (__, j) => j * 3)]) });
    expect(big.length).toBeGreaterThan(128 * 1024);
    const saved = await upload(ana, `${lang.mam}/child-notice`, big).expect(201);
    expect(saved.body).toMatchObject({ kind: 'child_notice', size: big.length });
    await t.http().delete(`/api/v1/languages/${lang.mam}/child-notice/recording`).set(bearer(ana)).expect(204);
    // As a name, the same file is refused unread (413).
    await upload(ana, `${lang.mam}/spoken-name`, big).expect(413);
  });

  it('refuses a notice over 40 s, one without consent, and one too large, naming the field; nothing is stored', async () => {
    const before = await kinds();
    const long = await upload(ana, `${lang.mam}/notice`, tooLong).expect(400);
    expect(long.body).toMatchObject({ fields: ['file'], message: [expect.stringContaining('at most 40 s')] });
    const noConsent = await upload(ana, `${lang.mam}/notice`, notice, null).expect(400);
    expect(noConsent.body.fields).toEqual(['consent']);
    // Over 1 MiB: multer stops reading it (413), whatever it holds.
    await upload(ana, `${lang.mam}/notice`, Buffer.concat([notice, Buffer.alloc(1024 * 1024)])).expect(413);
    await upload(ana, `${lang.mam}/child-notice`, Buffer.concat([notice, Buffer.alloc(1024 * 1024)])).expect(413);
    expect(await kinds()).toEqual(before);
  });

  it('lets nobody else in: no token, a variant she does not interpret, another country’s admin, an official', async () => {
    await upload(null, `${lang.acr}/notice`, notice).expect(401);
    await upload(ana, `${lang.acr}/notice`, notice).expect(403);
    const official = await createStaff(t, 'official', { country: 'GT' });
    await upload(official, `${lang.mam}/notice`, notice).expect(403);
    // Guatemala's admin records Achi's; Mexico's admin neither sees it waiting nor publishes it.
    const achi = await upload(gtAdmin, `${lang.acr}/notice`, notice).expect(201);
    await t.http().get('/api/v1/languages/notices/pending').query({ country: 'GT' }).set(bearer(mxAdmin)).expect(404);
    await publish(mxAdmin, `${lang.acr}/notice`, achi.body.id).expect(404);
    await t.http().get(`/api/v1/languages/${lang.acr}/notice/recordings/${achi.body.id}`).set(bearer(mxAdmin)).expect(404);
    await t.http().get(`/api/v1/languages/${lang.acr}/notice/recordings/${achi.body.id}`).set(bearer(ana)).expect(404);
    await publish(ana, `${lang.acr}/notice`, achi.body.id).expect(403);
    await t.http().get(`/api/v1/languages/${lang.acr}/notice`).expect(404);
  });
});
