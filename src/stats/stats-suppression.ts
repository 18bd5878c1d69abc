import { OUTCOMES } from './stats-outcomes';

/** Below this many, a count could point at a person: it is shown as null and flagged suppressed. */
export const MIN_CELL = 5;

/** Every count shown is rounded to a multiple of this. */
export const ROUND_TO = 5;

export interface RawStatsRow {
  month: string;
  key: string;
  requests: number;
  answered_1m: number;
  answered_5m: number;
  answered: number;
  unmet: number;
  /** Requests where she asked for an interpreter not from her country (her say: counted, never why). */
  not_from_country: number;
  wait_p50: number | null;
  wait_p90: number | null;
  sessions: number;
  duration_p50: number | null;
  duration_p90: number | null;
  /** Counts of OUTCOMES by key (none: no session of the row). */
  after_call?: Record<string, number> | null;
}

/**
 * The one rule for every count the statistics show: 0 is 0 (nobody is identified by nothing), 1 to 4 is null
 * (suppressed), anything else is rounded to the nearest multiple of ROUND_TO. Suppression alone was undone by
 * subtraction (a country's total of 7 minus the 6 visible in another grouping gave the suppressed 1); every
 * table, total and range an admin can ask for is rounded alike, so a difference of shown counts is uncertain by
 * a few people and cannot name the hidden one. Suppressing a second cell instead would protect only within one
 * table, while the same totals come from other groupings.
 */
export function publishedCount(n: number): number | null {
  if (n === 0) return 0;
  if (n < MIN_CELL) return null;
  return Math.round(n / ROUND_TO) * ROUND_TO;
}

/** The same rule under the name the rest of the module uses. */
export const cell = publishedCount;

/**
 * Applies the count rule (publishedCount) to every count of a row; a median or percentile is shown only when the
 * count it is computed from is at least MIN_CELL (a median of two waits is two people).
 */
export function suppress(r: RawStatsRow) {
  const counts = {
    requests: r.requests,
    answeredWithin1m: r.answered_1m,
    answeredWithin5m: r.answered_5m,
    answered: r.answered,
    unmet: r.unmet,
    notFromCountry: r.not_from_country,
    sessions: r.sessions,
    ...afterCall(r),
  };
  const suppressed = Object.entries(counts)
    .filter(([, n]) => n > 0 && n < MIN_CELL)
    .map(([k]) => k);
  const enoughWaits = r.answered >= MIN_CELL;
  const enoughSessions = r.sessions >= MIN_CELL;
  return {
    month: r.month,
    key: r.key,
    requests: cell(r.requests),
    answered: cell(r.answered),
    answeredWithin1m: cell(r.answered_1m),
    answeredWithin5m: cell(r.answered_5m),
    unmet: cell(r.unmet),
    notFromCountry: cell(r.not_from_country),
    medianWaitSeconds: enoughWaits ? r.wait_p50 : null,
    p90WaitSeconds: enoughWaits ? r.wait_p90 : null,
    sessions: cell(r.sessions),
    medianSessionSeconds: enoughSessions ? r.duration_p50 : null,
    p90SessionSeconds: enoughSessions ? r.duration_p90 : null,
    afterCall: Object.fromEntries(Object.entries(afterCall(r)).map(([k, n]) => [k, cell(n)])),
    suppressed,
  };
}

/** Every outcome's count in the row, 0 where none was counted. */
const afterCall = (r: RawStatsRow): Record<string, number> => Object.fromEntries(OUTCOMES.map((o) => [o.key, r.after_call?.[o.key] ?? 0]));

export type StatsRow = ReturnType<typeof suppress>;
