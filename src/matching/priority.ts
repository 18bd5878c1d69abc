import type { Urgency } from '../common/domain';

const URGENCY_RANK: Record<Urgency, number> = { normal: 1, urgent: 2, emergency: 3 };
/** Above emergency: a caller whose interpreter was lost mid-call is served before anyone new. */
export const REQUEUED_RANK = 4;

/** A request's place in the line by urgency (WAITING_ORDER_SQL serves the highest first). */
export function urgencyRank(urgency: Urgency): number {
  return URGENCY_RANK[urgency];
}

/**
 * The waiting line in SQL, over columns named priority, minor and queued_at: emergency, then urgent, then normal
 * (a caller whose interpreter was lost mid-call before anyone new); minors first; then oldest in line. How many
 * ring at once, and the ladder itself, are in src/matching/sql/10-ladder.sql.
 */
export const WAITING_ORDER_SQL = 'priority DESC, minor DESC, queued_at';
// The line as one interpreter is served it (requests she was not offered yet first within a place): matching_servable.

export const LIVE_STATES = ['queued', 'offering', 'accepted', 'connected'] as const;
export const WAITING_STATES = ['queued', 'offering'] as const;
export const TERMINAL_STATES = ['completed', 'cancelled', 'unmatched', 'abandoned'] as const;
export type RequestState = (typeof LIVE_STATES)[number] | (typeof TERMINAL_STATES)[number];
