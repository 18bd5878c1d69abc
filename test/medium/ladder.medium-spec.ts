import { Client } from 'pg';
import { Registry } from 'prom-client';
import type { QueryRunner } from 'typeorm';
import { OneWaitingLineIndex1765890000000 } from '../../migrations/1765890000000-one-waiting-line-index';
import { LiveIndexesByTheirKey1765900000000 } from '../../migrations/1765900000000-live-indexes-by-their-key';
import { SessionsLiveLeadByItsKey1765910000000 } from '../../migrations/1765910000000-sessions-live-lead-by-its-key';
import { findBookingCandidates, type BookingCandidateQuery } from '../../src/bookings/booking-candidates';
import { MatchingRepository } from '../../src/matching/matching.repository';
import { DomainMetrics } from '../../src/metrics/domain.metrics';
import type { MetricsService } from '../../src/metrics/metrics.service';
import { SessionsRepository } from '../../src/sessions/sessions.repository';
import { urgencyRank, WAITING_ORDER_SQL } from '../../src/matching/priority';
import type { Urgency } from '../../src/common/domain';
import { createTestDatabase } from '../utils/db';

/**
 * The escalation ladder (src/matching/sql/10-ladder.sql) against the real PostgreSQL, without HTTP, Redis or
 * mediasoup: every tier, the order within a tier and each exclusion, for on-demand calls (matching_dispatch)
 * and hearings (findBookingCandidates) alike. Each case runs in a transaction that is rolled back.
 */
describe('the ladder in PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let c: Client;
  const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows as T[];

  beforeAll(async () => {
    // Without the language catalogue: the cases insert the few languages they need.
    db = await createTestDatabase({ catalogue: false });
    c = new Client({ connectionString: db.url });
    await c.connect();
  });
  afterAll(async () => {
    await c?.end();
    await db?.drop();
  });
  beforeEach(() => q('BEGIN'));
  // (A statement a case PREPAREd outlives its transaction.)
  afterEach(async () => {
    await q('ROLLBACK');
    await q('DEALLOCATE ALL');
  });

  it('the functions nodes call keep one generic plan per statement, by index (20-matching.sql says why)', async () => {
    const entry = [
      'matching_create',
      'matching_dispatch',
      'matching_accept',
      'matching_finish',
      'matching_servable',
      'matching_relay_unfilled',
      'session_end',
    ];
    const settings = await q<{ proname: string; proconfig: string[] | null }>(
      `SELECT proname, proconfig FROM pg_proc WHERE proname = ANY ($1)`,
      [entry],
    );
    // (matching_finish twice: its four-argument form is what a node of the release before calls.)
    expect([...new Set(settings.map((f) => f.proname))].sort()).toEqual([...entry].sort());
    for (const f of settings)
      expect({ [f.proname]: f.proconfig }).toEqual({
        [f.proname]: expect.arrayContaining(['plan_cache_mode=force_generic_plan', 'enable_seqscan=off']),
      });
    // The helpers run only inside them plan under their settings, without a clause of their own to save and restore
    // at every call (20-matching.sql says why).
    const helpers = [
      'matching_waiting',
      'matching_waiting_for',
      'matching_owed_elsewhere',
      'matching_ring',
      'matching_leg_open',
      'matching_dispatch_as',
    ];
    expect(await q(`SELECT proname, proconfig FROM pg_proc WHERE proname = ANY ($1) ORDER BY proname`, [helpers])).toEqual(
      [...helpers].sort().map((proname) => ({ proname, proconfig: null })),
    );
    // Those that search candidates: no cache keyed by the candidate herself (20-matching.sql says why).
    for (const f of settings.filter((x) => ['matching_create', 'matching_dispatch', 'matching_servable'].includes(x.proname)))
      expect({ [f.proname]: f.proconfig }).toEqual({ [f.proname]: expect.arrayContaining(['enable_memoize=off']) });
  });

  // ---- fixtures, straight into the tables ----------------------------------------------------------------
  const lang = async (iso: string) =>
    (
      await q<{ id: string }>(`INSERT INTO languages (iso6393, name, search_text) VALUES ($1::text, $1::text, $1::text) RETURNING id`, [
        iso,
      ])
    )[0].id;
  const link = async (a: string, b: string) =>
    q(`INSERT INTO language_links (from_language_id, to_language_id, source, created_by) VALUES ($1, $2, 'test', gen_random_uuid())`, [
      a,
      b,
    ]);
  interface Spec {
    country?: string;
    languages: [string, number][];
    specialties?: string[];
    gender?: string;
    status?: string;
    idleSince?: Date | null;
    /** Her roster's certification columns; by default a body without an expiry date (valid without end). */
    certification?: { body: string | null; expires: string | null };
    /** Her relay languages (the roster's relay_languages). */
    relay?: [string, number][];
  }
  const names = new Map<string, string>();
  const person = async (name: string, s: Spec) => {
    const [{ id }] = await q<{ id: string }>(
      `INSERT INTO interpreters (country, external_id, first_name, email, gender, status, specialties, last_session_ended_at,
                                 certification_body, certification_expires)
       VALUES ($1, $2::text, $2::text, $2::text || '@test.example', $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        s.country ?? 'GT',
        `${name}-${Math.random().toString(36).slice(2, 8)}`,
        s.gender ?? null,
        s.status ?? 'active',
        s.specialties ?? ['violence'],
        s.idleSince ?? null,
        s.certification?.body ?? (s.certification ? null : 'TEST'),
        s.certification?.expires ?? null,
      ],
    );
    for (const [l, level] of s.languages)
      await q(`INSERT INTO interpreter_languages (interpreter_id, language_id, level) VALUES ($1, $2, $3)`, [id, l, level]);
    for (const [l, level] of s.relay ?? [])
      await q(`INSERT INTO interpreter_relay_languages (interpreter_id, language_id, level) VALUES ($1, $2, $3)`, [id, l, level]);
    names.set(id, name);
    return id;
  };
  const request = async (r: {
    language: string;
    matter?: string;
    urgency?: Urgency;
    minor?: boolean;
    preferFemale?: boolean;
    country?: string | null;
    queuedAt?: Date;
    /** What the other side speaks; none: anyone covers it (a request made before targets). */
    target?: string;
  }) =>
    (
      await q<{ id: string }>(
        `INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, priority, queued_at, target_language_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8, now()), $9) RETURNING id`,
        [
          r.language,
          r.matter ?? 'violence',
          r.urgency ?? 'normal',
          r.minor ?? false,
          r.preferFemale ?? false,
          r.country === undefined ? 'GT' : r.country,
          urgencyRank(r.urgency ?? 'normal'),
          r.queuedAt ?? null,
          r.target ?? null,
        ],
      )
    )[0].id;
  /**
   * Who matching_dispatch rings for the request among `available`, by name, with their tiers (and, on a relay chain's
   * legs, the leg). `relay`: who is available for the relay languages (none by default: read, nobody).
   */
  const dispatch = async (requestId: string, available: string[], home: string | null = null, relay: string[] = []) => {
    const [{ d }] = await q<{ d: { offers: { interpreterId: string; tier: number; leg: string }[] } | null }>(
      `SELECT matching_dispatch($1, $2::uuid[], 20, $3, 60, 10, $4::uuid[]) AS d`,
      [requestId, available, home, relay],
    );
    return (d?.offers ?? []).map((o) => `${names.get(o.interpreterId)}:${o.tier}${o.leg === 'direct' ? '' : `:${o.leg}`}`).sort();
  };
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
  /** Entries read from each index of `table` since the transaction began, by index name, and rows read by scanning it whole. */
  const indexReads = async (table: string): Promise<Record<string, number>> =>
    Object.fromEntries(
      (
        await q<{ name: string; tuples: string }>(
          `SELECT c.relname AS name, pg_stat_get_xact_tuples_returned(c.oid) AS tuples
           FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid WHERE x.indrelid = $1::regclass
           UNION ALL SELECT $1 || ' (scanned whole)', pg_stat_get_xact_tuples_returned($1::regclass)`,
          [table],
        )
      ).map((r) => [r.name, Number(r.tuples)]),
    );
  /** What was read between two of those, by index, leaving out those not read. */
  const readSince = (before: Record<string, number>, after: Record<string, number>): Record<string, number> =>
    Object.fromEntries(
      Object.entries(after)
        .map(([k, v]) => [k, v - (before[k] ?? 0)])
        .filter(([, v]) => v !== 0),
    );
  const total = (read: Record<string, number>) => Object.values(read).reduce((x, y) => x + y, 0);
  /** From now on, the entries read from each table's indexes (and its whole-table scans), in all: call the result to know. */
  const readsFrom = async <T extends string>(...tables: T[]): Promise<() => Promise<Record<T, number>>> => {
    const before = await Promise.all(tables.map((t) => indexReads(t)));
    return async () =>
      Object.fromEntries(await Promise.all(tables.map(async (t, i) => [t, total(readSince(before[i], await indexReads(t)))]))) as Record<
        T,
        number
      >;
  };
  /** A hearing's candidates (findBookingCandidates) as `name:tier`, for an hour starting `inDays` days from now. */
  const hearingCandidates = (
    query: Pick<BookingCandidateQuery, 'languageId' | 'rosterCountries'> & Partial<BookingCandidateQuery>,
    inDays = 1,
  ) => {
    const startsAt = new Date(Date.now() + inDays * 86_400_000);
    return findBookingCandidates(
      { query: (sql: string, params?: unknown[]) => q(sql, params) } as never,
      {
        bookingId: '00000000-0000-4000-8000-000000000000',
        targetLanguageId: null,
        mustCover: false,
        matter: 'violence',
        minor: false,
        preferFemale: false,
        preferredId: null,
        preferredCountries: [],
        startsAt,
        endsAt: new Date(startsAt.getTime() + 3_600_000),
        bufferMinutes: 15,
        limit: 10,
        ...query,
      } as BookingCandidateQuery,
    ).then((found) => found.map((f) => `${names.get(f.interpreterId)}:${f.tier}`));
  };

  describe('tiers (one rings at a time: the better tier)', () => {
    type Who = { country: string; specialty: string; language: 'mam' | 'ttc' };
    it.each<[string, Who, Who, string]>([
      [
        '1 (exact, specialty, her country) over 2 (the same from a sharing roster)',
        { country: 'GT', specialty: 'violence', language: 'mam' },
        { country: 'MX', specialty: 'violence', language: 'mam' },
        'a:1',
      ],
      [
        '2 over 3 (exact, without the specialty)',
        { country: 'MX', specialty: 'violence', language: 'mam' },
        { country: 'GT', specialty: 'legal_civil', language: 'mam' },
        'a:2',
      ],
      [
        '3 over 4 (an intelligible variant)',
        { country: 'GT', specialty: 'legal_civil', language: 'mam' },
        { country: 'GT', specialty: 'violence', language: 'ttc' },
        'a:3',
      ],
    ])('tier %s', async (_what, better, worse, winner) => {
      const ids = { mam: await lang('mam'), ttc: await lang('ttc') };
      await link(ids.mam, ids.ttc);
      await q(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ('MX', 'GT')`);
      // The worse one has the higher level: the tier decides before anything else.
      const a = await person('a', { country: better.country, specialties: [better.specialty], languages: [[ids[better.language], 1]] });
      const b = await person('b', { country: worse.country, specialties: [worse.specialty], languages: [[ids[worse.language], 5]] });
      expect(await dispatch(await request({ language: ids.mam }), [b, a])).toEqual([winner]);
    });
  });

  describe('order within a tier', () => {
    let mam: string;
    beforeEach(async () => {
      mam = await lang('mam');
    });

    it.each([
      [
        'a woman when she asked for one, before one idle longer',
        { preferFemale: true },
        { gender: 'female', idleSince: ago(1) },
        { gender: 'male', idleSince: ago(60) },
      ],
      [
        'the one idle longest when she did not ask for a woman',
        {},
        { gender: 'male', idleSince: ago(60) },
        { gender: 'female', idleSince: ago(1) },
      ],
      [
        'children-trained for a minor, before one idle longer',
        { minor: true },
        { specialties: ['violence', 'children'], idleSince: ago(1) },
        { idleSince: ago(60) },
      ],
      ['one who never had a call before one idle for an hour', {}, { idleSince: null }, { idleSince: ago(60) }],
      ['the one idle longer before a higher level', {}, { idleSince: ago(60), level: 2 }, { idleSince: ago(1), level: 5 }],
      // ladder_rank keeps idle time to the millisecond (it packs the order into one bigint).
      [
        'idle one millisecond longer, before a higher level',
        {},
        { idleSince: new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 0)), level: 2 },
        { idleSince: new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 1)), level: 5 },
      ],
      [
        'the higher level when idle as long',
        {},
        { idleSince: new Date(2026, 0, 1), level: 5 },
        { idleSince: new Date(2026, 0, 1), level: 2 },
      ],
    ])('%s', async (_what, req, better, worse) => {
      const { level: lb = 3, ...b } = better as Spec & { level?: number };
      const { level: lw = 3, ...w } = worse as Spec & { level?: number };
      const first = await person('better', { ...b, languages: [[mam, lb]] } as Spec);
      const second = await person('worse', { ...w, languages: [[mam, lw]] } as Spec);
      expect(await dispatch(await request({ language: mam, ...req }), [second, first])).toEqual(['better:1']);
    });

    it('one never offered this request before one already tried, whatever the tier', async () => {
      const tried = await person('tried', { languages: [[mam, 5]] });
      const fresh = await person('fresh', { languages: [[mam, 5]], specialties: ['legal_civil'] });
      const r = await request({ language: mam });
      await q(
        `INSERT INTO offers (request_id, interpreter_id, tier, expires_at, outcome, decided_at, holds) VALUES ($1, $2, 1, now(), 'withdrawn', now(), false)`,
        [r, tried],
      );
      expect(await dispatch(r, [tried, fresh])).toEqual(['fresh:3']);
    });

    it('rings three at once for an emergency, one otherwise', async () => {
      const ids = [];
      for (const n of ['p', 'q', 'r', 's']) ids.push(await person(n, { languages: [[mam, 3]] }));
      expect(await dispatch(await request({ language: mam, urgency: 'emergency' }), ids)).toHaveLength(3);
      expect(await dispatch(await request({ language: mam, urgency: 'urgent' }), ids.slice(3))).toHaveLength(1);
      expect((await q<{ n: number }>(`SELECT ladder_at_once('normal') AS n`))[0].n).toBe(1);
    });
  });

  describe('who is left out', () => {
    let mam: string;
    let r: string;
    beforeEach(async () => {
      mam = await lang('mam');
      r = await request({ language: mam });
    });
    const alone = async (spec: Partial<Spec>, setUp?: (id: string) => Promise<unknown>, home: string | null = null, req?: string) => {
      const id = await person('x', { languages: [[mam, 5]], ...spec });
      await setUp?.(id);
      return dispatch(req ?? r, [id], home);
    };

    it.each([
      ['a suspended interpreter', { status: 'suspended' }, undefined],
      ['a roster that does not share with her country', { country: 'HN' }, undefined],
      [
        'one ringing for another request',
        {},
        async (id: string) =>
          q(`INSERT INTO offers (request_id, interpreter_id, tier, expires_at) VALUES ($1, $2, 1, now() + interval '20 seconds')`, [
            await request({ language: mam }),
            id,
          ]),
      ],
      [
        'one in a live call',
        {},
        async (id: string) =>
          q(
            `WITH s AS (INSERT INTO sessions (request_id, interpreter_id) VALUES ($1, $2) RETURNING id)
             INSERT INTO session_interpreters (session_id, role, interpreter_id) SELECT id, 'interpreter', $2 FROM s`,
            [await request({ language: mam }), id],
          ),
      ],
      [
        'one in a live call as its relay interpreter',
        {},
        async (id: string) => {
          const lead = await person('lead', { languages: [[mam, 5]] });
          await q(
            `WITH s AS (INSERT INTO sessions (request_id, interpreter_id) VALUES ($1, $2) RETURNING id)
             INSERT INTO session_interpreters (session_id, role, interpreter_id)
             SELECT id, 'interpreter', $2::uuid FROM s UNION ALL SELECT id, 'relay_interpreter', $3::uuid FROM s`,
            [await request({ language: mam }), lead, id],
          );
        },
      ],
      [
        'one who refused this request twice',
        {},
        async (id: string) =>
          q(
            `INSERT INTO offers (request_id, interpreter_id, tier, expires_at, outcome, decided_at, holds) SELECT $1, $2, 1, now(), 'declined', now() - interval '1 hour', false FROM generate_series(1, 2)`,
            [r, id],
          ),
      ],
      [
        'one who refused it less than the retry time ago',
        {},
        async (id: string) =>
          q(
            `INSERT INTO offers (request_id, interpreter_id, tier, expires_at, outcome, decided_at, holds) VALUES ($1, $2, 1, now(), 'expired', now() - interval '10 seconds', false)`,
            [r, id],
          ),
      ],
      [
        'one who speaks another language only',
        { languages: [] as [string, number][] },
        async (id: string) =>
          q(`INSERT INTO interpreter_languages (interpreter_id, language_id, level) VALUES ($1, $2, 5)`, [id, await lang('quc')]),
      ],
    ] as const)('%s', async (_what, spec, setUp) => {
      expect(await alone(spec as Partial<Spec>, setUp)).toEqual([]);
    });

    it('offers again one who refused once, long enough ago', async () => {
      const got = await alone({}, (id) =>
        q(
          `INSERT INTO offers (request_id, interpreter_id, tier, expires_at, outcome, decided_at, holds) VALUES ($1, $2, 1, now(), 'declined', now() - interval '2 minutes', false)`,
          [r, id],
        ),
      );
      expect(got).toEqual(['x:1']);
    });

    it('a caller who gives no country: the home roster, or else only rosters shared with every member state', async () => {
      // Alone in the line (the request every case here has would be ahead of hers: see the next case).
      await q(`UPDATE interpretation_requests SET state = 'cancelled', ended_at = now() WHERE id = $1`, [r]);
      const nowhere = await request({ language: mam, country: null });
      const gt = await person('gt', { languages: [[mam, 5]] });
      expect(await dispatch(nowhere, [gt], null)).toEqual([]);
      expect(await dispatch(nowhere, [gt], 'GT')).toEqual(['gt:1']);
      await q(`UPDATE offers SET outcome = 'withdrawn', decided_at = now(), holds = false WHERE request_id = $1`, [nowhere]);
      await q(`UPDATE interpretation_requests SET state = 'queued' WHERE id = $1`, [nowhere]);
      const open = await person('open', { country: 'MX', languages: [[mam, 5]] });
      await q(
        `INSERT INTO roster_sharing (owner_country, borrower_country) SELECT 'MX', c FROM unnest('{BZ,CA,CR,DO,SV,GT,HN,NI,PA,US}'::char(2)[]) c`,
      );
      expect(await dispatch(nowhere, [open], null)).toEqual(['open:2']);
    });
  });

  describe('certification: where a matter needs it, a valid one', () => {
    /** A date `days` from today (UTC), as a roster writes it. */
    const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    const expired = { body: 'ALMG', expires: day(-1) };
    const none = { body: null, expires: null };
    type Cert = { body: string | null; expires: string | null };
    it.each<[string, string, Cert, string | null, boolean]>([
      ['legal matter, default rules: an expired certificate is skipped', 'legal_criminal', expired, null, false],
      ['legal matter, default rules: no certification at all is skipped', 'legal_civil', none, null, false],
      ['legal matter, default rules: valid through its last day', 'legal_labour', { body: 'ALMG', expires: day(0) }, null, true],
      ['legal matter, default rules: a body named and no expiry is valid', 'legal_criminal', { body: 'ALMG', expires: null }, null, true],
      ['legal matter, default rules: an expiry alone decides', 'legal_criminal', { body: null, expires: day(30) }, null, true],
      ['violence, default rules: an expired certificate is used', 'violence', expired, null, true],
      ['violence where the country requires it: skipped', 'violence', expired, 'violence', false],
      ['legal matter where the country requires only violence: used', 'legal_criminal', expired, 'violence', true],
    ])('%s', async (_what, matter, certification, rule, rings) => {
      const mam = await lang('mam');
      if (rule) await q(`INSERT INTO certification_rules (country, matters, hearings) VALUES ('GT', $1, true)`, [[rule]]);
      const id = await person('x', { languages: [[mam, 5]], specialties: [matter], certification });
      expect(await dispatch(await request({ language: mam, matter }), [id])).toEqual(rings ? ['x:1'] : []);
    });

    it("a caller whose country is unknown is served under the default rules, as is her home roster's country without rules", async () => {
      const mam = await lang('mam');
      await q(`INSERT INTO roster_sharing (owner_country, borrower_country) SELECT 'GT', c FROM unnest($1::text[]) c`, [
        ['BZ', 'CA', 'CR', 'DO', 'SV', 'HN', 'MX', 'NI', 'PA', 'US'],
      ]);
      // Mexico needs nothing: a caller in Mexico is served by the same expired interpreter whom the default refuses.
      await q(`INSERT INTO certification_rules (country, matters, hearings) VALUES ('MX', '{}', false)`);
      const id = await person('x', { languages: [[mam, 5]], specialties: ['legal_criminal'], certification: expired });
      expect(await dispatch(await request({ language: mam, matter: 'legal_criminal', country: null }), [id])).toEqual([]);
      expect(await dispatch(await request({ language: mam, matter: 'legal_criminal', country: null }), [id], 'GT')).toEqual([]);
      expect(await dispatch(await request({ language: mam, matter: 'legal_criminal', country: 'MX' }), [id])).toEqual(['x:2']);
    });

    it("hearings: the certificate must still be valid on the hearing's day, unless the country does not ask it for hearings", async () => {
      const mam = await lang('mam');
      const lapses = await person('lapses-tomorrow', { languages: [[mam, 5]], certification: { body: 'ALMG', expires: day(1) } });
      const lasts = await person('lasts', { languages: [[mam, 4]], certification: { body: 'ALMG', expires: day(30) } });
      const find = async () => (await hearingCandidates({ languageId: mam, rosterCountries: ['GT'] }, 3)).map((f) => f.split(':')[0]);
      expect(await find()).toEqual(['lasts']);
      await q(`INSERT INTO certification_rules (country, matters, hearings) VALUES ('GT', '{legal_criminal}', false)`);
      expect(await find()).toEqual(['lapses-tomorrow', 'lasts']);
      // On demand today both are valid, whatever the rules: a legal matter rings the better of the two.
      expect(await dispatch(await request({ language: mam, matter: 'legal_criminal' }), [lasts, lapses])).toEqual(['lapses-tomorrow:3']);
    });
  });

  describe('target language: who covers what the other side speaks', () => {
    let mam: string;
    let eng: string;
    let spa: string;
    beforeEach(async () => {
      [mam, eng, spa] = [await lang('mam'), await lang('eng'), await lang('spa')];
    });
    const candidates = (target: string) => hearingCandidates({ languageId: mam, targetLanguageId: target, rosterCountries: ['GT', 'MX'] });

    it.each<[string, (l: { mam: string; eng: string; spa: string }) => [Spec, Spec], string]>([
      [
        'one with the target among her relay languages before a better tier without it',
        (l) => [{ specialties: ['health'], languages: [[l.mam, 3]], relay: [[l.eng, 5]] }, { languages: [[l.mam, 5]] }],
        'covers:3',
      ],
      [
        'one with the target among her languages (not relay) covers it too',
        (l) => [
          {
            specialties: ['health'],
            languages: [
              [l.mam, 3],
              [l.eng, 5],
            ],
          },
          { languages: [[l.mam, 5]] },
        ],
        'covers:3',
      ],
      [
        'covering beats the tier even from a sharing roster with a lower level',
        (l) => [
          { country: 'MX', languages: [[l.mam, 1]], relay: [[l.eng, 1]] },
          { languages: [[l.mam, 5]], relay: [[l.spa, 5]] },
        ],
        'covers:2',
      ],
    ])('%s', async (_what, specs, winner) => {
      await q(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ('MX', 'GT')`);
      const [covering, other] = specs({ mam, eng, spa });
      const a = await person('covers', covering);
      const b = await person('other', other);
      expect(await dispatch(await request({ language: mam, target: eng }), [b, a])).toEqual([winner]);
      expect((await candidates(eng))[0]).toBe(winner);
    });

    it('when nobody covers it, the best single interpreter is still offered (until a relay pair is found)', async () => {
      const a = await person('spanish-only', { languages: [[mam, 5]], relay: [[spa, 5]] });
      expect(await dispatch(await request({ language: mam, target: eng }), [a])).toEqual(['spanish-only:1']);
      expect(await candidates(eng)).toEqual(['spanish-only:1']);
    });

    describe('relay chains on demand: two interpreters when nobody free covers it', () => {
      /** Her language into Spanish, and Spanish into English: the two legs of a US chain. */
      const mamSpa = (name: string, more: Partial<Spec> = {}) => person(name, { languages: [[mam, 5]], relay: [[spa, 5]], ...more });
      const spaEng = (name: string, more: Partial<Spec> = {}) => person(name, { languages: [[spa, 5]], relay: [[eng, 5]], ...more });
      const relayOf = async (id: string) =>
        (await q<{ relay_language_id: string | null }>(`SELECT relay_language_id FROM interpretation_requests WHERE id = $1`, [id]))[0]
          .relay_language_id;

      it.each<[string, (l: { mam: string; eng: string; spa: string }) => Promise<{ available: string[]; relay: string[] }>, string[]]>([
        [
          'direct beats relay: one who covers it rings alone, though a pair is free',
          async () => {
            const [a, b, direct] = [
              await mamSpa('mam-spa'),
              await spaEng('spa-eng'),
              await person('direct', { languages: [[mam, 3]], relay: [[eng, 2]] }),
            ];
            return { available: [a, direct], relay: [b] };
          },
          ['direct:1'],
        ],
        [
          'nobody covers it: both legs ring at once, each its own offer',
          async () => ({ available: [await mamSpa('mam-spa')], relay: [await spaEng('spa-eng')] }),
          ['mam-spa:1:source', 'spa-eng:1:relay'],
        ],
        [
          'each leg follows the tiers: the specialty first on both legs',
          async () => ({
            available: [await mamSpa('src-plain', { specialties: ['health'] }), await mamSpa('src-violence')],
            relay: [await spaEng('rel-plain', { specialties: ['health'] }), await spaEng('rel-violence')],
          }),
          ['rel-violence:1:relay', 'src-violence:1:source'],
        ],
        [
          'each leg follows the order within a tier: the one idle longest',
          async () => ({
            available: [await mamSpa('src-recent', { idleSince: ago(1) }), await mamSpa('src-idle', { idleSince: ago(90) })],
            relay: [await spaEng('rel-recent', { idleSince: ago(1) }), await spaEng('rel-idle', { idleSince: ago(90) })],
          }),
          ['rel-idle:1:relay', 'src-idle:1:source'],
        ],
        [
          'a relay leg from a sharing roster is tier 2',
          async () => ({ available: [await mamSpa('mam-spa')], relay: [await spaEng('spa-eng-mx', { country: 'MX' })] }),
          ['mam-spa:1:source', 'spa-eng-mx:2:relay'],
        ],
        [
          'no pair (no one for the relay leg): the best single interpreter rings, as before',
          async () => ({ available: [await mamSpa('mam-spa')], relay: [await person('spa-only', { languages: [[spa, 5]] })] }),
          ['mam-spa:1'],
        ],
        [
          'a relay pair never uses the same person twice: one who could take both legs covers it and rings alone',
          async () => {
            const both = await person('both', {
              languages: [
                [mam, 5],
                [spa, 5],
              ],
              relay: [[eng, 5]],
            });
            return { available: [both], relay: [both] };
          },
          ['both:1'],
        ],
      ])('%s', async (_what, setup, rung) => {
        await q(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ('MX', 'GT')`);
        const { available, relay } = await setup({ mam, eng, spa });
        const r = await request({ language: mam, target: eng });
        expect(await dispatch(r, available, null, relay)).toEqual(rung);
        expect(await relayOf(r)).toBe(rung.some((x) => x.endsWith(':source')) ? spa : null);
      });

      it('an emergency rings its top three on each leg', async () => {
        const available = [await mamSpa('s1'), await mamSpa('s2'), await mamSpa('s3'), await mamSpa('s4')];
        const relay = [await spaEng('r1'), await spaEng('r2'), await spaEng('r3'), await spaEng('r4')];
        const rung = await dispatch(await request({ language: mam, target: eng, urgency: 'emergency' }), available, null, relay);
        expect(rung.filter((x) => x.endsWith(':source'))).toHaveLength(3);
        expect(rung.filter((x) => x.endsWith(':relay'))).toHaveLength(3);
      });

      it('asks for who is available for the relay languages (Spanish, then English, French) before ringing a single one', async () => {
        const r = await request({ language: mam, target: eng });
        const [{ d }] = await q<{ d: { needsRelay?: string[]; offers: unknown[] } }>(
          `SELECT matching_dispatch($1, $2::uuid[], 20, NULL, 60, 10) AS d`,
          [r, [await mamSpa('mam-spa')]],
        );
        expect(d).toMatchObject({ needsRelay: [spa], offers: [] });
        const fra = await lang('fra');
        const [{ relays }] = await q<{ relays: string[] }>(`SELECT ladder_relay_languages($1, $2) AS relays`, [mam, fra]);
        expect(relays).toEqual([spa, eng]);
      });

      it('goes through English when only an English pair is free (a Mam call into French)', async () => {
        const fra = await lang('fra');
        const available = [await person('mam-eng', { languages: [[mam, 5]], relay: [[eng, 5]] })];
        const relay = [await person('eng-fra', { languages: [[eng, 5]], relay: [[fra, 5]] })];
        const r = await request({ language: mam, target: fra });
        expect(await dispatch(r, available, null, relay)).toEqual(['eng-fra:1:relay', 'mam-eng:1:source']);
        expect(await relayOf(r)).toBe(eng);
      });

      it('each leg skips an expired certificate where the matter needs one', async () => {
        const expired = { body: 'EOIR', expires: '2020-01-01' };
        const available = [await mamSpa('src', { specialties: ['legal_criminal'] })];
        const relay = [await spaEng('rel-expired', { specialties: ['legal_criminal'], certification: expired })];
        const r = await request({ language: mam, target: eng, matter: 'legal_criminal' });
        expect(await dispatch(r, available, null, relay)).toEqual(['src:1']);
        relay.push(await spaEng('rel-valid', { specialties: ['legal_criminal'] }));
        const again = await request({ language: mam, target: eng, matter: 'legal_criminal' });
        expect(await dispatch(again, [await mamSpa('src2', { specialties: ['legal_criminal'] })], null, relay)).toEqual([
          'rel-valid:1:relay',
          'src2:1:source',
        ]);
      });
    });

    it("a request's covering candidates keep the ladder's own order among themselves", async () => {
      const low = await person('eng-level1', { languages: [[mam, 1]], relay: [[eng, 5]] });
      const high = await person('eng-level5', { languages: [[mam, 5]], relay: [[eng, 5]] });
      const spanish = await person('spa-level5', { languages: [[mam, 5]], relay: [[spa, 5]] });
      const r = await request({ language: mam, target: eng, urgency: 'emergency' });
      expect(await dispatch(r, [spanish, low, high])).toEqual(['eng-level1:1', 'eng-level5:1', 'spa-level5:1']);
      expect(await candidates(eng)).toEqual(['eng-level5:1', 'eng-level1:1', 'spa-level5:1']);
      expect(await candidates(spa)).toEqual(['spa-level5:1', 'eng-level5:1', 'eng-level1:1']);
    });

    it.each([
      ['US', 'eng'],
      ['BZ', 'eng'],
      ['CA', 'eng'],
      ['GT', 'spa'],
      ['MX', 'spa'],
      [null, 'spa'],
    ])('the main language of %s (a request or booking that names none) is %s', async (country, iso) => {
      const [{ id }] = await q<{ id: string }>(`SELECT ladder_main_language($1) AS id`, [country]);
      expect(id).toBe(iso === 'eng' ? eng : spa);
    });

    it('a new request without a target gets where she is, else the home roster, else Spanish', async () => {
      const target = async (country: string | null, home: string | null) => {
        const [r] = await q<{ target_language_id: string }>(
          `SELECT target_language_id FROM matching_new_request($1, NULL, 'violence', 'normal', false, false, $2, gen_random_uuid(), 1::smallint, NULL, $3)`,
          [mam, country, home],
        );
        return r.target_language_id;
      };
      expect(await target('US', 'GT')).toBe(eng);
      expect(await target(null, 'US')).toBe(eng);
      expect(await target(null, null)).toBe(spa);
      const [r] = await q<{ target_language_id: string }>(
        `SELECT target_language_id FROM matching_new_request($1, $2, 'violence', 'normal', false, false, 'US', gen_random_uuid(), 1::smallint, NULL, NULL)`,
        [mam, spa],
      );
      expect(r.target_language_id).toBe(spa);
    });
  });

  describe("a new request's first dispatch (matching_create)", () => {
    let mam: string;
    let spa: string;
    let eng: string;
    let quc: string;
    beforeEach(async () => {
      [mam, spa, eng, quc] = [await lang('mam'), await lang('spa'), await lang('eng'), await lang('quc')];
    });
    /** matching_create as the node calls it, with the row versions it wrote to interpretation_requests in this transaction. */
    const create = async (available: string[], target = spa) => {
      // (The view also counts what earlier transactions of this connection did and PostgreSQL has not yet gathered.)
      const counts = async () =>
        (
          await q<{ ins: string; upd: string }>(
            `SELECT n_tup_ins AS ins, n_tup_upd AS upd FROM pg_stat_xact_user_tables WHERE relname = 'interpretation_requests'`,
          )
        ).map((x) => ({ ins: Number(x.ins), upd: Number(x.upd) }))[0];
      const before = await counts();
      const [{ c }] = await q<{ c: { id: string; dispatched: { state: string; was: string; offers: unknown[]; needsRelay?: string[] } } }>(
        `SELECT matching_create($1, $2, 'violence', 'normal', false, false, 'GT', gen_random_uuid(), 1::smallint, NULL, false,
                                $3::uuid[], 20, NULL, 60, 10) AS c`,
        [mam, target, available],
      );
      const after = await counts();
      const [row] = await q<{ state: string; offered: boolean; never: boolean }>(
        `SELECT state, first_offered_at = created_at AS offered, first_offered_at IS NULL AS never FROM interpretation_requests WHERE id = $1`,
        [c.id],
      );
      const events = await q<{ type: string; from: string | null }>(
        `SELECT type, data->>'fromState' AS "from" FROM matching_audit_outbox WHERE subject_id = $1 ORDER BY id`,
        [c.id],
      );
      return { d: c.dispatched, written: { ins: after.ins - before.ins, upd: after.upd - before.upd }, row, events };
    };

    it('someone is rung: the request is written once, already offering, and its events say it was queued', async () => {
      const ana = await person('ana', {
        languages: [
          [mam, 5],
          [spa, 5],
        ],
      });
      const { d, written, row, events } = await create([ana]);
      expect(d).toMatchObject({ state: 'offering', was: 'queued', offers: [expect.objectContaining({ interpreterId: ana })] });
      // One row version: no second version of the row it had just inserted (each would write an entry in its indexes).
      expect(written).toEqual({ ins: 1, upd: 0 });
      expect(row).toMatchObject({ state: 'offering', offered: true });
      expect(events).toEqual([
        { type: 'request.created', from: null },
        { type: 'offer.created', from: 'queued' },
      ]);
    });

    it('nobody available: it is written once, queued, never offered, and nothing says it left the line', async () => {
      const { d, written, row, events } = await create([]);
      expect(d).toMatchObject({ state: 'queued', was: 'queued', offers: [] });
      // Inserted queued: with nobody online for her languages, a new request is not written twice.
      expect(written).toEqual({ ins: 1, upd: 0 });
      expect(row).toMatchObject({ state: 'queued', never: true });
      expect(events).toEqual([{ type: 'request.created', from: null }]);
    });

    it.each<[string, () => Promise<string>]>([
      [
        // Available, but not for her: she speaks neither Mam nor a language linked to it (Spanish too, so nobody available
        // lacks the target and no relay chain is asked for).
        'someone available but nobody she may be offered',
        () =>
          person('quc-spa', {
            languages: [
              [quc, 5],
              [spa, 5],
            ],
          }),
      ],
      [
        // In her wrap-up after a call: presence lists her available all the same, matching_free does not.
        'everyone available is busy',
        async () => {
          const ana = await person('ana', {
            languages: [
              [mam, 5],
              [spa, 5],
            ],
          });
          await q(`UPDATE interpreters SET wrapup_until = now() + interval '5 minutes' WHERE id = $1`, [ana]);
          return ana;
        },
      ],
    ])('%s: it waits queued, never offered, and nothing says it left the line', async (_what, listed) => {
      const { d, written, row, events } = await create([await listed()]);
      // The dispatch's last answer (only it says noWomanFree), not the one that asks for a relay chain.
      expect(d).toMatchObject({ state: 'queued', was: 'queued', offers: [], noWomanFree: false });
      expect(d.needsRelay).toBeUndefined();
      // Inserted offering, written back queued: the second version of the row that a rung request no longer costs.
      expect(written).toEqual({ ins: 1, upd: 1 });
      expect(row).toMatchObject({ state: 'queued', never: true });
      expect(events).toEqual([{ type: 'request.created', from: null }]);
    });

    it('is only for a request inserted offering in this transaction', async () => {
      // (A refusal aborts the transaction each case runs in: each is tried under a savepoint.)
      const refused = async (r: string) => {
        await q('SAVEPOINT fresh');
        await expect(q(`SELECT matching_dispatch_as($1, '{}'::uuid[], 20, NULL, 60, 10, NULL, '{}', NULL, true)`, [r])).rejects.toThrow(
          /was not inserted offering in this transaction/,
        );
        await q('ROLLBACK TO SAVEPOINT fresh');
      };
      // Queued, made in this transaction.
      await refused(await request({ language: mam, target: spa }));
      // Offering, but made before this transaction.
      const earlier = await request({ language: mam, target: spa });
      await q(
        `UPDATE interpretation_requests SET state = 'offering', created_at = now() - interval '1 minute', first_offered_at = now() WHERE id = $1`,
        [earlier],
      );
      await refused(earlier);
    });

    it("keeps the public functions' signatures, so that an older node's sources replace them instead of standing beside them", async () => {
      const forms = await q<{ f: string }>(
        `SELECT p.oid::regprocedure::text AS f FROM pg_proc p WHERE p.proname IN ('matching_dispatch', 'matching_new_request', 'matching_create')
         ORDER BY 1`,
      );
      expect(forms.map((x) => x.f)).toEqual([
        'matching_create(uuid,uuid,character varying,character varying,boolean,boolean,character,uuid,smallint,uuid,boolean,uuid[],double precision,character,double precision,integer,uuid[],double precision,character varying)',
        'matching_dispatch(uuid,uuid[],double precision,character,double precision,integer,uuid[],uuid[],double precision)',
        'matching_new_request(uuid,uuid,character varying,character varying,boolean,boolean,character,uuid,smallint,uuid,character,boolean,character varying)',
      ]);
    });

    it('a relay chain may serve her: it waits queued, never offered, while the node asks who is available for the relay languages', async () => {
      const mamSpa = await person('mam-spa', { languages: [[mam, 5]], relay: [[spa, 5]] });
      const { d, row, events } = await create([mamSpa], eng);
      expect(d).toMatchObject({ state: 'queued', was: 'queued', needsRelay: [spa], offers: [] });
      expect(row).toMatchObject({ state: 'queued', never: true });
      expect(events).toEqual([{ type: 'request.created', from: null }]);
    });
  });

  describe('the line comes first', () => {
    it('passes over a free interpreter whom a request ahead in her line is owed, and rings her for that one', async () => {
      const mam = await lang('mam');
      const first = await request({ language: mam, queuedAt: ago(5) });
      const later = await request({ language: mam });
      const emergency = await request({ language: mam, urgency: 'emergency' });
      const x = await person('x', { languages: [[mam, 5]] });
      // The emergency is ahead of both: x is owed to it, whoever is dispatched while she is free.
      expect(await dispatch(later, [x])).toEqual([]);
      expect(await dispatch(first, [x])).toEqual([]);
      expect(await dispatch(emergency, [x])).toEqual(['x:1']);
      // An emergency rings three: y is owed to it too, until it has them or ends.
      const [y, z] = [await person('y', { languages: [[mam, 5]] }), await person('z', { languages: [[mam, 5]] })];
      expect(await dispatch(first, [y])).toEqual([]);
      await q(`UPDATE offers SET outcome = 'withdrawn', decided_at = now(), holds = false WHERE request_id = $1`, [emergency]);
      await q(`UPDATE interpretation_requests SET state = 'cancelled', ended_at = now() WHERE id = $1`, [emergency]);
      // Then y is owed to the first in line, not to the later one; once she rings for it, z is free for the later one.
      expect(await dispatch(later, [y])).toEqual([]);
      expect(await dispatch(first, [y])).toEqual(['y:1']);
      expect(await dispatch(later, [z])).toEqual(['z:1']);
    });

    it("whether anyone else waits in her language is asked of her language's line alone, however long the others' are", async () => {
      const [mam, quc] = [await lang('mam'), await lang('quc')];
      const others = [mam, ...(await Promise.all(['mop', 'tzo', 'gym', 'cab'].map(lang)))];
      await q(
        `INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, priority)
         SELECT ($1::uuid[])[1 + g % 5], 'violence', 'normal', false, false, 'GT', 1 FROM generate_series(1, 1000) g`,
        [others],
      );
      const hers = await request({ language: quc });
      // (ANALYZE's row count for the table outlives the rollback: later cases plan as for a thousand rows, harmlessly,
      // until the next case that analyses it.)
      await q('ANALYZE interpretation_requests');
      // As a call's end and opening ask it (matching_finish, matching_open): one generic plan, sequential scans off.
      await q('SET LOCAL plan_cache_mode = force_generic_plan');
      await q('SET LOCAL enable_seqscan = off');
      await q('PREPARE others (uuid, uuid) AS SELECT EXISTS (SELECT 1 FROM matching_waiting_in($1) w WHERE w.id <> $2) AS others');
      // (EXECUTE takes no bind parameters: the ids are written in, uuids this test made.)
      expect(await q(`EXECUTE others ('${quc}', '${hers}')`)).toEqual([{ others: false }]);
      expect(await q(`EXECUTE others ('${mam}', '${hers}')`)).toEqual([{ others: true }]);
      type Node = { 'Relation Name'?: string; 'Index Name'?: string; 'Rows Removed by Filter'?: number; Plans?: Node[] };
      const [
        {
          'QUERY PLAN': [{ Plan }],
        },
      ] = await q<{ 'QUERY PLAN': { Plan: Node }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE others ('${quc}', '${hers}')`);
      const scans = (n: Node): Node[] => [...(n['Relation Name'] ? [n] : []), ...(n.Plans ?? []).flatMap(scans)];
      // Her line's index; only she is passed over (the line of every language would pass over the 1,000 in five others).
      expect(scans(Plan)).toEqual([expect.objectContaining({ 'Index Name': 'requests_waiting_language', 'Rows Removed by Filter': 1 })]);
      // And it is what a call's opening and end ask (the four-argument matching_finish calls the seven-argument one).
      const askers = await q<{ proname: string }>(
        `SELECT proname FROM pg_proc WHERE prosrc LIKE '%matching_waiting_in(r.language_id)%' ORDER BY proname`,
      );
      expect(askers.map((f) => f.proname)).toEqual(['matching_finish', 'matching_open']);
    });

    it("when she is free again her line is read from her languages' lines alone, even as planned on a table analysed empty", async () => {
      const [mam, quc, cak] = [await lang('mam'), await lang('quc'), await lang('cak')];
      await link(quc, cak);
      const others = [mam, ...(await Promise.all(['mop', 'tzo', 'gym', 'cab'].map(lang)))];
      const x = await person('x', { languages: [[quc, 5]] });
      // A node's plan, made once per connection and kept until the table is analysed again, made while no one waits
      // (a quiet night, a new installation): any index of the whole line would look as cheap as hers, or cheaper. (The
      // empty row count outlives the rollback: later cases plan as for an empty table, harmlessly.)
      await q('ANALYZE interpretation_requests');
      // Under the settings of what asks it (matching_servable, matching_owed_elsewhere's callers): it has none of its own.
      await q('SET LOCAL plan_cache_mode = force_generic_plan');
      await q('SET LOCAL enable_seqscan = off');
      expect(await q(`SELECT matching_waiting_for($1) AS ids`, [x])).toEqual([{ ids: [] }]);
      // Then a thousand wait in five other languages, one in hers and one in a variant linked to it.
      await q(
        `INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, priority)
         SELECT ($1::uuid[])[1 + g % 5], 'violence', 'normal', false, false, 'GT', 1 FROM generate_series(1, 1000) g`,
        [others],
      );
      const hers = [await request({ language: quc }), await request({ language: cak })];
      const before = await indexReads('interpretation_requests');
      const [{ ids }] = await q<{ ids: string[] }>(`SELECT matching_waiting_for($1) AS ids`, [x]);
      const read = readSince(before, await indexReads('interpretation_requests'));
      expect([...ids].sort()).toEqual([...hers].sort());
      // Her two languages' entries (her languages' line's index), not a whole index's (1,002 or more) of any other.
      const { requests_waiting_language: line = 0, ...rest } = read;
      expect({ others: total(rest), hers: line }).toEqual({ others: 0, hers: 2 });
    });

    it("the line has one index, by language; the migration that dropped the whole line's gives it back on the way down", async () => {
      // The table's indexes of waiting requests (not the relay chains' own), by name: columns, and predicate without its
      // casts (which PostgreSQL writes otherwise for an index made before the state column became a domain); a unique
      // one, or another kind, keeps its whole definition.
      const lines = async () =>
        Object.fromEntries(
          (
            await q<{ name: string; def: string }>(
              `SELECT c.relname AS name, pg_get_indexdef(x.indexrelid) AS def FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
               WHERE x.indrelid = 'interpretation_requests'::regclass AND pg_get_expr(x.indpred, x.indrelid) LIKE '%queued%offering%'
                 AND pg_get_expr(x.indpred, x.indrelid) NOT LIKE '%relay%'`,
            )
          ).map((r) => [
            r.name,
            r.def.replace(/^CREATE INDEX \S+ ON \S+ USING btree /, '').replace(/::(character varying|text)(\[\])?|[()]/g, ''),
          ]),
        );
      const waiting = "WHERE state = ANY ARRAY['queued', 'offering']";
      const byLanguage = `language_id, priority DESC, minor DESC, queued_at ${waiting}`;
      expect(await lines()).toEqual({ requests_waiting_language: byLanguage });
      const migration = new OneWaitingLineIndex1765890000000();
      const runner = { query: (sql: string) => q(sql) } as unknown as QueryRunner;
      await migration.down(runner);
      // As the baseline made it: the whole line in the order it is served, over the same rows.
      expect(await lines()).toEqual({
        requests_waiting_language: byLanguage,
        requests_waiting: `priority DESC, minor DESC, queued_at ${waiting}`,
      });
      await migration.up(runner);
      expect(await lines()).toEqual({ requests_waiting_language: byLanguage });
    });

    it('does not hold her back for a request she may not be offered (refused it twice)', async () => {
      const mam = await lang('mam');
      const first = await request({ language: mam, queuedAt: ago(5) });
      const later = await request({ language: mam });
      const x = await person('x', { languages: [[mam, 5]] });
      for (let i = 0; i < 2; i++) {
        await q(
          `INSERT INTO offers (request_id, interpreter_id, tier, created_at, expires_at, outcome, decided_at, holds)
           VALUES ($1, $2, 1, now() - interval '2 hours', now() - interval '2 hours', 'declined', now() - interval '2 hours', false)`,
          [first, x],
        );
      }
      expect(await dispatch(later, [x])).toEqual(['x:1']);
    });
  });

  describe('hearings climb the same ladder', () => {
    it('ranks the same candidates in the same tiers and order as an on-demand call, with a follow-up interpreter first', async () => {
      const mam = await lang('mam');
      const ttc = await lang('ttc');
      await link(mam, ttc);
      await q(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ('MX', 'GT')`);
      const t1high = await person('t1-level5', { languages: [[mam, 5]] });
      const t1low = await person('t1-level3', { languages: [[mam, 3]] });
      const t2 = await person('t2', { country: 'MX', languages: [[mam, 5]] });
      const t3 = await person('t3', { languages: [[mam, 5]], specialties: ['health'] });
      const t4 = await person('t4', { languages: [[ttc, 5]] });
      const again = await person('follow-up', { languages: [[mam, 1]], specialties: ['health'] });
      const found = await hearingCandidates({
        languageId: mam,
        rosterCountries: ['GT', 'MX'],
        preferredId: again,
        preferredCountries: ['GT'],
      });
      expect(found).toEqual(['follow-up:0', 't1-level5:1', 't1-level3:1', 't2:2', 't3:3', 't4:4']);
      // On demand, the same people in the same tiers (the follow-up interpreter is only a hearing's notion).
      const ids = [t4, t3, t2, t1low, t1high];
      const r = await request({ language: mam, urgency: 'emergency' });
      expect(await dispatch(r, ids)).toEqual(['t1-level3:1', 't1-level5:1', 't2:2']);
    });
  });

  describe('what taking a call reads does not grow with the offers ringing elsewhere', () => {
    /** SQL inserting a thousand interpreters (`tag`-1…1000), returning their ids. */
    const aThousandInterpreters = (tag: string) =>
      `INSERT INTO interpreters (country, external_id, first_name, email, status)
       SELECT 'GT', '${tag}-' || g, 'i', '${tag}-' || g || '@test.example', 'active' FROM generate_series(1, 1000) g RETURNING id`;
    /** A thousand offers ringing for other requests, in another language, each holding an interpreter of its own. */
    const ringingElsewhere = async () => {
      const mop = await lang('mop');
      const others = await Promise.all([1, 2, 3, 4].map(() => request({ language: mop })));
      await q(
        `WITH i AS (
           ${aThousandInterpreters(`ringing-${Math.random().toString(36).slice(2, 8)}`)})
         INSERT INTO offers (request_id, interpreter_id, tier, expires_at)
         SELECT ($1::uuid[])[1 + (row_number() OVER () % 4)::int], i.id, 1, now() + interval '20 seconds' FROM i`,
        [others],
      );
    };

    /**
     * Months of calls, each live and then ended, as a day's are (so that the indexes of live calls and seats grew with
     * them): ten thousand, a thousand past interpreters' each with her session and her seat in it.
     */
    const monthsOfCalls = async (language: string) => {
      const past = (await q<{ id: string }>(aThousandInterpreters(`past-${Math.random().toString(36).slice(2, 8)}`))).map((p) => p.id);
      for (let day = 0; day < 10; day++) {
        await q(
          `WITH r AS (
             INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, priority, state, interpreter_id, accepted_at)
             SELECT $1, 'violence', 'normal', false, false, 'GT', 1, 'connected', p, now() FROM unnest($2::uuid[]) p RETURNING id, interpreter_id),
           s AS (INSERT INTO sessions (request_id, interpreter_id) SELECT id, interpreter_id FROM r RETURNING id, interpreter_id)
           INSERT INTO session_interpreters (session_id, role, interpreter_id) SELECT id, 'interpreter', interpreter_id FROM s`,
          [language, past],
        );
        await q(`UPDATE session_interpreters SET ended_at = now() WHERE ended_at IS NULL AND interpreter_id = ANY ($1::uuid[])`, [past]);
        await q(
          `UPDATE sessions SET ended_at = now(), end_reason = 'completed' WHERE ended_at IS NULL AND interpreter_id = ANY ($1::uuid[])`,
          [past],
        );
        await q(
          `UPDATE interpretation_requests SET state = 'completed', ended_at = now(), caller_sub = NULL
           WHERE state = 'connected' AND interpreter_id = ANY ($1::uuid[])`,
          [past],
        );
      }
    };

    /** A thousand calls live, in another language, each with its own interpreter seated. */
    const aThousandLiveCalls = async () =>
      q(
        `WITH i AS (
           ${aThousandInterpreters(`busy-${Math.random().toString(36).slice(2, 8)}`)}),
         r AS (
           INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, priority, state, interpreter_id, accepted_at)
           SELECT $1, 'violence', 'normal', false, false, 'GT', 1, 'connected', i.id, now() FROM i RETURNING id, interpreter_id),
         s AS (INSERT INTO sessions (request_id, interpreter_id) SELECT r.id, r.interpreter_id FROM r RETURNING id, interpreter_id)
         INSERT INTO session_interpreters (session_id, role, interpreter_id) SELECT s.id, 'interpreter', s.interpreter_id FROM s`,
        [await lang('tzo')],
      );

    it('an acceptance reads her offer by its key, even as planned while few rang', async () => {
      const mam = await lang('mam');
      const [ana, eva] = [await person('ana', { languages: [[mam, 5]] }), await person('eva', { languages: [[mam, 5]] })];
      const ring = async (who: string) => {
        const r = await request({ language: mam });
        const [{ d }] = await q<{ d: { offers: { id: string }[] } }>(`SELECT matching_dispatch($1, $2::uuid[], 20, NULL, 60, 10) AS d`, [
          r,
          [who],
        ]);
        return d.offers[0].id;
      };
      // A node's plan, made at its first acceptance after the table was analysed while few rang (a quiet night) and
      // kept until the next ANALYZE: the partial index of pending offers then looks cheapest of all.
      await q('ANALYZE offers');
      const first = await q<{ a: { error?: string } }>(`SELECT matching_accept($1, $2, NULL, 24) AS a`, [await ring(ana), ana]);
      expect(first[0].a.error).toBeUndefined();
      // Then the day's calls: a thousand ringing elsewhere while she takes hers.
      await ringingElsewhere();
      const offer = await ring(eva);
      const before = await indexReads('offers');
      const [{ a }] = await q<{ a: { error?: string; sessionId?: string } }>(`SELECT matching_accept($1, $2, NULL, 24) AS a`, [offer, eva]);
      const after = await indexReads('offers');
      expect(a.error).toBeUndefined();
      // Her offer by its key (twice: the request's lookup and the update), her request's few offers as the call opens;
      // never the thousand (the plan by expiry read every pending offer to find hers).
      const read = readSince(before, after);
      expect(read.offers_pending_expiry ?? 0).toBe(0);
      expect(total(read)).toBeLessThan(20);
    });

    const repos = () => {
      const db = { query: (sql: string, params?: unknown[]) => q(sql, params) } as never;
      return { matching: new MatchingRepository(db), sessions: new SessionsRepository(db), db };
    };

    it("an interpreter's ringing offers, and one offer closed, are read by her hold and its key, even as planned while few rang", async () => {
      const mam = await lang('mam');
      const ana = await person('ana', { languages: [[mam, 5]] });
      const r = await request({ language: mam });
      // Analysed while nothing rang (a quiet night) but after months of calls: the pending offers' indexes then look
      // empty, cheaper than any key, and the table as large as it is.
      const old = await request({ language: mam });
      await q(
        `INSERT INTO offers (request_id, interpreter_id, tier, expires_at, outcome, decided_at, holds)
         SELECT $1, $2, 1, now() - interval '1 day', 'declined', now() - interval '1 day', false FROM generate_series(1, 20000)`,
        [old, await person('past', { languages: [[mam, 5]] })],
      );
      // (Ended: waiting beside hers, it could be ahead of hers in the line, and she owed to it.)
      await q(`UPDATE interpretation_requests SET state = 'unmatched', ended_at = now(), caller_sub = NULL WHERE id = $1`, [old]);
      await q('ANALYZE offers');
      const [{ d }] = await q<{ d: { offers: { id: string }[] } }>(`SELECT matching_dispatch($1, $2::uuid[], 20, NULL, 60, 10) AS d`, [
        r,
        [ana],
      ]);
      await ringingElsewhere();
      const { matching, db } = repos();
      let before = await indexReads('offers');
      expect((await matching.ringingOffersOf(ana)).map((o) => o.request.id)).toEqual([r]);
      expect(await matching.pendingOffersOf(ana)).toEqual([d.offers[0].id]);
      expect(await matching.offersBeyondHerLanguages(ana)).toEqual({ ringing: [], waiting: [] });
      // Her hold, once for each.
      expect(readSince(before, await indexReads('offers'))).toEqual({ offers_one_hold_per_interpreter: 3 });
      before = await indexReads('offers');
      expect(await matching.closeOffer(db, d.offers[0].id, 'declined', r)).toBe(ana);
      // The offer by its key; never the thousand ringing.
      expect(readSince(before, await indexReads('offers'))).toEqual({ offers_pkey: 1 });
    });

    it('a waiting request is read by its key as it is dispatched again and as she chooses anyone, even as planned while nobody waited', async () => {
      const mam = await lang('mam');
      // Analysed while nobody waited (a quiet night), after months of calls; then she and a thousand in another language wait.
      await q(
        `INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, priority, state, ended_at, caller_sub)
         SELECT $1, 'violence', 'normal', false, false, 'GT', 1, 'unmatched', now() - interval '1 day', NULL FROM generate_series(1, 20000)`,
        [mam],
      );
      await q('ANALYZE interpretation_requests');
      const hers = await request({ language: mam, preferFemale: true });
      const mop = await lang('mop');
      await q(
        `INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, priority)
         SELECT $1, 'violence', 'normal', false, false, 'GT', 1 FROM generate_series(1, 1000)`,
        [mop],
      );
      // As a node's prepared statements are planned once they have run five times: one generic plan.
      await q('SET LOCAL plan_cache_mode = force_generic_plan');
      const { matching } = repos();
      const before = await indexReads('interpretation_requests');
      expect(await matching.waitingLanguages(hers)).toEqual({ languageIds: [mam], relayLanguageId: null });
      expect(await matching.chooseAny(hers)).toBe(true);
      // Her row by its key, twice; never the line's thousand.
      expect(total(readSince(before, await indexReads('interpretation_requests')))).toBe(2);
    });

    it("her line counts each waiting request's ringing offers by the request, even as planned while none rang", async () => {
      const mam = await lang('mam');
      const ana = await person('ana', { languages: [[mam, 5]] });
      // Analysed while nothing rang (a quiet night), after months of calls: each offer rang, so the indexes of ringing
      // offers grew with them (the request's by its key longer than the one by expiry), and then was answered.
      await q(
        `WITH p AS (
           ${aThousandInterpreters('past')}),
         r AS (
           INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, priority, state, ended_at, caller_sub)
           SELECT $1, 'violence', 'normal', false, false, 'GT', 1, 'unmatched', now() - interval '1 day', NULL FROM generate_series(1, 1000) RETURNING id)
         SELECT 1`,
        [mam],
      );
      for (let day = 0; day < 10; day++) {
        await q(
          `INSERT INTO offers (request_id, interpreter_id, tier, expires_at)
           SELECT r.id, i.id, 1, now() - interval '1 day'
           FROM (SELECT id, row_number() OVER () n FROM interpretation_requests WHERE state = 'unmatched') r
           JOIN (SELECT id, row_number() OVER () n FROM interpreters WHERE external_id LIKE 'past-%') i USING (n)`,
        );
        await q(`UPDATE offers SET outcome = 'declined', decided_at = now() - interval '1 day', holds = false WHERE outcome IS NULL`);
      }
      await q('ANALYZE offers');
      // Then a thousand ringing elsewhere while a request in her language waits and she comes free.
      await ringingElsewhere();
      const r = await request({ language: mam, queuedAt: ago(5) });
      const { matching } = repos();
      const before = await indexReads('offers');
      expect((await q<{ id: string }>(`SELECT request_id AS id FROM matching_servable($1, NULL, 60, 10)`, [ana])).map((x) => x.id)).toEqual(
        [r],
      );
      expect(await matching.stalled(0, 0)).toBe(r);
      // Each waiting request's own offers (hers has none); never the thousand ringing for others.
      const read = readSince(before, await indexReads('offers'));
      expect(read.offers_pending_expiry ?? 0).toBe(0);
      expect(total(read)).toBeLessThan(20);
    });

    it("a call's seats are read by its session, and a candidate's by her, even as planned while no call was live", async () => {
      const mam = await lang('mam');
      const eva = await person('eva', { languages: [[mam, 5]] });
      // Analysed while no call was live, after months of calls, each with its seat.
      await monthsOfCalls(mam);
      for (const table of ['sessions', 'session_interpreters']) await q(`ANALYZE ${table}`);
      // Then a thousand calls live elsewhere, each with its interpreter seated.
      await aThousandLiveCalls();
      const r = await request({ language: mam });
      const readSoFar = await readsFrom('sessions', 'session_interpreters');
      const [{ d }] = await q<{ d: { offers: { id: string }[] } }>(`SELECT matching_dispatch($1, $2::uuid[], 20, NULL, 60, 10) AS d`, [
        r,
        [eva],
      ]);
      const [{ a }] = await q<{ a: { sessionId: string } }>(`SELECT matching_accept($1, $2, NULL, 24) AS a`, [d.offers[0].id, eva]);
      expect(a.sessionId).toBeDefined();
      const { sessions, matching, db } = repos();
      expect(await sessions.liveIdOfRequest(db, r)).toBe(a.sessionId);
      expect(await sessions.liveOfOfficialRequest(db, r, { lock: false })).toBeNull();
      expect(await matching.liveRequestsOf(eva)).toEqual([r]);
      expect(await matching.openCallsOf(eva)).toEqual([{ offer_id: d.offers[0].id, session_id: a.sessionId }]);
      const [{ n }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM session_end(NULL, $1, 'completed', true)`, [r]);
      expect(n).toBe(1);
      const read = await readSoFar();
      // A few entries each (and planning's looks at an index's ends), never the thousand live (a walk read 117-1,008).
      expect(read.sessions).toBeLessThan(50);
      expect(read.session_interpreters).toBeLessThan(10);
    });

    it("whether she is free reads each hearing she holds by its key, as does her hearing's live call, even as planned while none was open", async () => {
      const mam = await lang('mam');
      const eva = await person('eva', { languages: [[mam, 5]] });
      const [{ official, institution }] = await q<{ official: string; institution: string }>(
        `WITH i AS (INSERT INTO institutions (country, name, kind) VALUES ('GT', 'Juzgado de prueba', 'court') RETURNING id)
         INSERT INTO users (email, password_hash, role, institution_id) SELECT 'juez-' || gen_random_uuid() || '@test.example', 'x', 'official', id FROM i
         RETURNING id AS official, institution_id AS institution`,
      );
      const hearings = (n: number, state: string, inDays: number) =>
        q<{ id: string }>(
          `INSERT INTO bookings (official_id, institution_id, country, language_id, matter, starts_at, ends_at, duration_minutes, time_zone, state)
           SELECT $1, $2, 'GT', $3, 'violence', now() + make_interval(days => $5 + g), now() + make_interval(days => $5 + g, hours => 1), 60,
             'America/Guatemala', $4 FROM generate_series(1, $6) g RETURNING id`,
          [official, institution, mam, state, inDays, n],
        );
      // Analysed while no hearing was open and no call live (a quiet night), after months of hearings held, each open
      // until it was, and of calls.
      const past = await hearings(5000, 'requested', -400);
      await q(`UPDATE bookings SET state = 'completed', end_reason = 'completed' WHERE id = ANY ($1::uuid[])`, [past.map((b) => b.id)]);
      await monthsOfCalls(mam);
      for (const table of ['bookings', 'sessions', 'session_interpreters']) await q(`ANALYZE ${table}`);
      // Then five hundred hearings booked ahead, two of them confirmed by her.
      const ahead = await hearings(500, 'confirmed', 1);
      await q(
        `INSERT INTO booking_interpreters (booking_id, leg, state, interpreter_id, blocked)
         SELECT b.id, 'direct', 'confirmed', $2, tstzrange(b.starts_at, b.ends_at) FROM bookings b WHERE b.id = ANY ($1::uuid[])`,
        [ahead.slice(0, 2).map((b) => b.id), eva],
      );
      const before = await indexReads('bookings');
      expect(await repos().matching.isBusy(eva)).toBe(false);
      // Her two hearings by their key; never the five hundred open.
      expect(readSince(before, await indexReads('bookings'))).toEqual({ bookings_pkey: 2 });
      // The first begins, with a thousand calls live elsewhere: its live call, then her seat in it ended, by the hearing.
      await aThousandLiveCalls();
      const [{ id: call }] = await q<{ id: string }>(`INSERT INTO sessions (booking_id, interpreter_id) VALUES ($1, $2) RETURNING id`, [
        ahead[0].id,
        eva,
      ]);
      await q(`INSERT INTO session_interpreters (session_id, role, interpreter_id) VALUES ($1, 'interpreter', $2)`, [call, eva]);
      const { sessions, db } = repos();
      const readSoFar = await readsFrom('sessions', 'session_interpreters');
      expect(await sessions.liveOfBooking(ahead[0].id, db)).toEqual(expect.objectContaining({ id: call }));
      expect(await sessions.unseat(db, ahead[0].id, eva)).toEqual({ session_id: call, role: 'interpreter' });
      const read = await readSoFar();
      // A few entries (and planning's looks at the ends of the indexes, past entries the cases before rolled back); never
      // the thousand live calls or seats.
      expect(read.sessions).toBeLessThan(50);
      expect(read.session_interpreters).toBeLessThan(50);
    });

    it('the indexes of live offers, calls and seats name their key; the migration that made them so gives the old ones back on the way down', async () => {
      const live = async () =>
        Object.fromEntries(
          (
            await q<{ name: string; def: string }>(
              `SELECT indexname AS name, regexp_replace(indexdef, '.* WHERE ', '') AS def FROM pg_indexes
               WHERE indexname IN ('offers_pending_expiry', 'offers_pending_request', 'offers_one_hold_per_interpreter',
                 'sessions_one_live_per_request', 'session_interpreters_one_live', 'session_interpreters_one_live_role',
                 'sessions_live_lead')`,
            )
          ).map((r) => [r.name, r.def]),
        );
      const keyed = {
        offers_pending_expiry: '((expires_at IS NOT NULL) AND (outcome IS NULL))',
        offers_pending_request: '((request_id IS NOT NULL) AND (outcome IS NULL))',
        offers_one_hold_per_interpreter: '((interpreter_id IS NOT NULL) AND holds)',
        sessions_one_live_per_request: '((request_id IS NOT NULL) AND (ended_at IS NULL))',
        session_interpreters_one_live: '((interpreter_id IS NOT NULL) AND (ended_at IS NULL))',
        session_interpreters_one_live_role: '((session_id IS NOT NULL) AND (ended_at IS NULL))',
        sessions_live_lead: '((interpreter_id IS NOT NULL) AND (ended_at IS NULL))',
      };
      expect(await live()).toEqual(keyed);
      const [lead, migration] = [new SessionsLiveLeadByItsKey1765910000000(), new LiveIndexesByTheirKey1765900000000()];
      const runner = { query: (sql: string) => q(sql) } as unknown as QueryRunner;
      await lead.down(runner);
      await migration.down(runner);
      expect(await live()).toEqual({
        offers_pending_expiry: '(outcome IS NULL)',
        offers_pending_request: '(outcome IS NULL)',
        offers_one_hold_per_interpreter: 'holds',
        sessions_one_live_per_request: '(ended_at IS NULL)',
        session_interpreters_one_live: '(ended_at IS NULL)',
        session_interpreters_one_live_role: '(ended_at IS NULL)',
        sessions_live_lead: '(ended_at IS NULL)',
      });
      await migration.up(runner);
      await lead.up(runner);
      expect(await live()).toEqual(keyed);
    });

    it("a call's session is read by its key as media joins and as it ends, even as planned while few calls were live", async () => {
      const mam = await lang('mam');
      const eva = await person('eva', { languages: [[mam, 5]] });
      // Analysed while no call was live and nothing rang, after months of calls.
      await monthsOfCalls(mam);
      for (const table of ['offers', 'sessions', 'interpretation_requests']) await q(`ANALYZE ${table}`);
      // Then a thousand calls live elsewhere (connected; one interpreter's, for brevity) and a thousand offers ringing.
      const tzo = await lang('tzo');
      const busy = await person('busy', { languages: [[tzo, 5]] });
      await q(
        `WITH r AS (
           INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, priority, state, interpreter_id, accepted_at)
           SELECT $1, 'violence', 'normal', false, false, 'GT', 1, 'connected', $2, now() FROM generate_series(1, 1000) RETURNING id)
         INSERT INTO sessions (request_id, interpreter_id) SELECT r.id, $2 FROM r`,
        [tzo, busy],
      );
      await ringingElsewhere();
      const r = await request({ language: mam });
      const [{ d }] = await q<{ d: { offers: { id: string }[] } }>(`SELECT matching_dispatch($1, $2::uuid[], 20, NULL, 60, 10) AS d`, [
        r,
        [eva],
      ]);
      const [{ a }] = await q<{ a: { sessionId: string } }>(`SELECT matching_accept($1, $2, NULL, 24) AS a`, [d.offers[0].id, eva]);
      const { sessions } = repos();
      const readSoFar = await readsFrom('sessions', 'offers');
      await sessions.markJoined(a.sessionId, 'caller');
      expect(await sessions.markConnected(a.sessionId)).toEqual(expect.objectContaining({ id: r }));
      const [{ n }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM session_end($1, NULL, 'completed', true)`, [a.sessionId]);
      expect(n).toBe(1);
      // Her session by its key at each step, her request's offers by its index: a few entries, never the thousand live
      // calls' or the thousand holds' (which those plans walked to find hers). (Planning a join also looks at the ends of
      // the request's index, reading a few more, and more still past entries the cases before rolled back.)
      const read = await readSoFar();
      expect(read.sessions).toBeLessThan(50);
      expect(read.offers).toBeLessThan(10);
    });

    it('/metrics counts the live calls through their index, never by reading every call ever held', async () => {
      await monthsOfCalls(await lang('mam'));
      await q(`ANALYZE sessions`);
      await aThousandLiveCalls();
      const registry = new Registry();
      new DomainMetrics({ registry } as MetricsService, { query: (sql: string, params?: unknown[]) => q(sql, params) } as never);
      const before = await indexReads('sessions');
      expect(await registry.getSingleMetricAsString('puente_live_sessions')).toMatch(/^puente_live_sessions 1000$/m);
      // The index of live calls alone (here it also holds the ended calls' entries, which vacuum removes, never run inside
      // this case's transaction); not the table scanned whole, every call ever held.
      expect(Object.keys(readSince(before, await indexReads('sessions')))).toEqual(['sessions_live_lead']);
    });
  });

  it("a call's end answers what its interpreter may be offered now: her line when she is free, nothing in her wrap-up", async () => {
    const mam = await lang('mam');
    const ana = await person('ana', { languages: [[mam, 5]] });
    const call = async () => {
      const r = await request({ language: mam, queuedAt: ago(60) });
      const [{ d }] = await q<{ d: { offers: { id: string }[] } }>(`SELECT matching_dispatch($1, $2::uuid[], 20, NULL, 60, 10) AS d`, [
        r,
        [ana],
      ]);
      await q(`SELECT matching_accept($1, $2, NULL, 24)`, [d.offers[0].id, ana]);
      return r;
    };
    type Finished = { servable: Record<string, string[]> } | null;
    const finish = async (r: string, rules: unknown[] = [null, 60, 10]) =>
      (
        await q<{ f: Finished }>(
          `SELECT matching_finish($1, 'completed', '{accepted,connected}', NULL${rules.length ? ', $2, $3, $4' : ''}) AS f`,
          [r, ...rules],
        )
      )[0].f;
    const first = await call();
    // Two wait for her meanwhile: the urgent one first.
    const normal = await request({ language: mam, queuedAt: ago(30) });
    const urgent = await request({ language: mam, urgency: 'urgent', queuedAt: ago(1) });
    expect((await finish(first))?.servable).toEqual({ [ana]: [urgent, normal] });

    // In her wrap-up time she is not free: nothing (its end serves her).
    await q(`UPDATE interpretation_requests SET state = 'cancelled', ended_at = now() WHERE id = ANY ($1::uuid[])`, [[normal, urgent]]);
    const second = await call();
    await request({ language: mam });
    // (Wrap-up follows a call whose media flowed.)
    await q(`UPDATE sessions SET started_at = now() WHERE request_id = $1`, [second]);
    await q(`SELECT set_config('puente.wrapup_seconds', '{"violence": 60}', true)`);
    expect((await finish(second))?.servable).toEqual({});
    // Its four-argument form, what a node of the release before calls (it asks itself), answers nothing either.
    await q(`UPDATE interpreters SET wrapup_until = NULL WHERE id = $1`, [ana]);
    await q(`SELECT set_config('puente.wrapup_seconds', '', true)`);
    expect((await finish(await call(), []))?.servable).toEqual({});
    // Such a node, restarted, writes its own four-argument form again: each call still finds its one function.
    await q(`CREATE OR REPLACE FUNCTION matching_finish(p_request uuid, p_to text, p_from text[], p_waited_at_least double precision)
             RETURNS jsonb LANGUAGE sql AS $$ SELECT '{"servable": "the older node''s"}'::jsonb $$`);
    expect((await finish(first, []))?.servable).toBe("the older node's");
    await request({ language: mam });
    expect(Object.keys((await finish(await call()))?.servable ?? {})).toEqual([ana]);
  });

  it('serves the waiting line by urgency, then minors, then oldest', async () => {
    const mam = await lang('mam');
    const rows: [string, Urgency, boolean, number][] = [
      ['normal-old', 'normal', false, 50],
      ['urgent-adult', 'urgent', false, 40],
      ['normal-minor', 'normal', true, 10],
      ['emergency', 'emergency', false, 1],
      ['urgent-minor', 'urgent', true, 2],
      ['normal-young', 'normal', false, 30],
    ];
    const byId = new Map<string, string>();
    for (const [name, urgency, minor, minutes] of rows)
      byId.set(await request({ language: mam, urgency, minor, queuedAt: ago(minutes) }), name);
    const order = await q<{ id: string }>(`SELECT id FROM interpretation_requests ORDER BY ${WAITING_ORDER_SQL}`);
    expect(order.map((o) => byId.get(o.id))).toEqual([
      'emergency',
      'urgent-minor',
      'urgent-adult',
      'normal-minor',
      'normal-old',
      'normal-young',
    ]);
  });
});
