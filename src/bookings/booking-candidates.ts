import type { EntityManager } from 'typeorm';

export interface BookingCandidateQuery {
  bookingId: string;
  /** What the seat interprets from (the woman's language, or a relay leg's relay language) and into. */
  languageId: string;
  targetLanguageId: string | null;
  /** A relay chain's legs need someone who covers the target; a direct seat takes the best single one otherwise. */
  mustCover: boolean;
  matter: string;
  minor: boolean;
  preferFemale: boolean;
  /** The booking's own roster first; then, once the search has widened, the rosters that share with it. */
  rosterCountries: string[];
  /** A follow-up hearing's interpreter, asked before anyone else (tier 0), from any roster in `preferredCountries`. */
  preferredId: string | null;
  preferredCountries: string[];
  startsAt: Date;
  endsAt: Date;
  bufferMinutes: number;
  limit: number;
}

export interface BookingCandidate {
  interpreterId: string;
  tier: 0 | 1 | 2 | 3 | 4;
}

/**
 * The escalation ladder of DESIGN.md applied to a time in the future: the same tiers and order as on-demand
 * matching (ladder_languages, ladder_tier, ladder_covers and ladder_rank in src/matching/sql/10-ladder.sql), with a follow-up
 * hearing's own interpreter first (tier 0), and instead of presence, she must be free then: inside one of her weekly
 * windows (read in her own time zone, so daylight saving moves with her; no windows declared means any
 * time, since she confirms each hearing herself) and clear of every hearing seat she holds, with the buffer after each.
 * Where its country asks a valid certification for hearings (ladder_needs_certificate, asked once per search: a
 * sub-select), hers must still be valid on the hearing's day (UTC). Those already asked for this booking (for any of its
 * seats: so never the same person twice in one hearing) are left out. The exclusion constraint on `booking_interpreters` is what
 * finally guarantees she is not double-booked; this query only avoids asking someone who is not free.
 */
export async function findBookingCandidates(m: EntityManager, q: BookingCandidateQuery): Promise<BookingCandidate[]> {
  if (!q.rosterCountries.length) return [];
  const rows: { interpreter_id: string; tier: number }[] = await m.query(
    `
    WITH scored AS (
      SELECT DISTINCT ON (i.id)
        i.id AS interpreter_id,
        CASE WHEN i.id = $11 THEN 0 ELSE ladder_tier(il.language_id = $2, $3 = ANY (i.specialties), i.country = $4) END AS tier,
        i.gender, i.specialties, il.level, ladder_covers(i.id, $14) AS covers,
        (SELECT max(b.starts_at) FROM booking_interpreters s JOIN bookings b ON b.id = s.booking_id
          WHERE s.interpreter_id = i.id AND s.state = 'confirmed' AND b.state IN ('confirmed', 'completed')) AS last_booked
      FROM interpreters i
      JOIN interpreter_languages il ON il.interpreter_id = i.id AND il.language_id = ANY (ladder_languages($2))
      WHERE i.status = 'active'
        AND (NOT (SELECT ladder_needs_certificate($4, $3, true)) OR ladder_certified(i.certification_body, i.certification_expires, ($6::timestamptz AT TIME ZONE 'UTC')::date))
        AND (i.country = ANY ($5::char(2)[]) OR (i.id = $11 AND i.country = ANY ($13::char(2)[])))
        AND NOT EXISTS (SELECT 1 FROM booking_offers o WHERE o.booking_id = $1 AND o.interpreter_id = i.id)
        AND NOT EXISTS (
          SELECT 1 FROM booking_interpreters s WHERE s.interpreter_id = i.id AND s.booking_id <> $1
            AND s.blocked && tstzrange($6::timestamptz, $7::timestamptz + make_interval(mins => $8)))
        AND (
          NOT EXISTS (SELECT 1 FROM interpreter_availability w WHERE w.interpreter_id = i.id)
          OR EXISTS (
            SELECT 1 FROM interpreter_availability w
            WHERE w.interpreter_id = i.id
              AND extract(isodow FROM $6::timestamptz AT TIME ZONE w.time_zone) = w.weekday
              AND ($6::timestamptz AT TIME ZONE w.time_zone)::time >= w.starts_at
              AND ($7::timestamptz AT TIME ZONE w.time_zone) <= ($6::timestamptz AT TIME ZONE w.time_zone)::date + w.ends_at))
      ORDER BY i.id, (il.language_id = $2) DESC, il.level DESC
    )
    SELECT interpreter_id, tier FROM scored
    WHERE covers OR NOT $15
    ORDER BY ladder_rank(covers, tier, $9, gender, $10, specialties, last_booked, level)
    LIMIT $12`,
    [
      q.bookingId,
      q.languageId,
      q.matter,
      q.rosterCountries[0],
      q.rosterCountries,
      q.startsAt,
      q.endsAt,
      q.bufferMinutes,
      q.preferFemale,
      q.minor,
      q.preferredId,
      q.limit,
      q.preferredCountries,
      q.targetLanguageId,
      q.mustCover,
    ],
  );
  return rows.map((r) => ({ interpreterId: r.interpreter_id, tier: r.tier as BookingCandidate['tier'] }));
}
