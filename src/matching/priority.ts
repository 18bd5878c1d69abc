import { URGENCIES, type Urgency } from '../common/domain';

const URGENCY_RANK: Record<Urgency, number> = { normal: 1, urgent: 2, emergency: 3 };
/** Above emergency: a caller whose interpreter was lost mid-call is served before anyone new. */
export const REQUEUED_RANK = 4;

/** Waiting requests are served by urgency (emergency first), then minors first, then oldest in line first. */
export function urgencyRank(urgency: Urgency): number {
  return URGENCY_RANK[urgency];
}

export interface Waiting {
  priority: number;
  minor: boolean;
  queuedAt: Date;
}

export function compareWaiting(a: Waiting, b: Waiting): number {
  return b.priority - a.priority || Number(b.minor) - Number(a.minor) || a.queuedAt.getTime() - b.queuedAt.getTime();
}

/** `compareWaiting` in SQL, over columns named priority, minor and queued_at. */
export const WAITING_ORDER_SQL = 'priority DESC, minor DESC, queued_at';
/** The line as one interpreter is served it: within the same place, requests she was not offered yet first (`tried`). */
export const SERVING_ORDER_SQL = 'priority DESC, minor DESC, tried, queued_at';

/** How many offers ring at once: the top three for an emergency (first to accept wins), else one. */
export function offersAtOnce(urgency: Urgency): number {
  return urgency === 'emergency' ? 3 : 1;
}

/** `offersAtOnce` in SQL, over an urgency column. */
export const OFFERS_AT_ONCE_SQL = (urgency: string) => `CASE ${urgency} ${URGENCIES.map((u) => `WHEN '${u}' THEN ${offersAtOnce(u)}`).join(' ')} END`;

export const LIVE_STATES = ['queued', 'offering', 'accepted', 'connected'] as const;
export const WAITING_STATES = ['queued', 'offering'] as const;
export const TERMINAL_STATES = ['completed', 'cancelled', 'unmatched', 'abandoned'] as const;
export type RequestState = (typeof LIVE_STATES)[number] | (typeof TERMINAL_STATES)[number];
