import type { Urgency } from '../common/domain';

const URGENCY_RANK: Record<Urgency, number> = { normal: 1, urgent: 2, emergency: 3 };

/** Waiting requests are served by urgency (emergency first), then minors first, then oldest first. */
export function urgencyRank(urgency: Urgency): number {
  return URGENCY_RANK[urgency];
}

export interface Waiting {
  priority: number;
  minor: boolean;
  createdAt: Date;
}

export function compareWaiting(a: Waiting, b: Waiting): number {
  return b.priority - a.priority || Number(b.minor) - Number(a.minor) || a.createdAt.getTime() - b.createdAt.getTime();
}

/** How many offers ring at once: the top three for an emergency (first to accept wins), else one. */
export function offersAtOnce(urgency: Urgency): number {
  return urgency === 'emergency' ? 3 : 1;
}

export const LIVE_STATES = ['queued', 'offering', 'accepted', 'connected'] as const;
export const WAITING_STATES = ['queued', 'offering'] as const;
export const TERMINAL_STATES = ['completed', 'cancelled', 'unmatched', 'abandoned'] as const;
export type RequestState = (typeof LIVE_STATES)[number] | (typeof TERMINAL_STATES)[number];
