import type { TestApp } from './test-app';

/**
 * A request as the matching leaves it behind, written directly with a chosen time: created at `at`, answered
 * by `interpreterId` after `wait` seconds (or, without `wait`, unmatched), with a call of `call` seconds.
 */
export async function seedRequest(
  t: TestApp,
  interpreterId: string,
  language: string,
  at: string,
  o: { wait?: number; call?: number; country?: string; matter?: string },
): Promise<void> {
  const answered = o.wait !== undefined;
  const [r] = await t.sql<{ id: string }>(
    `INSERT INTO interpretation_requests (language_id, matter, urgency, minor, country, priority, state, created_at, ended_at, interpreter_id, accepted_at)
     VALUES ($1, $2, 'normal', false, $3, 1, $4, $5::timestamptz, $5::timestamptz + interval '1 hour', $6, $5::timestamptz + make_interval(secs => $7)) RETURNING id`,
    [
      language,
      o.matter ?? 'violence',
      o.country ?? 'GT',
      answered ? 'completed' : 'unmatched',
      at,
      answered ? interpreterId : null,
      o.wait ?? 0,
    ],
  );
  if (!answered) return;
  await t.sql(
    `INSERT INTO offers (request_id, interpreter_id, tier, created_at, expires_at, outcome, decided_at, holds)
     VALUES ($1, $2, 1, $3::timestamptz, $3::timestamptz + interval '20 seconds', 'accepted', $3::timestamptz + make_interval(secs => $4), false)`,
    [r.id, interpreterId, at, o.wait],
  );
  if (o.call !== undefined) {
    await t.sql(
      `INSERT INTO sessions (request_id, interpreter_id, started_at, ended_at, end_reason)
       VALUES ($1, $2, $3::timestamptz + make_interval(secs => $4), $3::timestamptz + make_interval(secs => $4 + $5), 'completed')`,
      [r.id, interpreterId, at, o.wait, o.call],
    );
  }
}

/**
 * March 2026, the figures test/stats.e2e-spec.ts checks: Mam in Guatemala, seven answered (five within a
 * minute, six within five) and one nobody could take; Q'eqchi', three requests only; Tsotsil in Mexico, six
 * nobody could take.
 */
export async function seedMarch2026(t: TestApp, interpreterId: string, lang: Record<'mam' | 'kek' | 'tzo', string>): Promise<void> {
  const waits = [10, 20, 30, 50, 55, 200, 400];
  for (const [i, wait] of waits.entries())
    await seedRequest(t, interpreterId, lang.mam, `2026-03-0${i + 1}T10:00:00Z`, { wait, call: 600 + i * 100 });
  await seedRequest(t, interpreterId, lang.mam, '2026-03-09T10:00:00Z', {});
  for (const wait of [5, 6, 7]) await seedRequest(t, interpreterId, lang.kek, '2026-03-10T10:00:00Z', { wait, call: 300 });
  for (let i = 0; i < 6; i++) await seedRequest(t, interpreterId, lang.tzo, '2026-03-11T10:00:00Z', { country: 'MX' });
}

/**
 * A hearing of May 2026 (day `day`, 15:00 UTC, one hour, Guatemala, criminal law) as bookings leave it behind: its
 * state and end, its relay language if any, and the minutes `interpreterId` worked in its call (null: no call).
 */
export async function seedHearing(
  t: TestApp,
  h: {
    officialId: string;
    interpreterId: string;
    language: string;
    relayLanguage: string | null;
    day: number;
    state: string;
    endReason: string | null;
    minutes: number | null;
  },
): Promise<void> {
  const start = `2026-05-${String(h.day).padStart(2, '0')}T15:00:00Z`;
  const [{ id }] = await t.sql<{ id: string }>(
    `INSERT INTO bookings (official_id, institution_id, country, language_id, matter, starts_at, ends_at, duration_minutes, time_zone, state,
       end_reason, relay_language_id)
     SELECT u.id, u.institution_id, 'GT', $2, 'legal_criminal', $3, $3::timestamptz + interval '1 hour', 60, 'America/Guatemala', $4, $5, $6
     FROM users u WHERE u.id = $1 RETURNING id`,
    [h.officialId, h.language, start, h.state, h.endReason, h.relayLanguage],
  );
  if (h.minutes === null) return;
  const end = new Date(Date.parse(start) + h.minutes * 60_000).toISOString();
  const [s] = await t.sql<{ id: string }>(
    `INSERT INTO sessions (interpreter_id, created_at, started_at, ended_at, booking_id) VALUES ($1, $2, $2, $3, $4) RETURNING id`,
    [h.interpreterId, start, end, id],
  );
  await t.sql(`INSERT INTO session_interpreters (session_id, role, interpreter_id, ended_at) VALUES ($1, 'interpreter', $2, $3)`, [
    s.id,
    h.interpreterId,
    end,
  ]);
}
