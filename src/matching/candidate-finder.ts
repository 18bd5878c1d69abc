import type { EntityManager } from 'typeorm';
import { COUNTRY_CODES } from '../common/countries';
import { outboxInsert, requestFacts } from '../sessions/audit-outbox';
import { prepared } from '../sessions/prepared';
import { OFFERS_AT_ONCE_SQL, SERVING_ORDER_SQL, type RequestState } from './priority';

/** How a query finds who may be offered what: the rules that are not in the rows themselves. */
export interface LadderRules {
  /** The deployment's home roster, for callers who give no country (null when unset). */
  homeCountry: string | null;
  /** Someone who declined a request, or let it ring out, may be offered it again after this long. */
  retryAfterSeconds: number;
}

export interface Candidate {
  interpreterId: string;
  tier: 1 | 2 | 3 | 4;
}

/** Collects positional parameters while a statement is written. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Every (request, interpreter) pair that may be offered now, with its tier and what orders it: the
 * escalation ladder of DESIGN.md in one place, for both directions (the best interpreters for a request,
 * the most urgent requests for an interpreter). `requests` yields request rows `r`, `interpreters` is a
 * condition on `i`.
 *
 * - Rosters: the caller's country (or the home roster), and those that share with it. A caller with
 *   neither may draw only on rosters that share with every member state (see README, "How a woman is matched").
 * - Tier: 1 exact variant + specialty from that roster, 2 the same from a sharing roster, 3 exact variant
 *   without the specialty, 4 a variant recorded as mutually intelligible (links hold both ways).
 * - Busy interpreters (an offer that holds her: ringing, or accepted for a call still live; or any live
 *   session, a hearing's too) are left out.
 * - Someone already tried is left out while she has refused it twice (declined or let it ring out), or
 *   refused it less than `retryAfterSeconds` ago. A withdrawn offer (her connection blipped) is no refusal.
 *   Those never tried come first (`tried`).
 *
 * It reads the rosters' and languages' tables directly: this is the hot path, and one query beats a round
 * trip per module.
 */
function pairsSql(p: Params, requests: string, interpreters: string, rules: LadderRules): string {
  const home = p.add(rules.homeCountry);
  return `
    SELECT r.id AS request_id, r.priority, r.minor, r.prefer_female, r.queued_at, r.urgency,
      i.id AS interpreter_id, i.gender, i.specialties, i.last_session_ended_at, best.tier, best.level,
      coalesce(h.offered, 0) > 0 AS tried
    FROM ${requests}
    JOIN interpreters i ON ${interpreters}
    CROSS JOIN LATERAL (
      SELECT CASE
          WHEN il.language_id = r.language_id AND r.matter = ANY (i.specialties::text[]) AND i.country = coalesce(r.country, ${home}::char(2)) THEN 1
          WHEN il.language_id = r.language_id AND r.matter = ANY (i.specialties::text[]) THEN 2
          WHEN il.language_id = r.language_id THEN 3
          ELSE 4
        END AS tier, il.level
      FROM interpreter_languages il
      WHERE il.interpreter_id = i.id
        AND (il.language_id = r.language_id
          OR il.language_id IN (SELECT to_language_id FROM language_links WHERE from_language_id = r.language_id
                                UNION ALL SELECT from_language_id FROM language_links WHERE to_language_id = r.language_id))
      ORDER BY (il.language_id = r.language_id) DESC, il.level DESC
      LIMIT 1
    ) best
    LEFT JOIN LATERAL (
      SELECT count(*) AS offered,
        count(*) FILTER (WHERE o.outcome IN ('declined', 'expired')) AS refused,
        max(o.decided_at) FILTER (WHERE o.outcome IN ('declined', 'expired')) AS refused_at
      FROM offers o WHERE o.request_id = r.id AND o.interpreter_id = i.id
    ) h ON true
    WHERE i.status = 'active'
      AND CASE WHEN coalesce(r.country, ${home}::char(2)) IS NOT NULL
        THEN i.country = coalesce(r.country, ${home}::char(2))
          OR EXISTS (SELECT 1 FROM roster_sharing rs WHERE rs.owner_country = i.country AND rs.borrower_country = coalesce(r.country, ${home}::char(2)))
        ELSE (SELECT count(*) FROM roster_sharing rs WHERE rs.owner_country = i.country) = ${p.add(COUNTRY_CODES.length - 1)}
      END
      AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.interpreter_id = i.id AND o.holds)
      AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.interpreter_id = i.id AND s.ended_at IS NULL)
      AND coalesce(h.refused, 0) < 2
      AND (h.refused_at IS NULL OR h.refused_at < now() - make_interval(secs => ${p.add(rules.retryAfterSeconds)}))`;
}

/** Within a tier: a requested woman first, then children-trained for a minor, then longest idle, then level. */
const LADDER_ORDER = `tried, tier,
  (prefer_female AND gender = 'female') DESC,
  (minor AND 'children' = ANY (specialties::text[])) DESC,
  last_session_ended_at ASC NULLS FIRST,
  level DESC`;

export interface MadeOffer {
  id: string;
  interpreterId: string;
  tier: Candidate['tier'];
  expiresAt: Date;
}

/**
 * Rings the best candidates for a request among these available interpreters, in one statement: as many as
 * it may ring at once (`atOnce`) less those already ringing, the request's state (`offering`, or back to
 * `queued` when nothing rings any more and nobody can be rung), and the audit events. Run it with the
 * request row locked (so the request's offers cannot change meanwhile). An interpreter another request took
 * meanwhile is skipped by the unique index on holds: then fewer offers are made than candidates were
 * `chosen`, and running it again tries the next ones. The ring time starts at the insert (the clock, not
 * the transaction's start: a dispatch that waited on a lock still rings its full time).
 */
export async function offerBest(
  m: Pick<EntityManager, 'query'>,
  q: { requestId: string; available: string[]; atOnce: number; ringSeconds: number },
  rules: LadderRules,
): Promise<{ offers: MadeOffer[]; chosen: number; state: RequestState | null }> {
  const p = new Params();
  const request = p.add(q.requestId);
  const pairs = pairsSql(p, `interpretation_requests r`, `i.id = ANY (${p.add(q.available)}::uuid[])`, rules);
  const rows: { id: string | null; interpreter_id: string; tier: number; expires_at: Date; chosen: number; state: RequestState | null }[] = await m.query(
    prepared(`WITH req AS (SELECT * FROM interpretation_requests WHERE id = ${request}),
     best AS (
       SELECT interpreter_id, tier FROM (${pairs} AND r.id = ${request}) c
       ORDER BY ${LADDER_ORDER}
       LIMIT (SELECT greatest(0, ${p.add(q.atOnce)} - count(*)) FROM offers WHERE request_id = ${request} AND outcome IS NULL)
     ), made AS (
       INSERT INTO offers (request_id, interpreter_id, tier, created_at, expires_at)
       SELECT ${request}, interpreter_id, tier, clock_timestamp(), clock_timestamp() + make_interval(secs => ${p.add(q.ringSeconds)}) FROM best
       ON CONFLICT DO NOTHING
       RETURNING id, interpreter_id, tier, expires_at
     ), upd AS (
       UPDATE interpretation_requests r
       SET state = CASE WHEN EXISTS (SELECT 1 FROM made) THEN 'offering' ELSE 'queued' END,
         first_offered_at = CASE WHEN EXISTS (SELECT 1 FROM made) THEN coalesce(r.first_offered_at, now()) ELSE r.first_offered_at END
       WHERE r.id = ${request} AND (EXISTS (SELECT 1 FROM made)
         OR (r.state = 'offering' AND NOT EXISTS (SELECT 1 FROM best) AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.request_id = r.id AND o.outcome IS NULL)))
       RETURNING r.state
     ), ev AS (
       ${outboxInsert(`
         SELECT 'offer.created', NULL::uuid, NULL, req.country, req.id, ${requestFacts('req')}
           || jsonb_build_object('offerId', made.id, 'interpreterId', made.interpreter_id, 'tier', made.tier, 'expiresAt', made.expires_at, 'fromState', req.state)
         FROM made, req
         UNION ALL
         SELECT 'request.queued', NULL::uuid, NULL, req.country, req.id, ${requestFacts('req')} || jsonb_build_object('fromState', req.state)
         FROM upd, req WHERE upd.state = 'queued' AND req.state = 'offering'`)}
     )
     SELECT made.*, b.chosen, (SELECT state FROM upd) AS state FROM (SELECT count(*)::int AS chosen FROM best) b LEFT JOIN made ON true`),
    p.values,
  );
  const offers = rows.flatMap((r) => (r.id ? [{ id: r.id, interpreterId: r.interpreter_id, tier: r.tier as Candidate['tier'], expiresAt: new Date(r.expires_at) }] : []));
  return { offers, chosen: rows[0]?.chosen ?? 0, state: rows[0]?.state ?? null };
}

/**
 * The waiting requests this interpreter may be offered now, in the order the line is served (emergency,
 * urgent, normal; minors first; then oldest in line, except that a request she has already been offered
 * comes after those she has not), each with a free place for an offer (an emergency rings three). All of
 * them, not the first few: the one she can serve may be far down the line.
 */
export async function servableBy(m: Pick<EntityManager, 'query'>, interpreterId: string, rules: LadderRules): Promise<string[]> {
  const p = new Params();
  const requests = `interpretation_requests r`;
  const pairs = pairsSql(p, requests, `i.id = ${p.add(interpreterId)}`, rules);
  const rows: { request_id: string }[] = await m.query(
    prepared(`SELECT request_id FROM (${pairs}
       AND r.state IN ('queued', 'offering')
       AND (SELECT count(*) FROM offers o WHERE o.request_id = r.id AND o.outcome IS NULL) < ${OFFERS_AT_ONCE_SQL('r.urgency')}) c
     ORDER BY ${SERVING_ORDER_SQL}`),
    p.values,
  );
  return rows.map((r) => r.request_id);
}
