import { SEATING_MINUTES, SEATING_WORKED } from '../hours/seating-minutes';
import type { StatsGroup } from './dto/stats.query';
import { cell, MIN_CELL, ROUND_TO } from './stats-suppression';

/** How a booking is grouped (the statistics' groupBy), as the requests' KEY is. */
const KEY: Record<StatsGroup, string> = {
  language: 'b.language_id::text',
  country: 'b.country',
  matter: 'b.matter',
  total: "'total'",
};

/**
 * Hearings in the statistics (issue 16, item 7): by the month a hearing was booked for (its start, UTC) or the whole
 * range, and by language, country, matter or in total: bookings, those confirmed (an interpreter confirmed every seat,
 * or it took place), those no interpreter could be found for (cancelled `unfilled`), those through a relay chain, and
 * the interpreters' minutes in them (every seating, as the hours export counts it). $1, $2: the range; $3: the
 * country or null; $4 (when `whole`): the period's name.
 */
export function hearingStatsSql(groupBy: StatsGroup, month: string): string {
  return `
    WITH b AS (
      SELECT b.id, b.state, b.end_reason, b.relay_language_id, ${month} AS month, ${KEY[groupBy]} AS key
      FROM bookings b
      WHERE b.starts_at >= $1 AND b.starts_at < $2 AND ($3::text IS NULL OR b.country = $3)),
    minutes AS (
      SELECT b.month, b.key, sum(${SEATING_MINUTES}) AS minutes
      FROM b JOIN sessions s ON s.booking_id = b.id JOIN session_interpreters si ON si.session_id = s.id
      WHERE s.started_at IS NOT NULL AND ${SEATING_WORKED}
      GROUP BY b.month, b.key)
    SELECT b.month, b.key, count(*)::int AS bookings,
      count(*) FILTER (WHERE b.state IN ('confirmed', 'completed'))::int AS confirmed,
      count(*) FILTER (WHERE b.end_reason = 'unfilled')::int AS unfilled,
      count(*) FILTER (WHERE b.relay_language_id IS NOT NULL)::int AS relay,
      coalesce(max(m.minutes), 0)::float8 AS minutes
    FROM b LEFT JOIN minutes m ON m.month = b.month AND m.key = b.key
    GROUP BY b.month, b.key ORDER BY b.month, b.key`;
}

export interface RawHearingRow {
  month: string;
  key: string;
  bookings: number;
  confirmed: number;
  unfilled: number;
  relay: number;
  minutes: number;
}

/**
 * The statistics' one rule (publishedCount) on every count of a hearings row. The interpreters' minutes are shown only
 * for at least MIN_CELL bookings (fewer could be one interpreter's month), rounded to ROUND_TO; the relay share only
 * from counts that are both shown.
 */
export function suppressHearings(r: RawHearingRow) {
  const counts = { bookings: r.bookings, confirmed: r.confirmed, unfilled: r.unfilled, relay: r.relay };
  const shown = Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, cell(n)])) as Record<keyof typeof counts, number | null>;
  return {
    month: r.month,
    key: r.key,
    ...shown,
    relaySharePercent: shown.bookings && shown.relay !== null ? Math.round((shown.relay / shown.bookings) * 100) : null,
    interpreterMinutes: r.bookings >= MIN_CELL ? Math.round(r.minutes / ROUND_TO) * ROUND_TO : null,
    suppressed: Object.entries(counts)
      .filter(([, n]) => n > 0 && n < MIN_CELL)
      .map(([k]) => k),
  };
}
