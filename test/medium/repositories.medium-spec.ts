import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { BookingsRepository, type SeatLeg } from '../../src/bookings/bookings.repository';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { PG, pgCode } from '../../src/database/pg-errors';
import { MatchingRepository } from '../../src/matching/matching.repository';
import { REQUEUED_RANK, urgencyRank } from '../../src/matching/priority';
import { SessionsRepository } from '../../src/sessions/sessions.repository';
import { HoursService } from '../../src/hours/hours.service';
import { createTestDatabase } from '../utils/db';

/**
 * The trickiest statements of the matching, bookings and sessions repositories against the real PostgreSQL,
 * without HTTP, Redis or mediasoup. Each case writes its own rows (fresh ids), so cases do not see each other.
 */
describe('repositories in PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  let matching: MatchingRepository;
  let bookings: BookingsRepository;
  let sessions: SessionsRepository;
  const q = <T = Record<string, any>>(sql: string, params: unknown[] = []): Promise<T[]> => ds.query(sql, params);
  const tag = () => Math.random().toString(36).slice(2, 10);
  /** `s` seconds ago. */
  const ago = (s: number) => new Date(Date.now() - s * 1000);

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource(dataSourceOptions(db.url)).initialize();
    [matching, bookings, sessions] = [new MatchingRepository(ds), new BookingsRepository(ds), new SessionsRepository(ds)];
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const lang = async () =>
    (
      await q(`INSERT INTO languages (iso6393, variant, name, search_text) VALUES ('mam', $1::text, $1::text, $1::text) RETURNING id`, [
        tag(),
      ])
    )[0].id as string;
  const interpreter = async (languageId: string) => {
    const t = tag();
    const [{ id }] = await q(
      `INSERT INTO interpreters (country, external_id, first_name, email, specialties) VALUES ('GT', $1::text, $1::text, $1::text || '@test.example', '{violence}') RETURNING id`,
      [t],
    );
    await q(`INSERT INTO interpreter_languages (interpreter_id, language_id, level) VALUES ($1, $2, 5)`, [id, languageId]);
    // Into Spanish, as most of a Guatemalan roster (a request's target there, when none is said).
    await q(
      `INSERT INTO interpreter_relay_languages (interpreter_id, language_id, level)
       SELECT $1, id, 5 FROM languages WHERE iso6393 = 'spa' AND coalesce(variant, '') = '' LIMIT 1`,
      [id],
    );
    return id as string;
  };
  const newRequest = (
    languageId: string,
    over: Partial<Parameters<MatchingRepository['createRequest']>[0]> = {},
    available: string[] = [],
  ) =>
    matching.createRequest(
      {
        languageId,
        targetLanguageId: null,
        officialId: null,
        matter: 'violence',
        urgency: 'normal',
        minor: false,
        preferFemale: false,
        country: 'GT',
        callerSub: randomUUID(),
        priority: 1,
        notFromCountry: false,
        returnCodeHash: null,
        ...over,
      },
      { available: { ids: available, onCall: [] }, ringSeconds: 30, ringOnCallSeconds: 45 },
      { homeCountry: null, retryAfterSeconds: 30 },
    );
  const outboxOf = (subjectId: string) =>
    q<{ type: string; data: Record<string, unknown> }>(`SELECT type, data FROM matching_audit_outbox WHERE subject_id = $1 ORDER BY id`, [
      subjectId,
    ]);

  describe('matching', () => {
    it('creates a request with its event in one statement, and refuses a second live one of the same caller', async () => {
      const mam = await lang();
      const sub = randomUUID();
      const r = await newRequest(mam, { callerSub: sub });
      expect(r.dispatched).toMatchObject({ state: 'queued', was: 'queued', offers: [] });
      expect((await outboxOf(r.id)).map((e) => e.type)).toEqual(['request.created']);
      const second = await newRequest(mam, { callerSub: sub }).catch((e: unknown) => e);
      expect(pgCode(second)).toBe(PG.UNIQUE_VIOLATION);
    });

    it('creates a request and rings the best of those available in the same call, its events in order', async () => {
      const mam = await lang();
      const [i1, i2] = [await interpreter(mam), await interpreter(mam)];
      const r = await newRequest(mam, {}, [i1, i2]);
      expect(r.dispatched).toMatchObject({ state: 'offering', was: 'queued', request: { id: r.id, languageId: mam } });
      expect(r.dispatched!.offers).toHaveLength(1);
      expect([i1, i2]).toContain(r.dispatched!.offers[0].interpreterId);
      expect(r.dispatched!.offers[0].expiresAt).toBeInstanceOf(Date);
      expect((await outboxOf(r.id)).map((e) => e.type)).toEqual(['request.created', 'offer.created']);
      const [row] = await q(`SELECT state FROM interpretation_requests WHERE id = $1`, [r.id]);
      expect(row.state).toBe('offering');
    });

    it('refuses a request in a language not in the catalogue, leaving nothing behind', async () => {
      const before = await q(`SELECT count(*)::int AS n FROM matching_audit_outbox`);
      const e = await newRequest(randomUUID()).catch((x: unknown) => x);
      expect(pgCode(e)).toBe(PG.FOREIGN_KEY_VIOLATION);
      expect(await q(`SELECT count(*)::int AS n FROM matching_audit_outbox`)).toEqual(before);
    });

    it('serves a waiting request in its language and in those linked to it either way, and none once it is not waiting', async () => {
      const [mam, ttc, other] = [await lang(), await lang(), await lang()];
      await q(
        `INSERT INTO language_links (from_language_id, to_language_id, source, created_by) VALUES ($1, $2, 'test', gen_random_uuid())`,
        [ttc, mam],
      );
      const r = await newRequest(mam);
      expect((await matching.waitingLanguages(r.id))!.languageIds.sort()).toEqual([mam, ttc].sort());
      expect((await matching.waitingLanguages(r.id))!.relayLanguageId).toBeNull();
      expect((await matching.ladderLanguages(ttc)).sort()).toEqual([mam, ttc].sort());
      expect((await matching.waitingLanguages(r.id))!.languageIds).not.toContain(other);
      await q(`UPDATE interpretation_requests SET state = 'cancelled', caller_sub = NULL, ended_at = now() WHERE id = $1`, [r.id]);
      expect(await matching.waitingLanguages(r.id)).toBeNull();
    });

    it('orders the line: urgency, then minors, then oldest in line', async () => {
      const mam = await lang();
      const made: Record<string, string> = {};
      for (const [name, urgency, minor, waited] of [
        ['normal-old', 'normal', false, 90],
        ['normal-minor', 'normal', true, 10],
        ['urgent-new', 'urgent', false, 5],
        ['normal-new', 'normal', false, 20],
      ] as const) {
        const r = await newRequest(mam, { urgency, minor, priority: urgencyRank(urgency) });
        await q(`UPDATE interpretation_requests SET queued_at = $2 WHERE id = $1`, [r.id, ago(waited)]);
        made[r.id] = name;
      }
      expect((await matching.line(mam)).map((r) => made[r.id])).toEqual(['urgent-new', 'normal-minor', 'normal-old', 'normal-new']);
    });

    it("the sweep's stalled requests, one at a time: most urgent first, then minors, then oldest; none ringing in full, lately offered or fresh", async () => {
      // Two languages, each line holding some of the first and some of the last: the order is the whole line's.
      const [mam, other] = [await lang(), await lang()];
      const made: Record<string, string> = {};
      const waiting = async (name: string, urgency: 'normal' | 'urgent' | 'emergency', minor: boolean, waited: number, language = mam) => {
        const r = await newRequest(language, { urgency, minor, priority: urgencyRank(urgency) });
        await q(`UPDATE interpretation_requests SET queued_at = $2 WHERE id = $1`, [r.id, ago(waited)]);
        made[r.id] = name;
        return r.id;
      };
      const offer = async (request: string, decidedAgo: number | null) => {
        await q(`UPDATE interpretation_requests SET state = 'offering', first_offered_at = $2 WHERE id = $1`, [request, ago(3600)]);
        await q(
          `INSERT INTO offers (request_id, interpreter_id, tier, created_at, expires_at, outcome, decided_at, holds)
           VALUES ($1, $2, 1, $3, $3, $4, $5, $6)`,
          [
            request,
            await interpreter(mam),
            ago(3600),
            decidedAgo === null ? null : 'declined',
            decidedAgo === null ? null : ago(decidedAgo),
            decidedAgo === null,
          ],
        );
      };
      await waiting('normal-old', 'normal', false, 7200);
      await waiting('normal-minor', 'normal', true, 3600, other);
      await waiting('urgent', 'urgent', false, 3600, other);
      // An emergency rings three at once: one ringing for an hour leaves room.
      await offer(await waiting('emergency-ringing-one', 'emergency', false, 3600), null);
      // Ringing in full (one at a time), refused a moment ago, or in line for less than a sweep: not stalled.
      await offer(await waiting('normal-ringing', 'normal', false, 3600), null);
      await offer(await waiting('normal-refused-lately', 'normal', false, 3600), 30);
      await waiting('normal-fresh', 'normal', false, 10);
      const found: string[] = [];
      for (let i = 0; i < 200; i++) {
        const next = await matching.stalled(600, i);
        if (!next) break;
        if (made[next]) found.push(made[next]);
      }
      expect(found).toEqual(['emergency-ringing-one', 'urgent', 'normal-minor', 'normal-old']);
    });

    it('closes only a pending offer, auditing it; requeues an accepted request ahead of everyone new', async () => {
      const mam = await lang();
      const her = await interpreter(mam);
      const r = await newRequest(mam);
      const [offer] = await q(
        `INSERT INTO offers (request_id, interpreter_id, tier, expires_at) VALUES ($1, $2, 1, now() + interval '20 seconds') RETURNING id`,
        [r.id, her],
      );
      expect(await matching.isBusy(her)).toBe(true);
      const closed = await ds.transaction(async (m) => {
        expect((await matching.lockRequestOfOffer(m, offer.id, her))?.id).toBe(r.id);
        return [await matching.closeOffer(m, offer.id, 'declined', r.id), await matching.closeOffer(m, offer.id, 'expired', r.id)];
      });
      expect(closed).toEqual([her, null]);
      expect(await matching.isBusy(her)).toBe(false);
      expect((await outboxOf(r.id)).map((e) => e.type)).toEqual(['request.created', 'offer.declined']);

      const [accepted] = await q(
        `INSERT INTO offers (request_id, interpreter_id, tier, expires_at, outcome, decided_at) VALUES ($1, $2, 1, now(), 'accepted', now()) RETURNING id`,
        [r.id, her],
      );
      await q(`UPDATE interpretation_requests SET state = 'accepted', interpreter_id = $2, accepted_at = now() WHERE id = $1`, [r.id, her]);
      const queuedAt = await ds.transaction(async (m) => {
        expect((await matching.lockRequest(m, r.id))?.state).toBe('accepted');
        return matching.requeue(m, r.id, null, 'interpreter_lost');
      });
      const [after] = await q(`SELECT state, priority, interpreter_id, queued_at FROM interpretation_requests WHERE id = $1`, [r.id]);
      expect(after).toMatchObject({ state: 'queued', priority: REQUEUED_RANK, interpreter_id: null, queued_at: queuedAt });
      expect((await q(`SELECT superseded_at FROM offers WHERE id = $1`, [accepted.id]))[0].superseded_at).not.toBeNull();
      expect((await outboxOf(r.id)).at(-1)).toMatchObject({
        type: 'request.requeued',
        data: { reason: 'interpreter_lost', from: 'accepted' },
      });
    });
  });

  describe('bookings and sessions', () => {
    const booking = async (languageId: string, startsAt: Date) => {
      const [inst] = await q(`INSERT INTO institutions (country, name, kind) VALUES ('GT', $1, 'court') RETURNING id`, [
        `Juzgado ${tag()}`,
      ]);
      const [official] = await q(
        `INSERT INTO users (email, password_hash, role, institution_id) VALUES ($1, 'x', 'official', $2) RETURNING id`,
        [`${tag()}@test.example`, inst.id],
      );
      const made = await ds.transaction((m) =>
        bookings.insert(m, {
          institutionId: inst.id,
          officialId: official.id,
          country: 'GT',
          languageId,
          targetLanguageId: null,
          matter: 'violence',
          minor: false,
          preferFemale: false,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 3600_000),
          durationMinutes: 60,
          timeZone: 'America/Guatemala',
          caseReference: null,
          remoteParticipant: false,
          followUpOf: null,
          preferredInterpreterId: null,
        }),
      );
      return made.id;
    };

    /** The booking's direct seat (seated as a direct hearing if it has no seats yet). */
    const seatOf = async (id: string, legs: { leg: SeatLeg; team: boolean }[] = [{ leg: 'direct', team: false }]) => {
      if (!(await ds.transaction((m) => bookings.seats(m, id))).length) await ds.transaction((m) => bookings.plan(m, id, legs, null));
      return (await ds.transaction((m) => bookings.seats(m, id)))[0].id;
    };

    it('holds an interpreter for one hearing at a time (with the buffer after it), and the transaction goes on after a refusal', async () => {
      const mam = await lang();
      const her = await interpreter(mam);
      const start = new Date(Date.now() + 86_400_000);
      const first = await booking(mam, start);
      // Starts 20 minutes after the first ends: inside a 30-minute buffer, outside a 10-minute one.
      const second = await booking(mam, new Date(start.getTime() + 80 * 60_000));
      const [firstSeat, secondSeat] = [await seatOf(first), await seatOf(second)];
      const outcome = await ds.transaction(async (m) => {
        const held = await bookings.hold(m, firstSeat, her, 30);
        await bookings.lock(m, second);
        const refused = await bookings.hold(m, secondSeat, her, 30);
        // Still usable after the refusal: the savepoint undid only the refused update.
        const offerId = await bookings.insertOffer(m, {
          bookingId: first,
          seatId: firstSeat,
          interpreterId: her,
          tier: 1,
          expiresAt: new Date(Date.now() + 60_000),
        });
        return { held, refused, offerId, pending: await bookings.hasPendingOffer(m, first) };
      });
      expect(outcome).toMatchObject({ held: true, refused: false, pending: true });
      expect(await bookings.load(first)).toMatchObject({ state: 'assigned', interpreter_id: her });
      expect(await bookings.load(second)).toMatchObject({ state: 'requested', interpreter_id: null });
      const free = await interpreter(mam);
      expect(await ds.transaction((m) => bookings.hold(m, secondSeat, free, 30))).toBe(true);
      // Another seat of another hearing is held all the same: the constraint is on her time, whichever seat.
      const third = await booking(mam, new Date(start.getTime() + 30 * 60_000));
      const relaySeat = await seatOf(third, [{ leg: 'relay', team: false }]);
      expect(await ds.transaction((m) => bookings.hold(m, relaySeat, her, 0))).toBe(false);
    });

    it('confirms only an offer that has not expired; releases only the interpreter who holds the booking', async () => {
      const mam = await lang();
      const her = await interpreter(mam);
      const id = await booking(mam, new Date(Date.now() + 86_400_000));
      const seatId = await seatOf(id);
      await ds.transaction(async (m) => {
        await bookings.hold(m, seatId, her, 0);
        await bookings.insertOffer(m, { bookingId: id, seatId, interpreterId: her, tier: 1, expiresAt: new Date(Date.now() - 1000) });
      });
      expect(await ds.transaction((m) => bookings.confirmOffer(m, id, her))).toBeNull();
      const other = await interpreter(mam);
      await ds.transaction((m) => bookings.release(m, id, other));
      expect(await bookings.load(id)).toMatchObject({ state: 'assigned', interpreter_id: her, interpreter_ids: [her], sequence: 0 });
      await ds.transaction((m) => bookings.release(m, id, her));
      // Asked and released: not a change any calendar holds.
      expect(await bookings.load(id)).toMatchObject({ state: 'requested', interpreter_id: null, interpreter_ids: [], sequence: 0 });
    });

    it("settles a booking from its seats: assigned while one is asked, else requested while one is empty, a change to or from 'confirmed' moving the sequence", async () => {
      const mam = await lang();
      const [her, him] = [await interpreter(mam), await interpreter(mam)];
      const id = await booking(mam, new Date(Date.now() + 86_400_000));
      await ds.transaction((m) =>
        bookings.plan(
          m,
          id,
          [
            { leg: 'source', team: false },
            { leg: 'relay', team: false },
          ],
          mam,
        ),
      );
      const [source, relay] = await ds.transaction((m) => bookings.seats(m, id));
      expect([source.leg, relay.leg]).toEqual(['source', 'relay']);
      const at = async () => ((b) => [b!.state, b!.sequence])(await bookings.load(id));
      await ds.transaction((m) => bookings.hold(m, source.id, her, 0));
      expect(await at()).toEqual(['assigned', 0]);
      await ds.transaction((m) => bookings.confirmSeat(m, id, her));
      expect(await at()).toEqual(['requested', 0]);
      await ds.transaction((m) => bookings.hold(m, relay.id, him, 0));
      expect(await at()).toEqual(['assigned', 0]);
      await ds.transaction((m) => bookings.confirmSeat(m, id, him));
      expect(await at()).toEqual(['confirmed', 1]);
      expect((await bookings.load(id))!.interpreter_ids).toEqual([her, him]);
      await ds.transaction((m) => bookings.release(m, id, him));
      expect(await at()).toEqual(['requested', 2]);
      // Ended: nobody's time is held any more, and who sat where is kept.
      await ds.transaction((m) => bookings.releaseHolds(m, id));
      expect(await q(`SELECT leg, interpreter_id, blocked FROM booking_interpreters WHERE booking_id = $1 ORDER BY leg`, [id])).toEqual([
        { leg: 'relay', interpreter_id: null, blocked: null },
        { leg: 'source', interpreter_id: her, blocked: null },
      ]);
    });

    it("finds a session's caller through its live request, or on the session itself for a hearing; the live one of a hearing first", async () => {
      const mam = await lang();
      const [her, other] = [await interpreter(mam), await interpreter(mam)];
      const sub = randomUUID();
      const r = await newRequest(mam, { callerSub: sub });
      const [onDemand] = await q(`INSERT INTO sessions (request_id, interpreter_id) VALUES ($1, $2) RETURNING id`, [r.id, her]);
      expect(await sessions.find(onDemand.id)).toMatchObject({ requestId: r.id, callerSub: sub, bookingId: null, endedAt: null });

      const hearing = await booking(mam, new Date(Date.now() + 86_400_000));
      const ended = await ds.transaction((m) => sessions.insertForBooking(m, hearing, other, null));
      await ds.transaction((m) => sessions.end(m, { sessionId: ended, requestId: null }, 'media_failed', false));
      const live = await ds.transaction((m) => sessions.insertForBooking(m, hearing, other, null));
      const woman = randomUUID();
      await ds.transaction((m) => sessions.setCaller(m, live, woman));
      expect(await ds.transaction((m) => sessions.latestOfBooking(m, hearing))).toMatchObject({ id: live, ended_at: null });
      expect(await sessions.find(live)).toMatchObject({ bookingId: hearing, callerSub: woman });
      expect(await sessions.liveOfBooking(hearing)).toEqual({ id: live, official_id: null, caller_sub: woman });
      // One live session per hearing: another is refused.
      const twice = await ds.transaction((m) => sessions.insertForBooking(m, hearing, her, null)).catch((e: unknown) => e);
      expect(pgCode(twice)).toBe(PG.UNIQUE_VIOLATION);

      // Seated each on her own: one still in another call is left out, the others are seated all the same.
      expect(await ds.transaction((m) => sessions.reseat(m, onDemand.id, [{ id: her, role: 'interpreter' }]))).toEqual([]);
      const seats = [
        { id: other, role: 'interpreter' as const },
        { id: her, role: 'relay_interpreter' as const },
      ];
      expect(await ds.transaction((m) => sessions.reseat(m, live, seats))).toEqual([her]);
      expect((await sessions.find(live))!.interpreters).toEqual([{ id: other, role: 'interpreter' }]);
      // Once she is free, she is seated; a role no longer held ends.
      await ds.transaction((m) => sessions.end(m, { sessionId: onDemand.id, requestId: null }, 'completed', false));
      expect(await ds.transaction((m) => sessions.reseat(m, live, seats))).toEqual([]);
      expect((await sessions.find(live))!.interpreters).toEqual(seats);
      await ds.transaction((m) => sessions.reseat(m, live, seats.slice(0, 1)));
      expect((await sessions.find(live))!.interpreters).toEqual(seats.slice(0, 1));
      // Holding a relay chain's leg she accepted (its call not open yet): left out too, until it is released.
      const chained = await newRequest(mam);
      const [leg] = await q(
        `INSERT INTO offers (request_id, interpreter_id, tier, leg, expires_at, outcome, decided_at)
         VALUES ($1, $2, 1, 'source', now() + interval '1 minute', 'accepted', now()) RETURNING id`,
        [chained.id, her],
      );
      expect(await ds.transaction((m) => sessions.reseat(m, live, seats))).toEqual([her]);
      expect((await sessions.find(live))!.interpreters).toEqual(seats.slice(0, 1));
      await q(`UPDATE offers SET holds = false, superseded_at = now() WHERE id = $1`, [leg.id]);
      expect(await ds.transaction((m) => sessions.reseat(m, live, seats))).toEqual([]);
      expect((await sessions.find(live))!.interpreters).toEqual(seats);
    });

    it("keeps each seating of a hearing's call: an interpreter replaced mid-call is paid to when she left, her successor from when she sat", async () => {
      const mam = await lang();
      const [first, second] = [await interpreter(mam), await interpreter(mam)];
      const hearing = await booking(mam, new Date(Date.now() + 86_400_000));
      const live = await ds.transaction((m) => sessions.insertForBooking(m, hearing, first, null));
      await ds.transaction((m) => sessions.reseat(m, live, [{ id: first, role: 'interpreter' }]));
      await ds.transaction((m) => sessions.reseat(m, live, [{ id: second, role: 'interpreter' }]));
      const seatings = () =>
        q(`SELECT interpreter_id, ended_at IS NULL AS live FROM session_interpreters WHERE session_id = $1 ORDER BY id`, [live]);
      expect(await seatings()).toEqual([
        { interpreter_id: first, live: false },
        { interpreter_id: second, live: true },
      ]);
      // As it happened: the call started 30 minutes ago; 10 minutes later the first left and the second sat.
      await q(`UPDATE sessions SET created_at = now() - interval '40 minutes', started_at = now() - interval '30 minutes' WHERE id = $1`, [
        live,
      ]);
      await q(
        `UPDATE session_interpreters SET seated_at = now() - interval '35 minutes', ended_at = now() - interval '20 minutes'
         WHERE session_id = $1 AND interpreter_id = $2`,
        [live, first],
      );
      await q(`UPDATE session_interpreters SET seated_at = now() - interval '20 minutes' WHERE session_id = $1 AND interpreter_id = $2`, [
        live,
        second,
      ]);
      // Seated again in the same role, and replaced again at once: new seatings; the call lists each interpreter once.
      await ds.transaction((m) => sessions.reseat(m, live, [{ id: first, role: 'interpreter' }]));
      await ds.transaction((m) => sessions.reseat(m, live, [{ id: second, role: 'interpreter' }]));
      expect((await seatings()).map((r) => r.interpreter_id)).toEqual([first, second, first, second]);
      await ds.transaction((m) => sessions.end(m, { sessionId: live, requestId: null }, 'hearing_over', false));
      const listed = (await sessions.find(live))!.interpreters;
      expect(listed).toHaveLength(2);
      expect(listed).toEqual(
        expect.arrayContaining([
          { id: first, role: 'interpreter' },
          { id: second, role: 'interpreter' },
        ]),
      );

      const [{ month }] = await q(`SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month FROM sessions WHERE id = $1`, [live]);
      const hours = new HoursService(ds);
      const [mine, theirs] = [await hours.ofInterpreter(first, month), await hours.ofInterpreter(second, month)];
      expect(mine).toMatchObject({ hearings: 1, calls: 0 });
      expect(mine.hearingMinutes).toBeCloseTo(10, 0);
      expect(theirs).toMatchObject({ hearings: 1, calls: 0 });
      expect(theirs.hearingMinutes).toBeCloseTo(20, 0);
    });
  });

  it('has the tables matching reads on every call analysed after a fixed count of changes, not a share of the table', async () => {
    const opts = await q<{ relname: string; reloptions: string[] | null }>(
      `SELECT relname, reloptions FROM pg_class WHERE relname = ANY($1::text[]) AND relkind = 'r' ORDER BY relname`,
      [['interpretation_requests', 'offers', 'sessions', 'session_interpreters', 'interpreters', 'interpreter_languages']],
    );
    expect(opts).toHaveLength(6);
    for (const o of opts)
      expect(o.reloptions).toEqual(expect.arrayContaining(['autovacuum_analyze_scale_factor=0.0', 'autovacuum_analyze_threshold=2000']));
  });
});
