import type { EntityManager } from 'typeorm';
import { COUNTRY_CODES } from '../common/countries';
import type { Matter, Urgency } from '../common/domain';
import { prepared } from '../database/prepared';
import { SERVING_ORDER_SQL, type RequestState } from './priority';

/**
 * The escalation ladder of DESIGN.md lives in PostgreSQL (migration 1764600000000): `matching_pairs` says
 * who may be offered what now, in both directions, and `matching_dispatch` rings the best candidates for a
 * request. This file calls them. Rosters: the caller's country (or the home roster) and those that share
 * with it; a caller with neither may draw only on rosters that share with every member state (see README,
 * "How a woman is matched"). Tiers: 1 exact variant + specialty from that roster, 2 the same from a
 * sharing roster, 3 exact variant, 4 a mutually intelligible variant. Within a tier: never-tried first, a
 * requested woman, children-trained for a minor, longest idle, level. Busy interpreters are left out, and so
 * is one who refused the request twice, or less than `retryAfterSeconds` ago.
 */

/** How a query finds who may be offered what: the rules that are not in the rows themselves. */
export interface LadderRules {
  /** The deployment's home roster, for callers who give no country (null when unset). */
  homeCountry: string | null;
  /** Someone who declined a request, or let it ring out, may be offered it again after this long. */
  retryAfterSeconds: number;
}

/** How many other member states a roster shares with when it shares with all of them. */
export const OPEN_ROSTER = COUNTRY_CODES.length - 1;

export interface MadeOffer {
  id: string;
  interpreterId: string;
  tier: 1 | 2 | 3 | 4;
  expiresAt: Date;
}

export interface Dispatched {
  state: RequestState;
  /** The state before. */
  was: RequestState;
  request: { id: string; languageId: string; matter: Matter; urgency: Urgency; minor: boolean; callerSub: string | null };
  offers: MadeOffer[];
}

/**
 * Rings the best candidates for a request among these available interpreters, in one round trip (the
 * request row is locked inside it): as many as it may ring at once, and its new state. Null if the request
 * is not waiting.
 */
export async function dispatchOnce(
  m: Pick<EntityManager, 'query'>,
  q: { requestId: string; available: string[]; ringSeconds: number },
  rules: LadderRules,
): Promise<Dispatched | null> {
  const [{ d }] = await m.query(prepared(`SELECT matching_dispatch($1, $2::uuid[], $3, $4, $5, $6) AS d`), [
    q.requestId,
    q.available,
    q.ringSeconds,
    rules.homeCountry,
    rules.retryAfterSeconds,
    OPEN_ROSTER,
  ]);
  if (!d) return null;
  return { ...d, offers: (d.offers as (MadeOffer & { expiresAt: string })[]).map((o) => ({ ...o, expiresAt: new Date(o.expiresAt) })) };
}

/**
 * The waiting requests this interpreter may be offered now, in the order the line is served (emergency,
 * urgent, normal; minors first; then oldest in line, except that a request she has already been offered
 * comes after those she has not), each with a free place for an offer (an emergency rings three). All of
 * them, not the first few: the one she can serve may be far down the line.
 */
export async function servableBy(m: Pick<EntityManager, 'query'>, interpreterId: string, rules: LadderRules): Promise<string[]> {
  // matching_servable (20-matching.sql) pairs her only with the waiting requests she could take (a free place, a
  // language she speaks or one linked to it), found through the partial index of the line by language.
  const rows: { request_id: string }[] = await m.query(
    prepared(`SELECT request_id FROM matching_servable($1, $2, $3, $4) ORDER BY ${SERVING_ORDER_SQL}`),
    [interpreterId, rules.homeCountry, rules.retryAfterSeconds, OPEN_ROSTER],
  );
  return rows.map((r) => r.request_id);
}
