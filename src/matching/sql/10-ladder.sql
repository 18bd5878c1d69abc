-- The escalation ladder of DESIGN.md, defined once for on-demand calls (20-matching.sql) and hearings
-- (src/bookings/booking-candidates.ts). Applied by every migrate, after the migrations (src/database/sql-sources.ts):
-- CREATE OR REPLACE keeps it idempotent; a change of a function's arguments or result needs a DROP line above it.

-- The language asked for and the variants an administrator recorded as mutually intelligible with it.
-- PL/pgSQL, not SQL: a SQL function PostgreSQL cannot inline (this one has a sub-select) is planned anew on every
-- call, which cost more than the rest of a dispatch; PL/pgSQL plans it once per connection.
CREATE OR REPLACE FUNCTION ladder_languages(p_language uuid) RETURNS uuid[] LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN p_language || ARRAY(
    SELECT to_language_id FROM language_links WHERE from_language_id = p_language
    UNION SELECT from_language_id FROM language_links WHERE to_language_id = p_language);
END $$;

-- The tier of a candidate: 1 exact variant + specialty from the asking country's roster, 2 the same from a
-- roster that shares with it, 3 the exact variant without the specialty, 4 a mutually intelligible variant.
CREATE OR REPLACE FUNCTION ladder_tier(p_exact boolean, p_specialty boolean, p_own_roster boolean) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN p_exact AND p_specialty AND p_own_roster THEN 1
    WHEN p_exact AND p_specialty THEN 2
    WHEN p_exact THEN 3
    ELSE 4
  END
$$;

-- What the other side speaks where nothing else is said (DESIGN.md, "Target language"): the main language of the
-- country (English in the United States, Belize and Canada, Spanish in the others), Spanish when no country is
-- known. An institution (InstitutionsService) or a request may say otherwise. Null if the catalogue lacks it.
-- PL/pgSQL for the reason ladder_languages is (as a SQL function it was planned on every request: +0.3 ms). The code
-- is cast to the column's type: compared as text, the catalogue's index could not look it up, and each request read
-- the thousands of languages without a variant instead (0.36 ms of its PostgreSQL time).
CREATE OR REPLACE FUNCTION ladder_main_language(p_country char(2)) RETURNS uuid LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT id FROM languages
          WHERE iso6393 = (CASE WHEN p_country IN ('US', 'BZ', 'CA') THEN 'eng' ELSE 'spa' END)::char(3) AND coalesce(variant, '') = ''
          LIMIT 1);
END $$;

-- Whether an interpreter covers a target: her roster row lists it among her languages or her relay languages (she
-- interprets the source already: the ladder's languages), as kept on her own row (interpreters.language_ids and
-- relay_language_ids follow their tables: migration 1765860000000). A request or booking without a target (made before
-- targets existed) is covered by anyone. Inlined where it is used: the candidate search (matching_pairs' `covers`,
-- from the row it reads for her anyway) and ladder_covering.
CREATE OR REPLACE FUNCTION ladder_covers_target(p_target uuid, p_languages uuid[], p_relay_languages uuid[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT p_target IS NULL OR p_target = ANY (p_languages) OR p_target = ANY (p_relay_languages)
$$;

-- Who among p_interpreters covers a target (ladder_covers_target), each once. PL/pgSQL for the reason ladder_languages is.
CREATE OR REPLACE FUNCTION ladder_covering(p_target uuid, p_interpreters uuid[]) RETURNS uuid[] LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF p_target IS NULL THEN RETURN p_interpreters; END IF;
  RETURN ARRAY(SELECT id FROM interpreters WHERE id = ANY (p_interpreters) AND ladder_covers_target(p_target, language_ids, relay_language_ids));
END $$;

-- Whether one interpreter covers a target (ladder_covering): for hearings' candidates.
CREATE OR REPLACE FUNCTION ladder_covers(p_interpreter uuid, p_target uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT p_interpreter = ANY (ladder_covering(p_target, ARRAY[p_interpreter]))
$$;

-- The languages a relay chain may go through, in the order they are tried (DESIGN.md: Spanish first, then English,
-- French), but neither end of the chain itself: a Mam hearing in English goes through Spanish, a Mam hearing in
-- Spanish through English. For hearings (BookingAssignmentService) and on-demand calls alike.
CREATE OR REPLACE FUNCTION ladder_relay_languages(p_source uuid, p_target uuid) RETURNS uuid[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(
    SELECT l.id FROM languages l
    -- Typed as the column (ladder_main_language says why).
    WHERE coalesce(l.variant, '') = '' AND l.iso6393 = ANY (ARRAY['spa', 'eng', 'fra']::char(3)[])
      AND l.id IS DISTINCT FROM p_source AND l.id IS DISTINCT FROM p_target
    ORDER BY array_position(ARRAY['spa', 'eng', 'fra'], l.iso6393::text))
$$;

-- Order within the ladder, as one sortable value: one who covers the target before one who does not (whatever
-- her tier: without the other side's language she cannot interpret the call alone), then the tier, then one
-- available at her console before one on call (reachable by push only: she answers later, if at all), then a woman
-- when she asked for one, then children-trained for a minor, then the one idle longest (fairness; never yet in a
-- session first), then the higher level. Packed into a bigint, most significant first: not covering (1 bit), tier
-- (3 bits), on call, not a woman, not children-trained (1 bit each), idle since in milliseconds since 1970 plus one
-- (42 bits: until the year 2109), 5 - level (3 bits). A composite value sorted about six times slower (record
-- comparison per pair, for 30-60 candidates of every dispatch).
DO $$ BEGIN
  IF to_regtype('ladder_rank_t') IS NOT NULL THEN
    DROP FUNCTION IF EXISTS ladder_rank(int, boolean, varchar, boolean, varchar[], timestamptz, int);
    DROP TYPE ladder_rank_t;
  END IF;
END $$;
-- Before the target language it had no p_covers; before on-call presence, no p_on_call.
DROP FUNCTION IF EXISTS ladder_rank(int, boolean, varchar, boolean, varchar[], timestamptz, int);
DROP FUNCTION IF EXISTS ladder_rank(boolean, int, boolean, varchar, boolean, varchar[], timestamptz, int);

CREATE OR REPLACE FUNCTION ladder_rank(p_covers boolean, p_tier int, p_prefer_female boolean, p_gender varchar, p_minor boolean,
  p_specialties varchar[], p_idle_since timestamptz, p_level int, p_on_call boolean DEFAULT false) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT (((((((NOT p_covers)::int::bigint * 8 + p_tier) * 2 + p_on_call::int) * 2
      + (NOT coalesce(p_prefer_female AND p_gender = 'female', false))::int) * 2
      + (NOT coalesce(p_minor AND 'children' = ANY (p_specialties::text[]), false))::int) << 42)
    + CASE WHEN p_idle_since IS NULL OR NOT isfinite(p_idle_since) THEN 0
      ELSE least(greatest(floor(extract(epoch FROM p_idle_since - timestamptz 'epoch') * 1000)::bigint + 1, 1), (1::bigint << 42) - 1) END) * 8
    + (5 - p_level)
$$;

-- How many interpreters an offer rings at once: the top three for an emergency (the first to accept wins), else one.
CREATE OR REPLACE FUNCTION ladder_at_once(p_urgency varchar) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_urgency WHEN 'emergency' THEN 3 ELSE 1 END
$$;

-- The certification rules of p_country: the matters, and whether hearings, that need a valid certification there.
-- Its roster admin's (certification_rules), else the default: the three legal matters and every hearing. A country
-- that is not known (no country said, no home roster) has the default. RostersService shows the same rules.
CREATE OR REPLACE FUNCTION ladder_certification_rules(p_country char(2))
RETURNS TABLE (matters text[], hearings boolean, is_default boolean) LANGUAGE sql STABLE AS $$
  SELECT coalesce(cr.matters::text[], ARRAY['legal_civil', 'legal_labour', 'legal_criminal']), coalesce(cr.hearings, true), cr.country IS NULL
  FROM (SELECT 1) one LEFT JOIN certification_rules cr ON cr.country = p_country
$$;

-- Whether a matter handled in p_country (or, p_hearing, a hearing there) needs a valid certification.
-- PL/pgSQL for the reason ladder_languages is.
CREATE OR REPLACE FUNCTION ladder_needs_certificate(p_country char(2), p_matter varchar, p_hearing boolean) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT CASE WHEN p_hearing THEN r.hearings ELSE p_matter = ANY (r.matters) END FROM ladder_certification_rules(p_country) r);
END $$;

-- Whether her certification is valid on p_day: its expiry decides when the roster gives one (valid through that
-- day); without one, a certifying body named means a certification that does not expire; neither, none.
CREATE OR REPLACE FUNCTION ladder_certified(p_body varchar, p_expires date, p_day date) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(p_expires >= p_day, p_body IS NOT NULL)
$$;
