import { randomUUID } from 'node:crypto';
import { languageId } from '../utils/matching-fixtures';
import { createStaff, startTestApp, TestApp } from '../utils/test-app';

/**
 * Attack 9 of issue 11: any roster admin could add a mutual-intelligibility link between any two languages,
 * changing matching in every country, and no link could be removed.
 */
describe('language links: only where the admin’s country speaks both languages, and removable', () => {
  let t: TestApp;
  let ids: Record<'mam' | 'ttc' | 'tzo' | 'gym' | 'miq', string>;

  beforeAll(async () => {
    t = await startTestApp({ media: false });
    ids = {
      mam: await languageId(t, 'mam'),
      ttc: await languageId(t, 'ttc'),
      tzo: await languageId(t, 'tzo'),
      gym: await languageId(t, 'gym'),
      miq: await languageId(t, 'miq'),
    };
  });
  afterAll(() => t?.close());

  const link = (token: string, from: string, to: string) =>
    t
      .http()
      .post('/api/v1/languages/links')
      .set('authorization', `Bearer ${token}`)
      .send({ fromLanguageId: from, toLanguageId: to, source: 'Test study' });
  const unlink = (token: string | null, id: string) => {
    const req = t.http().delete(`/api/v1/languages/links/${id}`);
    return token ? req.set('authorization', `Bearer ${token}`) : req;
  };
  /** What matching reads: the languages linked to this one (its ladder after itself). */
  const linked = async (id: string) => (await t.sql<{ ids: string[] }>(`SELECT ladder_languages($1) AS ids`, [id]))[0].ids.slice(1);

  it("refuses a roster admin a link at a language her country does not speak, and changes no one's matching", async () => {
    const hn = await createStaff(t, 'roster_admin', { country: 'HN' });
    const gt = await createStaff(t, 'roster_admin', { country: 'GT' });
    // Mam and Tektiteko are spoken in Guatemala and Mexico, not Honduras.
    expect((await link(hn.token, ids.mam, ids.ttc).expect(404)).body.message).toMatch(/fromLanguageId .* not spoken in your country/);
    // One end of hers is not enough: Tsotsil is Mexico's.
    expect((await link(gt.token, ids.mam, ids.tzo).expect(404)).body.message).toMatch(/toLanguageId/);
    await link(gt.token, ids.gym, ids.miq).expect(404);
    expect(await t.sql(`SELECT 1 FROM language_links`)).toEqual([]);
    expect(await linked(ids.mam)).toEqual([]);
    expect(await t.sql(`SELECT 1 FROM audit_events WHERE type = 'language.link_added'`)).toEqual([]);
  });

  it('lets a roster admin link and unlink two languages of her country, a platform admin any two, audited', async () => {
    const gt = await createStaff(t, 'roster_admin', { country: 'GT' });
    const mx = await createStaff(t, 'roster_admin', { country: 'MX' });
    const pa = await createStaff(t, 'roster_admin', { country: 'PA' });
    const platform = await createStaff(t, 'platform_admin');
    const ours = (await link(gt.token, ids.mam, ids.ttc).expect(201)).body.id;
    expect(await linked(ids.mam)).toEqual([ids.ttc]);
    const theirs = (await link(platform.token, ids.gym, ids.miq).expect(201)).body.id;

    // Ngäbere is Panama's, Miskito is not: that link is not hers to remove; nor is it Guatemala's.
    await unlink(pa.token, theirs).expect(404);
    await unlink(gt.token, theirs).expect(404);
    expect(await linked(ids.gym)).toEqual([ids.miq]);
    await unlink(platform.token, theirs).expect(204);
    expect(await linked(ids.gym)).toEqual([]);

    // Mam and Tektiteko are Mexico's languages too: her admin may remove the link Guatemala's added.
    await unlink(mx.token, ours).expect(204);
    expect(await linked(ids.mam)).toEqual([]);
    await unlink(mx.token, ours).expect(404);
    const removed = await t.sql(`SELECT actor_id, subject_id, data FROM audit_events WHERE type = 'language.link_removed' ORDER BY seq`);
    expect(removed).toEqual([
      { actor_id: platform.id, subject_id: theirs, data: { fromLanguageId: ids.gym, toLanguageId: ids.miq } },
      { actor_id: mx.id, subject_id: ours, data: { fromLanguageId: ids.mam, toLanguageId: ids.ttc } },
    ]);
  });

  it('answers others and bad ids as it should: 401, 403, 404, 400', async () => {
    const official = await createStaff(t, 'official', { country: 'GT' });
    const platform = await createStaff(t, 'platform_admin');
    const id = (await link(platform.token, ids.mam, ids.ttc).expect(201)).body.id;
    await unlink(null, id).expect(401);
    await unlink(official.token, id).expect(403);
    await unlink(platform.token, randomUUID()).expect(404);
    expect((await unlink(platform.token, 'not-a-uuid').expect(400)).body.fields).toEqual(['id']);
    expect(await linked(ids.mam)).toEqual([ids.ttc]);
  });
});
