import { demoEnv, prepareDemo } from '../src/cli';
import { CallerReach } from '../src/matching/caller-reach';
import { loadConfig } from '../src/config/config.schema';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_ROSTERS, DEMO_SERVICES, DEMO_SHARING, DEMO_VARIANT } from '../src/demo/demo-data';
import { adminQuery, dbUrl, runId } from './utils/db';
import { startTestApp, TestApp, testEnv } from './utils/test-app';

/** `npm run demo` on a fresh database: the same migrate-and-load step (prepareDemo), then the server. */
describe('the demo (npm run demo) on a fresh database', () => {
  const dbName = `puente_test_${runId()}_demo`;
  const config = loadConfig(testEnv({ DATABASE_URL: dbUrl(dbName) }));
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => adminQuery<T>(query, params, dbName);
  let t: TestApp;

  /** Every table's full contents except the audit log's (its events and its head), as one digest per table. */
  async function contents(): Promise<Record<string, string>> {
    const tables = await sql<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('audit_events', 'audit_chain_head') ORDER BY 1`,
    );
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      [{ digest: out[name] }] = await sql<{ digest: string }>(
        `SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS digest FROM "${name}" x`,
      );
    }
    return out;
  }

  beforeAll(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE ${dbName}`); // empty, as on a fresh machine: prepareDemo migrates it
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await prepareDemo(config);
    } finally {
      log.mockRestore();
    }
    t = await startTestApp({ DATABASE_URL: config.DATABASE_URL });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });

  it('is ready: PostgreSQL, Redis and the mediasoup workers up', async () => {
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it.each(Object.entries(DEMO_ROSTERS))('accepts every row of the %s demo roster', async (country, csv) => {
    const expected = csv
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[0])
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    const rows = await sql<{ external_id: string; langs: number }>(
      `SELECT external_id, (SELECT count(*)::int FROM interpreter_languages il WHERE il.interpreter_id = i.id) AS langs
       FROM interpreters i WHERE country = $1 ORDER BY external_id`,
      [country],
    );
    expect(rows.map((r) => r.external_id)).toEqual(expected);
    for (const r of rows) expect(r.langs).toBeGreaterThan(0);
  });

  it('stores the demo variant and the sharing settings', async () => {
    const [variant] = await sql(`SELECT name, countries, curated FROM languages WHERE iso6393 = $1 AND variant = $2`, [
      DEMO_VARIANT.iso6393,
      DEMO_VARIANT.variant,
    ]);
    expect(variant).toEqual({ name: DEMO_VARIANT.name, countries: DEMO_VARIANT.countries, curated: true });
    const sharing = await sql<{ owner: string; borrower: string }>(
      `SELECT owner_country AS owner, borrower_country AS borrower FROM roster_sharing ORDER BY 1, 2`,
    );
    const expected = Object.entries(DEMO_SHARING).flatMap(([owner, borrowers]) => borrowers.map((borrower) => ({ owner, borrower })));
    expect(sharing).toEqual(expected.sort((a, b) => (a.owner + a.borrower < b.owner + b.borrower ? -1 : 1)));
  });

  it('serves a caller who gives no country: HOME_COUNTRY defaults to GT, and Guatemala shares its roster with every member state', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(demoEnv({ PORT: '3000' })).toEqual({ PORT: '3000', HOME_COUNTRY: 'GT' });
      expect(log).toHaveBeenCalledWith(expect.stringContaining('HOME_COUNTRY is not set'));
      expect(demoEnv({ HOME_COUNTRY: 'MX' })).toEqual({ HOME_COUNTRY: 'MX' });
    } finally {
      log.mockRestore();
    }
    // This app runs without HOME_COUNTRY: the demo's sharing alone lets such a caller reach Guatemala's roster.
    expect(t.config.HOME_COUNTRY).toBeUndefined();
    await expect(t.app.get(CallerReach).withoutCountry()).resolves.toEqual({ via: 'open', countries: ['GT'] });
  });

  it.each(DEMO_ACCOUNTS.map((a) => [a.email, a] as const))('lets %s log in with the demo password', async (email, account) => {
    const res = await t.http().post('/api/v1/auth/login').send({ email, password: DEMO_PASSWORD }).expect(200);
    expect(res.body.role).toBe(account.role);
    const [user] = await sql<{ country: string | null; external_id: string | null }>(
      `SELECT u.country, i.external_id FROM users u LEFT JOIN interpreters i ON i.id = u.interpreter_id WHERE u.email = $1`,
      [email],
    );
    expect(user).toEqual({ country: account.country ?? null, external_id: account.externalId ?? null });
  });

  it("gives the US demo court booking Mam María, who speaks Mam and the court's English; with María taken, a confirmed Mam–Spanish + Spanish–English chain (issue 14)", async () => {
    const court = DEMO_ACCOUNTS.find((a) => a.role === 'official' && a.country === 'US')!;
    const tokenOf = async (email: string) =>
      (await t.http().post('/api/v1/auth/login').send({ email, password: DEMO_PASSWORD }).expect(200)).body.accessToken as string;
    const token = await tokenOf(court.email);
    const [mam, spa, eng] = await Promise.all(
      ['mam', 'spa', 'eng'].map(
        async (iso) => (await sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = $1 AND variant IS NULL`, [iso]))[0].id,
      ),
    );
    const as = (bearer: string, path: string, body: object = {}) => t.http().post(path).set('Authorization', `Bearer ${bearer}`).send(body);
    const hearing = {
      languageId: mam,
      matter: 'legal_criminal',
      startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      durationMinutes: 60,
    };
    const direct = (await as(token, '/api/v1/bookings', hearing).expect(201)).body;
    expect(direct).toMatchObject({ targetLanguageId: eng, state: 'assigned', interpreter: { firstName: 'María' }, relayLanguageId: null });
    // The same hour again: María is taken, so the chain.
    const relay = (await as(token, '/api/v1/bookings', hearing).expect(201)).body;
    expect(relay).toMatchObject({ relayLanguageId: spa, interpreter: { firstName: 'Lorena' } });
    await as(await tokenOf('interpreter.lorena@demo.puente.example'), `/api/v1/bookings/${relay.id}/confirm`).expect(200);
    const done = (await as(await tokenOf('interpreter.sarah@demo.puente.example'), `/api/v1/bookings/${relay.id}/confirm`).expect(200))
      .body;
    expect(done.state).toBe('confirmed');
    expect(done.interpreters).toEqual([
      { firstName: 'Lorena', leg: 'source', team: false, state: 'confirmed', languageId: mam, targetLanguageId: spa },
      { firstName: 'Sarah', leg: 'relay', team: false, state: 'confirmed', languageId: spa, targetLanguageId: eng },
    ]);
    // Cancelled again: the next case reloads the demo and compares the data.
    for (const b of [direct, relay]) await as(token, `/api/v1/bookings/${b.id}/cancel`).expect(200);
  });

  it('has a directory of services for Guatemala, which the official finds ("where help is")', async () => {
    const login = await t.http().post('/api/v1/auth/login').send({ email: 'official.gt@demo.puente.example', password: DEMO_PASSWORD });
    const found = await t
      .http()
      .get('/api/v1/services')
      .query({ kind: 'shelter' })
      .set('Authorization', `Bearer ${login.body.accessToken}`);
    expect(found.status).toBe(200);
    expect(found.body.map((v: { name: string }) => v.name)).toEqual(DEMO_SERVICES.filter((v) => v.kind === 'shelter').map((v) => v.name));
    expect(await sql(`SELECT count(*)::int AS n FROM services WHERE country = 'GT'`)).toEqual([{ n: DEMO_SERVICES.length }]);
  });

  it('changes no data when loaded a second time (the audit log records the imports that found nothing to do)', async () => {
    const before = await contents();
    expect(Number(before.interpreters.split(':')[0])).toBeGreaterThan(0);
    const [{ last }] = await sql<{ last: string }>(`SELECT max(seq)::text AS last FROM audit_events`);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await prepareDemo(config);
    } finally {
      log.mockRestore();
    }
    expect(await contents()).toEqual(before);
    const events = await sql<{ type: string; data: Record<string, number> }>(
      `SELECT type, data FROM audit_events WHERE seq > $1 ORDER BY seq`,
      [last],
    );
    expect(events.map((e) => e.type)).toEqual(Object.keys(DEMO_ROSTERS).map(() => 'roster.imported'));
    for (const e of events) expect(e.data).toMatchObject({ created: 0, updated: 0, rejected: 0 });
    await t.http().get('/health/ready').expect(200);
  });
});
