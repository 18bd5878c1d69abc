/** Below this many, a count could point at a person: it is shown as null and flagged suppressed. */
export const MIN_CELL = 5;

export interface RawStatsRow {
  month: string;
  key: string;
  requests: number;
  answered_1m: number;
  answered_5m: number;
  answered: number;
  unmet: number;
  wait_p50: number | null;
  wait_p90: number | null;
  sessions: number;
  duration_p50: number | null;
  duration_p90: number | null;
}

/** A count as it may be shown: itself when zero or at least MIN_CELL, else null. Every count the API gives passes here. */
export const cell = (n: number) => (n === 0 || n >= MIN_CELL ? n : null);

/**
 * Applies small-cell suppression: every count under MIN_CELL becomes null, and a median or percentile is
 * shown only when the count it is computed from is at least MIN_CELL (a median of two waits is two people).
 */
export function suppress(r: RawStatsRow) {
  const counts = { requests: r.requests, answeredWithin1m: r.answered_1m, answeredWithin5m: r.answered_5m, answered: r.answered, unmet: r.unmet, sessions: r.sessions };
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
    medianWaitSeconds: enoughWaits ? r.wait_p50 : null,
    p90WaitSeconds: enoughWaits ? r.wait_p90 : null,
    sessions: cell(r.sessions),
    medianSessionSeconds: enoughSessions ? r.duration_p50 : null,
    p90SessionSeconds: enoughSessions ? r.duration_p90 : null,
    suppressed,
  };
}

export type StatsRow = ReturnType<typeof suppress>;
