import type { EntityManager } from 'typeorm';
import { COUNTRY_CODES } from '../common/countries';

export interface CandidateQuery {
  requestId: string;
  languageId: string;
  /** The language row itself plus those an administrator recorded as mutually intelligible with it. */
  languageIds: string[];
  matter: string;
  minor: boolean;
  preferFemale: boolean;
  /** The caller's country roster (or the home roster): tier 1. Null when there is neither. */
  ownCountry: string | null;
  /** Every roster she may draw on: her own and those that share with her country (tiers 1 and 2). */
  rosterCountries: string[];
  /** Interpreters available right now for those languages (from presence). */
  available: string[];
  limit: number;
}

export interface Candidate {
  interpreterId: string;
  tier: 1 | 2 | 3 | 4;
}

/**
 * The escalation ladder of DESIGN.md as one query. Tier: 1 exact variant + specialty from the caller's own
 * roster, 2 the same from rosters that share with her country, 3 exact variant without the specialty,
 * 4 a mutually intelligible variant. Within a tier: a requested female interpreter first, then children-
 * trained for minors, then the one idle longest since her last session, then level. Busy interpreters (a
 * pending offer or a live session) and those already offered this request are left out. It reads the
 * rosters' tables directly: this is the hot path, and one query beats a round trip per module.
 */
export async function findCandidates(m: EntityManager, q: CandidateQuery): Promise<Candidate[]> {
  if (!q.available.length || !q.rosterCountries.length || !q.languageIds.length) return [];
  const rows: { interpreter_id: string; tier: number }[] = await m.query(
    `
    WITH scored AS (
      SELECT DISTINCT ON (i.id)
        i.id AS interpreter_id,
        CASE
          WHEN il.language_id = $2 AND $4 = ANY (i.specialties) AND i.country = $5::char(2) THEN 1
          WHEN il.language_id = $2 AND $4 = ANY (i.specialties) THEN 2
          WHEN il.language_id = $2 THEN 3
          ELSE 4
        END AS tier,
        i.gender, i.specialties, i.last_session_ended_at, il.level
      FROM interpreters i
      JOIN interpreter_languages il ON il.interpreter_id = i.id AND il.language_id = ANY ($3::uuid[])
      WHERE i.id = ANY ($6::uuid[])
        AND i.status = 'active'
        AND i.country = ANY ($7::char(2)[])
        AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.interpreter_id = i.id AND o.outcome IS NULL)
        AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.interpreter_id = i.id AND s.ended_at IS NULL)
        AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.request_id = $1 AND o.interpreter_id = i.id)
      ORDER BY i.id, (il.language_id = $2) DESC, il.level DESC
    )
    SELECT interpreter_id, tier FROM scored
    ORDER BY tier,
      ($8 AND gender = 'female') DESC,
      ($9 AND 'children' = ANY (specialties)) DESC,
      last_session_ended_at ASC NULLS FIRST,
      level DESC
    LIMIT $10`,
    [
      q.requestId,
      q.languageId,
      q.languageIds,
      q.matter,
      q.ownCountry,
      q.available,
      q.rosterCountries,
      q.preferFemale,
      q.minor,
      q.limit,
    ],
  );
  return rows.map((r) => ({ interpreterId: r.interpreter_id, tier: r.tier as Candidate['tier'] }));
}

/**
 * The rosters a caller may draw on. With a country (hers, or the deployment's home roster when she gave
 * none): that country's roster and those that share with it. With neither, nobody can say which
 * country's sharing rules apply, so only the rosters whose owners share with every member state are
 * open to her (there is no tier 1 then: each of those is a roster that shares with her).
 */
export async function rostersFor(m: Pick<EntityManager, 'query'>, country: string | null): Promise<{ own: string | null; all: string[] }> {
  if (country) {
    const shared: { owner_country: string }[] = await m.query(`SELECT owner_country FROM roster_sharing WHERE borrower_country = $1 ORDER BY 1`, [country]);
    return { own: country, all: [country, ...shared.map((s) => s.owner_country)] };
  }
  const open: { owner_country: string }[] = await m.query(
    `SELECT owner_country FROM roster_sharing GROUP BY owner_country HAVING count(*) = $1 ORDER BY 1`,
    [COUNTRY_CODES.length - 1],
  );
  return { own: null, all: open.map((s) => s.owner_country) };
}
