-- On-demand matching's hot steps as functions, so each is one round trip and its row locks are held only inside
-- PostgreSQL (never across a round trip to a busy node). Inside a PL/pgSQL function each statement sees what
-- committed before it (READ COMMITTED), so a step that waited for a lock sees the state the lock protects.
-- The ladder itself (tiers, order, how many ring at once) is 10-ladder.sql. Audit events go to
-- matching_audit_outbox (src/audit/audit-outbox.ts); nothing about the caller is written.
--
-- `SET enable_seqscan = off` on the functions: PL/pgSQL caches each statement's plan for the life of the
-- connection and plans it again only when the table is analysed. A node's first calls plan against nearly empty
-- tables, where a sequential scan is cheapest, and kept those plans while the tables filled until autovacuum
-- analysed them (the first benchmark run after a fresh start cost 5.1 ms of PostgreSQL CPU per request, the later
-- ones 3.8-4.1; BENCHMARKS.md). Every statement here is meant to use an index (a primary key or a partial index
-- of live rows), whatever the table's size: the setting makes the plan say so from the first call.
-- `SET plan_cache_mode = force_generic_plan` on the functions nodes call (and so on all they call): left to choose,
-- PostgreSQL kept planning some statements anew on every call, because a custom plan looked cheaper: session_end's
-- update of the interpreters (0.1 ms of planning per call, more than running it) and the request's insert
-- (pg_stat_statements with track_planning, BENCHMARKS.md "Stop 32"). The generic plans use the same indexes, but for
-- matching_withdraw's, whose condition on p_release keeps it off the partial index of pending offers: it reads the
-- request's few offers by the request's index instead.
-- The helpers that run only inside those (matching_waiting, matching_waiting_for, matching_owed_elsewhere, matching_ring
-- and the others marked so) have no SET clause of their own: they plan under their callers' settings, and a clause
-- would save and restore the settings at every call, several times a dispatch (BENCHMARKS.md, "Stop 47": 0.5 % of a
-- call for the first three). matching_free keeps its own: a node also asks it alone (MatchingRepository.isBusy).
-- A row read by its key (an offer, a session), or the few rows of one request or one call (its offers, its seats), with
-- a test that they are still live: the test is written so that no partial index of live rows can answer it
-- (`(outcome || '') IS NULL`, `holds IS NOT FALSE`, `coalesce(ended_at, 'infinity') = 'infinity'`: the same, for these
-- NOT NULL or domain columns). A plan made while few rows were live (a table analysed on a quiet night; each connection
-- keeps its plan until the next ANALYZE) chose such an index, with nothing in it to look up, over the key: every offer
-- ringing, every hold, every live call or seat anywhere read to find one; and, where a partial index keyed as the rows
-- are looked up exists (a request's ringing offers), another of the same predicate walked whole: all looked empty, and
-- the choice between them was a tie (BENCHMARKS.md, "Stop 47" and "Stop 48"; test/medium/ladder.medium-spec.ts counts
-- the entries read). The repositories write the same forms through src/database/by-key.ts. And the partial indexes of
-- ringing offers, holds, live sessions and seats name their key in their predicate (migrations 1765900000000 and
-- 1765910000000): only a
-- look-up that names that key can use one, so her live seat (matching_free) is read by her index, not by the call's.
-- `SET enable_memoize = off` on the functions that search candidates (matching_create, matching_dispatch,
-- matching_servable): the planner put a cache in front of each candidate's languages, keyed by the candidate herself,
-- so it never hit and only cost (hashing her key and the ladder's languages, once per candidate).

-- What every request event says about its request: language, matter, urgency, minor flag, times.
-- STABLE, not IMMUTABLE: jsonb_build_object of a timestamptz is STABLE (the time zone), and PostgreSQL inlines a SQL
-- function only if its body is no more volatile than it says; inlined, it costs no executor start per event.
CREATE OR REPLACE FUNCTION matching_request_facts(r interpretation_requests) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('languageId', r.language_id, 'targetLanguageId', r.target_language_id, 'byOfficial', r.official_id IS NOT NULL,
    'matter', r.matter, 'urgency', r.urgency, 'minor', r.minor,
    'requestedAt', r.created_at, 'queuedAt', r.queued_at)
$$;

-- The requests waiting in one language's line (queued or ringing), for a look at whether there are any (othersWaiting).
-- Inlined into the query that uses it (a SQL set-returning function). Read through the line's index by language
-- (requests_waiting_language), the one index whose predicate its condition implies, so that the look never grows
-- with the other languages' lines (test/medium/ladder.medium-spec.ts). An index of the whole line beside it would
-- undo that: asked whether any row exists, PostgreSQL walked the one there was (requests_waiting, until migration
-- 1765890000000) as often as hers, 0.28 ms a look with 1,000 waiting in five other languages against 0.05.
CREATE OR REPLACE FUNCTION matching_waiting_in(p_language uuid) RETURNS SETOF interpretation_requests LANGUAGE sql STABLE AS $$
  SELECT * FROM interpretation_requests w WHERE w.language_id = p_language AND w.state IN ('queued', 'offering')
$$;

-- matching_waiting's branches that few requests take, each its own function: PostgreSQL starts every sub-select of a
-- statement (opens its indexes, builds its expressions) each time the statement runs, whether the row needs it or not,
-- and matching_waiting runs in every dispatch; a function call is started only when it is made. About 1 % of a call's
-- PostgreSQL instructions (BENCHMARKS.md, "Stop 44"). The care caps stay a sub-select: violence and trafficking
-- calls, which need them, are many (as a function: the same count with two requests in five of those matters, more
-- with more). PL/pgSQL for the reason ladder_languages is.
-- The care caps were a function too in 967c9b4 (never released; a dev database migrated by it keeps it otherwise).
DROP FUNCTION IF EXISTS matching_care_caps(char(2)[]);
-- The countries where a language is spoken ("not from my country").
CREATE OR REPLACE FUNCTION matching_language_countries(p_language uuid) RETURNS text[] LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT l.countries::text[] FROM languages l WHERE l.id = p_language);
END $$;
-- The rosters that share with every member state (p_open_count others): all that a request with no country, where no
-- home roster is set, may draw on.
CREATE OR REPLACE FUNCTION matching_open_rosters(p_open_count int) RETURNS char(2)[] LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN ARRAY(SELECT rs.owner_country FROM roster_sharing rs GROUP BY rs.owner_country HAVING count(*) = p_open_count);
END $$;

-- The waiting requests among p_requests, each with what the ladder asks of every candidate, read once per request
-- here rather than once per candidate: its ladder's languages (ladder_languages), the rosters it may be served
-- from (her country's, or the home roster's, and those sharing with it; with neither, only rosters that share with
-- every member state: p_open_count others, never 0), who has been offered it, and who may not be offered it again
-- (refused twice, or less than p_retry_after seconds ago), and whether its matter needs a valid certification where
-- it is handled (ladder_needs_certificate). p_language: the language its candidates interpret from when it is not
-- hers (a relay chain's relay leg interprets from the relay language); null for hers.
-- By primary key, never by walking the line (requests_waiting_language), whose length the plan cannot foresee: `|| ''`
-- keeps the state test off that partial index. A function scan, not a lateral sub-select: a join that runs its inner side
-- again for every candidate rewinds a function scan's rows, where it would run the sub-select (and ladder_languages)
-- once per candidate (45 times a dispatch in the benchmark).
DROP FUNCTION IF EXISTS matching_waiting(uuid[]);
-- Its arguments changed (p_language, for relay chains): the older one goes first, once.
DROP FUNCTION IF EXISTS matching_waiting(uuid[], char(2), double precision, int);
-- Before her say (issue 16) it had no women_only or not_from, and refused had no excluded_interpreters; before her way
-- back, no return_to: its result changed.
-- Before her roster's daily cap was read once per request (care_caps) its result had no care_caps.
DROP FUNCTION IF EXISTS matching_waiting(uuid[], uuid, char(2), double precision, int);
CREATE OR REPLACE FUNCTION matching_waiting(p_requests uuid[], p_language uuid, p_home char(2), p_retry_after double precision, p_open_count int)
RETURNS TABLE (id uuid, language_id uuid, langs uuid[], matter varchar, country char(2), priority smallint, minor boolean,
  prefer_female boolean, queued_at timestamptz, urgency varchar, rosters char(2)[], offered uuid[], refused uuid[], needs_cert boolean,
  women_only boolean, not_from text[], return_to uuid, care_caps jsonb)
LANGUAGE plpgsql STABLE ROWS 1 AS $$
#variable_conflict use_column
BEGIN
  -- The columns kept in domains (migration 1765870000000) as their base types: RETURN QUERY takes no other.
  RETURN QUERY SELECT r.id, coalesce(p_language, r.language_id), ladder_languages(coalesce(p_language, r.language_id)), r.matter::varchar,
    r.country::char(2), r.priority, r.minor, r.prefer_female, r.queued_at, r.urgency::varchar, ro.rosters,
    ARRAY(SELECT DISTINCT o.interpreter_id FROM offers o WHERE o.request_id = r.id),
    ARRAY(SELECT o.interpreter_id FROM offers o WHERE o.request_id = r.id AND o.outcome IN ('declined', 'expired')
          GROUP BY o.interpreter_id HAVING count(*) >= 2 OR max(o.decided_at) >= now() - make_interval(secs => p_retry_after))
      -- Those she asked to replace (session:another): never again for this request.
      || r.excluded_interpreters,
    ladder_needs_certificate(coalesce(r.country, p_home), r.matter, false),
    -- She asked for a woman and has not chosen whoever is free (request:choose): women only.
    r.prefer_female AND NOT r.any_interpreter,
    -- "Not from my country": none of the countries where her language is spoken.
    CASE WHEN r.not_from_country THEN matching_language_countries(r.language_id) ELSE '{}'::text[] END,
    -- Her return code's interpreter: rung first (matching_ring), and this request first in her line (matching_line_of).
    r.return_to,
    -- A violence or trafficking call: the daily caps of its rosters that have one (roster_call_limits), by country; null
    -- when none has (no row, no cap: most often), and each candidate's calls are then never counted (matching_pairs).
    CASE WHEN r.matter IN ('violence', 'trafficking') THEN
      (SELECT jsonb_object_agg(l.country, l.violence_trafficking_per_day) FROM roster_call_limits l WHERE l.country = ANY (ro.rosters)) END
  FROM interpretation_requests r
  CROSS JOIN LATERAL (SELECT CASE WHEN coalesce(r.country, p_home) IS NOT NULL
      THEN ARRAY[coalesce(r.country, p_home)]
        || ARRAY(SELECT rs.owner_country FROM roster_sharing rs WHERE rs.borrower_country = coalesce(r.country, p_home))
      ELSE matching_open_rosters(p_open_count)
    END AS rosters) ro
  WHERE r.id = ANY (p_requests) AND (r.state || '') IN ('queued', 'offering');
END $$;

-- Whether she can be rung now: not ringing or holding an accepted call, in no live session nor her wrap-up after one, and not kept for a
-- hearing (from half an hour before a hearing she confirmed until its end). Asked last, of the best-ranked
-- candidates only (matching_dispatch stops at the first free ones), not of every candidate.
CREATE OR REPLACE FUNCTION matching_free(p_interpreter uuid) RETURNS boolean LANGUAGE plpgsql STABLE SET enable_seqscan = off AS $$
BEGIN
  RETURN NOT EXISTS (SELECT 1 FROM offers o WHERE o.interpreter_id = p_interpreter AND o.holds)
    -- In her wrap-up time after a call (session_end stamps it; she may end it early).
    AND NOT EXISTS (SELECT 1 FROM interpreters i WHERE i.id = p_interpreter AND i.wrapup_until > now())
    -- In a live call in any role (the lead, a relay leg, a team partner): session_interpreters' partial unique index.
    AND NOT EXISTS (SELECT 1 FROM session_interpreters si WHERE si.interpreter_id = p_interpreter AND si.ended_at IS NULL)
    -- A hearing she confirmed (her seat, whatever the others': a chain's other leg may be asked again) about to start
    -- or going on; only seats that hold her time are looked at (a partial index), never her past hearings, and each
    -- one's booking by its key (the open test kept off the open bookings' index: see the top of this file).
    AND NOT EXISTS (SELECT 1 FROM booking_interpreters bi JOIN bookings b ON b.id = bi.booking_id
                    WHERE bi.interpreter_id = p_interpreter AND bi.blocked IS NOT NULL AND bi.state = 'confirmed'
                      AND (b.state || '') IN ('requested', 'assigned', 'confirmed')
                      AND now() BETWEEN b.starts_at - interval '30 minutes' AND b.ends_at);
END $$;

-- Her roster's daily cap on violence and trafficking calls is read once per request (matching_waiting's care_caps), and
-- each candidate's calls counted only where it has one (matching_pairs): this function, asked of every candidate, went.
DROP FUNCTION IF EXISTS matching_care_capped(char(2), timestamptz[]);

-- Who may be offered what, both ways round, apart from whether she is free now (matching_free): these waiting
-- requests (p_requests) with these interpreters (p_interpreters, those available now who speak the language: few),
-- interpreting from p_language (null: the request's own; a relay chain's relay leg: the relay language).
-- Rosters, who was offered it and who is left out (refused it twice, or less than p_retry_after seconds ago): read
-- once per request by matching_waiting; the candidates are only looked up in those lists. Tiers: ladder_tier.
-- Cost (BENCHMARKS.md, issue 13): every lookup is by primary key or by a partial index of live rows only, so it
-- does not grow with ended requests, offers or sessions; callers pass arrays without sub-selects, so PostgreSQL
-- inlines this function into their statement and plans it once per connection (not on every call).
-- Before relay chains it had no p_language.
-- p_her_choice false: whoever could be offered it were she not asking for a woman only (matching_dispatch: is a man free?).
-- Before her say it had no p_her_choice; before her way back its result had no `is_return` (she is the interpreter
-- the request's return code names).
-- p_target: what the leg is interpreted into; `covers` says whether she covers it (ladder_covers_target, from the row
-- already read for her: no second lookup per candidate), always true without one. Before, it had neither.
DROP FUNCTION IF EXISTS matching_pairs(uuid[], uuid[], uuid, char(2), double precision, int, boolean);
DROP FUNCTION IF EXISTS matching_pairs(uuid[], uuid[], char(2), double precision, int);
DROP FUNCTION IF EXISTS matching_pairs(uuid[], uuid[], uuid, char(2), double precision, int);
CREATE OR REPLACE FUNCTION matching_pairs(p_requests uuid[], p_interpreters uuid[], p_language uuid, p_home char(2), p_retry_after double precision,
  p_open_count int, p_her_choice boolean DEFAULT true, p_target uuid DEFAULT NULL)
RETURNS TABLE (request_id uuid, priority smallint, minor boolean, prefer_female boolean, queued_at timestamptz, urgency varchar,
  interpreter_id uuid, gender varchar, specialties varchar[], last_session_ended_at timestamptz, tier int, level smallint, tried boolean,
  is_return boolean, covers boolean)
LANGUAGE sql STABLE AS $$
  SELECT r.id, r.priority, r.minor, r.prefer_female, r.queued_at, r.urgency,
    i.id, i.gender, i.specialties, i.last_session_ended_at, best.tier, best.level, i.id = ANY (r.offered), i.id IS NOT DISTINCT FROM r.return_to,
    ladder_covers_target(p_target, i.language_ids, i.relay_language_ids)
  FROM matching_waiting(p_requests, p_language, p_home, p_retry_after, p_open_count) r
  -- From the few interpreters given, one primary-key lookup each (a plain index scan marks the dead versions
  -- of her row it meets, so the next lookup skips them; a bitmap scan of `id = ANY` would walk them every time),
  -- in the order given (equals in the ladder's order keep it). OFFSET 0 keeps it so: flattened into the join, the
  -- planner may start from `country = ANY (rosters)` instead, every active interpreter of those countries (70 ms
  -- a dispatch in the benchmark, planned while the table had no statistics).
  CROSS JOIN unnest(p_interpreters) AS avail(id)
  CROSS JOIN LATERAL (SELECT * FROM interpreters x WHERE x.id = avail.id OFFSET 0) i
  -- Her best language of the ladder's, from her own row (interpreters.language_ids and language_levels follow
  -- interpreter_languages: migration 1765860000000), so each candidate is read once: the exact variant before a linked
  -- one, then the higher level, packed into one number (exact * 8 + level; levels are 1-5). The exact variant is found
  -- in her array (most candidates speak it); only without it are her languages unnested for the best linked one (an
  -- aggregate, not ORDER BY … LIMIT 1, which put a sort under every candidate): unnesting every candidate's was a
  -- quarter of the candidate search (BENCHMARKS.md, "Stop 40"). OFFSET 0 computes it once per candidate, not once
  -- per use below. None of hers among those languages: null, and she is no candidate.
  CROSS JOIN LATERAL (
    SELECT CASE WHEN array_position(i.language_ids, r.language_id) IS NOT NULL
      THEN 8 + i.language_levels[array_position(i.language_ids, r.language_id)]
      ELSE (SELECT max(l.level) FROM unnest(i.language_ids, i.language_levels) l (id, level) WHERE l.id = ANY (r.langs)) END AS k
    OFFSET 0
  ) lang
  CROSS JOIN LATERAL (
    SELECT ladder_tier(lang.k >= 8, r.matter = ANY (i.specialties::text[]), i.country = coalesce(r.country, p_home)) AS tier,
      (lang.k % 8)::smallint AS level
  ) best
  WHERE lang.k IS NOT NULL AND i.status = 'active' AND i.country = ANY (r.rosters) AND NOT i.id = ANY (r.refused)
    -- Her say: a woman when she asked for one (unless she then chose anyone), nobody from her country if she asked.
    AND (NOT (r.women_only AND p_her_choice) OR i.gender = 'female')
    AND NOT i.country::text = ANY (r.not_from)
    AND (NOT r.needs_cert OR ladder_certified(i.certification_body, i.certification_expires, (now() AT TIME ZONE 'UTC')::date))
    -- Her roster's cap on violence and trafficking calls (care_caps: for those matters, where her roster has one), against
    -- the calls she accepted in the last 24 hours (interpreters.care_calls).
    AND (r.care_caps IS NULL OR NOT r.care_caps ? i.country::text
      OR (SELECT count(*) FROM unnest(i.care_calls) t WHERE t > now() - interval '24 hours') < (r.care_caps ->> i.country::text)::int)
$$;

-- The waiting requests with a free place for an offer in a language she speaks or one linked to it (the language
-- condition of matching_pairs, read the other way round). It runs whenever an interpreter is free again, so it must
-- not grow with the line of other languages: it is read through the line's index by language (requests_waiting_language),
-- the one index whose predicate its condition implies. While the whole line had an index of its own (requests_waiting,
-- until migration 1765890000000), a plan made while the table looked empty (analysed with no one waiting, as on a
-- quiet night; it stays until the next ANALYZE) walked that one for the few in her languages: 1,002 entries read for 2
-- (test/medium/ladder.medium-spec.ts).
CREATE OR REPLACE FUNCTION matching_waiting_for(p_interpreter uuid) RETURNS uuid[] LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN ARRAY(
    SELECT r.id FROM interpretation_requests r
    WHERE r.state IN ('queued', 'offering')
      -- Not a relay chain: its legs ring only those who cover them, so putting it in every speaker's line would
      -- hold back (matching_owed_elsewhere) someone it never rings; its own dispatches and the sweep ring its legs.
      AND r.relay_language_id IS NULL
      AND r.language_id = ANY (ARRAY(SELECT unnest(ladder_languages(il.language_id)) FROM interpreter_languages il WHERE il.interpreter_id = p_interpreter))
      AND (SELECT count(*) FROM offers o WHERE o.request_id = r.id AND (o.outcome || '') IS NULL) < ladder_at_once(r.urgency));
END $$;

-- Her line: the waiting requests p_waiting (matching_waiting_for) that may be offered to her (matching_pairs), each
-- with its place as she is served it (1 first): emergency, then urgent, then normal (a caller whose interpreter was
-- lost mid-call before anyone new: priority 4); minors first; then a woman coming back to her with her return code
-- (not yet offered to her); then those she was not offered yet; then oldest in
-- line. A SQL function, inlined into the PL/pgSQL statements below and planned with them.
CREATE OR REPLACE FUNCTION matching_line_of(p_interpreter uuid, p_waiting uuid[], p_home char(2), p_retry_after double precision, p_open_count int)
RETURNS TABLE (request_id uuid, place bigint) LANGUAGE sql STABLE AS $$
  SELECT p.request_id, row_number() OVER (ORDER BY p.priority DESC, p.minor DESC, (p.is_return AND NOT p.tried) DESC, p.tried, p.queued_at)
  FROM matching_pairs(p_waiting, ARRAY[p_interpreter], NULL, p_home, p_retry_after, p_open_count) p
$$;

-- The waiting requests one interpreter may be offered now, with their places (matching_line_of), if she is free.
-- PL/pgSQL with a generic plan, as matching_dispatch: as a SQL function inlined into the caller's prepared statement
-- it was planned anew on almost every call (the planner judged custom plans cheaper), and planning it cost more than
-- running it.
DROP FUNCTION IF EXISTS matching_servable(uuid, char(2), double precision, int);
CREATE OR REPLACE FUNCTION matching_servable(p_interpreter uuid, p_home char(2), p_retry_after double precision, p_open_count int)
RETURNS TABLE (request_id uuid, place bigint)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_memoize = off AS $$
#variable_conflict use_column
DECLARE
  v_waiting uuid[] := matching_waiting_for(p_interpreter);
BEGIN
  -- Most often nobody is waiting for her languages: that is one index lookup, and the answer.
  IF cardinality(v_waiting) = 0 OR NOT matching_free(p_interpreter) THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT l.request_id, l.place FROM matching_line_of(p_interpreter, v_waiting, p_home, p_retry_after, p_open_count) l;
END $$;

-- Whether a free interpreter is owed to another waiting request: one ahead of p_request in her line
-- (matching_line_of). Dispatching p_request then passes her over, so that a request dispatched while she is
-- becoming free (by the sweep, or its own dispatch) cannot take her from one ahead of it, which her own serving
-- (MatchingService.serveInterpreter) offers her next. Asked after matching_free, of the best-ranked candidates
-- only; when nobody else waits for her languages (most often) it is one index lookup.
CREATE OR REPLACE FUNCTION matching_owed_elsewhere(p_interpreter uuid, p_request uuid, p_home char(2), p_retry_after double precision, p_open_count int)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_waiting uuid[] := matching_waiting_for(p_interpreter);
BEGIN
  IF v_waiting <@ ARRAY[p_request] THEN
    RETURN false;
  END IF;
  RETURN (SELECT l.request_id FROM matching_line_of(p_interpreter, v_waiting, p_home, p_retry_after, p_open_count) l ORDER BY l.place LIMIT 1)
    IS DISTINCT FROM p_request;
END $$;

-- Rings, for one leg of a request (p_leg: `direct` = the whole call, or a relay chain's `source` or `relay` leg), up
-- to p_room of the best free candidates among p_candidates interpreting from p_language (null: the request's own):
-- those never offered this request first, then the interpreter her return code names, then in ladder_rank order (p_target: what
-- this leg is interpreted into, those who cover it first; p_covering_only: only those, for a chain's legs and the first
-- pass of a direct call). p_candidates are distinct (presence's sets are: PresenceService.reachableFor); one listed
-- twice would only cost one of the three attempts below. An interpreter another request took meanwhile is skipped
-- (the unique index on holds) and the next tried. The ring time starts at the insert. The ids of the offers made.
-- Its statements keep one generic plan per connection (plan_cache_mode): left to choose, PostgreSQL re-planned the
-- candidate search on every call whenever its estimates made a custom plan look cheaper (a long line did), and
-- planning it costs more than running it. The generic plan is by primary key and live partial indexes throughout.
-- Run only inside matching_dispatch_as (from matching_dispatch or matching_create), under their settings
-- (plan_cache_mode, enable_seqscan): a SET clause of its own would save and restore them on every call (this and the
-- other helpers below: 4-6 % of a call's PostgreSQL CPU).
-- p_on_call: those of the candidates who are on call (reachable by push only): after the others of their tier, and
-- rung for p_ring_on_call seconds instead of p_ring.
DROP FUNCTION IF EXISTS matching_ring(uuid, varchar, uuid, uuid[], uuid[], int, double precision, char(2), double precision, int);
-- Before each candidate's row said whether she covers the target, it had p_covering (a list) instead of p_target and p_covering_only.
DROP FUNCTION IF EXISTS matching_ring(uuid, varchar, uuid, uuid[], uuid[], int, double precision, char(2), double precision, int, uuid[], double precision);
CREATE OR REPLACE FUNCTION matching_ring(p_request uuid, p_leg varchar, p_language uuid, p_candidates uuid[], p_target uuid, p_covering_only boolean,
  p_room int, p_ring double precision, p_home char(2), p_retry_after double precision, p_open_count int, p_on_call uuid[], p_ring_on_call double precision)
RETURNS uuid[] LANGUAGE plpgsql AS $$
DECLARE
  v_chosen int := 0;
  v_round uuid[];
  v_made uuid[] := '{}';
BEGIN
  IF p_room <= 0 OR cardinality(p_candidates) = 0 THEN RETURN v_made; END IF;
  FOR attempt IN 1..3 LOOP
    -- Ranked first, then asked whether free in that order until enough are found: the sorted sub-select (OFFSET 0
    -- keeps the filter above the sort) hands rows to the filter one at a time, and LIMIT stops asking.
    WITH best AS (
      SELECT c.interpreter_id, c.tier FROM (
        SELECT p.interpreter_id, p.tier
        FROM matching_pairs(ARRAY[p_request], p_candidates, p_language, p_home, p_retry_after, p_open_count, true, p_target) p
        WHERE p.covers OR NOT p_covering_only
        ORDER BY p.tried, NOT p.is_return, ladder_rank(p.covers, p.tier, p.prefer_female, p.gender, p.minor, p.specialties, p.last_session_ended_at, p.level,
          p.interpreter_id = ANY (p_on_call))
        OFFSET 0
      ) c
      WHERE matching_free(c.interpreter_id) AND NOT matching_owed_elsewhere(c.interpreter_id, p_request, p_home, p_retry_after, p_open_count)
      LIMIT greatest(0, p_room - cardinality(v_made))
    ), made AS (
      -- In interpreter-id order, not rank order: two emergencies ringing the same interpreters in different orders
      -- each waited for the other's uncommitted hold in the unique index of holds (a deadlock, then a retry).
      INSERT INTO offers (request_id, interpreter_id, tier, leg, created_at, expires_at)
      SELECT p_request, best.interpreter_id, best.tier, p_leg, clock_timestamp(),
        clock_timestamp() + make_interval(secs => CASE WHEN best.interpreter_id = ANY (p_on_call) THEN p_ring_on_call ELSE p_ring END)
      FROM best ORDER BY best.interpreter_id
      ON CONFLICT DO NOTHING
      RETURNING id
    )
    SELECT (SELECT count(*) FROM best), coalesce(array_agg(made.id), '{}') INTO v_chosen, v_round FROM made;
    v_made := v_made || v_round;
    EXIT WHEN cardinality(v_round) = v_chosen OR cardinality(v_made) >= p_room;
  END LOOP;
  RETURN v_made;
END $$;

-- Whether one leg of a relay chain has someone to ring now: a free candidate among p_candidates, interpreting from
-- p_language (null: the request's own), who covers what the leg is interpreted into (p_target), as matching_ring
-- would find her. Run only inside matching_dispatch_as, under its callers' settings.
-- Before each candidate's row said whether she covers the target, it had p_covering (a list) instead of p_target.
DROP FUNCTION IF EXISTS matching_leg_open(uuid, uuid, uuid[], uuid[], char(2), double precision, int);
CREATE OR REPLACE FUNCTION matching_leg_open(p_request uuid, p_language uuid, p_candidates uuid[], p_target uuid, p_home char(2),
  p_retry_after double precision, p_open_count int) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN cardinality(p_candidates) > 0 AND EXISTS (
    SELECT 1 FROM matching_pairs(ARRAY[p_request], p_candidates, p_language, p_home, p_retry_after, p_open_count, true, p_target) p
    WHERE p.covers AND matching_free(p.interpreter_id)
      AND NOT matching_owed_elsewhere(p.interpreter_id, p_request, p_home, p_retry_after, p_open_count));
END $$;

-- Rings the best candidates for a waiting request (matching_ring): as many as it may ring at once (ladder_at_once)
-- less those ringing. p_available: who is available now for her ladder's languages. Those who cover what the other
-- side speaks ring first; when none of them is free and the request may go through a relay chain (DESIGN.md: it has
-- a target, a relay language between the two, and no offer out yet), the chain is planned instead: the first relay
-- language of ladder_relay_languages with a free candidate for each leg, `source` (her language into the relay
-- language, from p_available) and `relay` (the relay language into the target, from p_relay: who is available for
-- the relay languages). Without p_relay (the node reads it only when asked), it answers `needsRelay` (the relay
-- languages) and rings nobody. A chained request rings each leg that has no acceptance yet; with no chain possible,
-- the best single interpreter rings, as before targets. Returns {state, was, offers: [{id, interpreterId, tier, leg,
-- expiresAt, push}], request: {...}, relayLanguageId, needsRelay?} or null if not waiting.
-- Before relay chains it had no p_relay.
-- Before on-call presence it had no p_on_call (those of p_available and p_relay who are on call) or p_ring_on_call.
DROP FUNCTION IF EXISTS matching_dispatch(uuid, uuid[], double precision, char(2), double precision, int);
DROP FUNCTION IF EXISTS matching_dispatch(uuid, uuid[], double precision, char(2), double precision, int, uuid[]);
-- Its body is matching_dispatch_as, which matching_create calls with p_fresh for a request it has just inserted
-- already offering (matching_insert_request), with no offer yet: the dispatch treats it as the queued request it
-- stands for (the events' fromState, `was`, the answer's state when nobody is rung) and does not mark it offering
-- again. The public signature stays as it was: a node of the previous release that restarts during an upgrade writes
-- its own matching_dispatch again, which must replace this one, not stand beside it (a second form with a defaulted
-- parameter more makes every call ambiguous).
DROP FUNCTION IF EXISTS matching_dispatch(uuid, uuid[], double precision, char(2), double precision, int, uuid[], uuid[], double precision, boolean);
CREATE OR REPLACE FUNCTION matching_dispatch(p_request uuid, p_available uuid[], p_ring double precision, p_home char(2), p_retry_after double precision,
  p_open_count int, p_relay uuid[] DEFAULT NULL, p_on_call uuid[] DEFAULT '{}', p_ring_on_call double precision DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_memoize = off AS $$
BEGIN
  RETURN matching_dispatch_as(p_request, p_available, p_ring, p_home, p_retry_after, p_open_count, p_relay, p_on_call, p_ring_on_call, false);
END $$;

-- matching_dispatch's body (see above). Run only inside matching_dispatch and matching_create, under their settings.
CREATE OR REPLACE FUNCTION matching_dispatch_as(p_request uuid, p_available uuid[], p_ring double precision, p_home char(2),
  p_retry_after double precision, p_open_count int, p_relay uuid[], p_on_call uuid[], p_ring_on_call double precision, p_fresh boolean)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  r interpretation_requests;
  v_at_once int;
  v_made uuid[] := '{}';
  v_state text;
  v_from text;
  v_others boolean := true;
  v_relays uuid[];
  v_live jsonb;
  v_unseen int := 0;
  v_no_woman boolean := false;
BEGIN
  SELECT * INTO r FROM interpretation_requests WHERE id = p_request FOR UPDATE;
  IF NOT FOUND OR r.state NOT IN ('queued', 'offering') THEN RETURN NULL; END IF;
  -- (Only the request its caller has just inserted offering, in this transaction: now() is the transaction's time.)
  IF p_fresh AND (r.state <> 'offering' OR r.created_at <> now()) THEN
    RAISE EXCEPTION 'matching_dispatch_as: request % was not inserted offering in this transaction', p_request;
  END IF;
  v_at_once := ladder_at_once(r.urgency);
  v_from := CASE WHEN p_fresh THEN 'queued' ELSE r.state END;
  v_state := v_from;
  -- Its offers out now, by leg: ringing, or accepted and waiting for the chain's other leg. A queued request has none
  -- (it is queued only with none, and nothing makes one but this function, which then marks it offering), nor has a
  -- fresh one (inserted offering a moment ago, in this transaction): its first dispatch, the most frequent, is spared
  -- the look.
  IF v_from = 'queued' THEN
    v_live := '{}';
  ELSE
    SELECT coalesce(jsonb_object_agg(o.leg, o.n), '{}') INTO v_live FROM (
      SELECT leg || CASE WHEN outcome IS NULL THEN '' ELSE ':accepted' END AS leg, count(*) AS n FROM offers
      WHERE request_id = p_request AND (outcome IS NULL OR (outcome = 'accepted' AND holds)) GROUP BY 1) o;
    -- An emergency's offers that her console did not show in time (pushed to her phone) ring on, but the next
    -- candidates ring at once beside them (MatchingService.offerUnseen).
    IF r.urgency = 'emergency' THEN
      v_unseen := (SELECT count(*) FROM offers WHERE request_id = p_request AND (outcome || '') IS NULL AND unseen AND leg = 'direct');
    END IF;
  END IF;
  IF r.relay_language_id IS NULL THEN
    -- Who covers what the other side speaks is read with each candidate (matching_pairs' `covers`), for the order
    -- (ladder_rank) and for this first pass.
    IF r.target_language_id IS NOT NULL AND NOT r.relay_off AND v_live = '{}' THEN
      -- Someone who covers it first; if none of them is free, a chain before anyone who does not. With nobody available
      -- who does not cover it (most often, everyone does), neither a chain (whose source leg would be such a one) nor
      -- the pass below can ring anyone this pass did not: asked only when this pass left room, of their rows alone (one
      -- lookup each, not a second search).
      v_made := matching_ring(p_request, 'direct', NULL, p_available, r.target_language_id, true, v_at_once, p_ring, p_home, p_retry_after,
        p_open_count, p_on_call, coalesce(p_ring_on_call, p_ring));
      IF cardinality(v_made) < v_at_once THEN
        v_others := EXISTS (SELECT 1 FROM interpreters i
                            WHERE i.id = ANY (p_available) AND NOT ladder_covers_target(r.target_language_id, i.language_ids, i.relay_language_ids));
      END IF;
      IF cardinality(v_made) = 0 AND v_others THEN
        v_relays := ladder_relay_languages(r.language_id, r.target_language_id);
        IF cardinality(v_relays) > 0 AND p_relay IS NULL THEN
          RETURN jsonb_build_object('state', v_from, 'was', v_from, 'needsRelay', to_jsonb(v_relays), 'offers', '[]'::jsonb,
            'request', jsonb_build_object('id', r.id, 'languageId', r.language_id));
        END IF;
        FOR i IN 1..coalesce(cardinality(v_relays), 0) LOOP
          -- The relay leg first: most often nobody available covers the target at all, which is answered without a look
          -- at the source leg's candidates (AND stops at the first false, left to right).
          IF matching_leg_open(p_request, v_relays[i], p_relay, r.target_language_id, p_home, p_retry_after, p_open_count)
             AND matching_leg_open(p_request, NULL, p_available, v_relays[i], p_home, p_retry_after, p_open_count) THEN
            UPDATE interpretation_requests SET relay_language_id = v_relays[i], relay_since = now() WHERE id = p_request RETURNING * INTO r;
            INSERT INTO matching_audit_outbox (type, country, subject_id, data)
            VALUES ('request.relayed', r.country, r.id, matching_request_facts(r));
            EXIT;
          END IF;
        END LOOP;
      END IF;
    END IF;
    IF r.relay_language_id IS NULL AND v_others THEN
      v_made := v_made || matching_ring(p_request, 'direct', NULL, p_available, r.target_language_id, false,
        v_at_once - cardinality(v_made) - coalesce((v_live->>'direct')::int, 0) + v_unseen, p_ring, p_home, p_retry_after, p_open_count, p_on_call, coalesce(p_ring_on_call, p_ring));
    END IF;
  END IF;
  IF r.relay_language_id IS NOT NULL THEN
    -- A chain: each leg without an acceptance rings, as many at once as a whole call would, among those who cover it.
    IF NOT v_live ? 'source:accepted' THEN
      v_made := v_made || matching_ring(p_request, 'source', NULL, p_available, r.relay_language_id, true,
        v_at_once - coalesce((v_live->>'source')::int, 0), p_ring, p_home, p_retry_after, p_open_count, p_on_call, coalesce(p_ring_on_call, p_ring));
    END IF;
    IF NOT v_live ? 'relay:accepted' THEN
      v_made := v_made || matching_ring(p_request, 'relay', r.relay_language_id, coalesce(p_relay, '{}'), r.target_language_id, true,
        v_at_once - coalesce((v_live->>'relay')::int, 0), p_ring, p_home, p_retry_after, p_open_count, p_on_call, coalesce(p_ring_on_call, p_ring));
    END IF;
  END IF;
  -- She asked for a woman and nobody could be rung: is someone else free (she is told, and may choose anyone)?
  IF cardinality(v_made) = 0 AND v_live = '{}' AND r.prefer_female AND NOT r.any_interpreter AND r.relay_language_id IS NULL THEN
    v_no_woman := EXISTS (SELECT 1 FROM matching_pairs(ARRAY[p_request], p_available, NULL, p_home, p_retry_after, p_open_count, false) p
                          WHERE matching_free(p.interpreter_id));
  END IF;
  IF cardinality(v_made) > 0 THEN
    IF NOT p_fresh THEN
      UPDATE interpretation_requests SET state = 'offering', first_offered_at = coalesce(first_offered_at, now()) WHERE id = p_request;
    END IF;
    INSERT INTO matching_audit_outbox (type, country, subject_id, data)
    SELECT 'offer.created', r.country, r.id, matching_request_facts(r)
      || jsonb_build_object('offerId', o.id, 'interpreterId', o.interpreter_id, 'tier', o.tier, 'leg', o.leg, 'expiresAt', o.expires_at, 'fromState', v_from)
    FROM offers o WHERE o.id = ANY (v_made) ORDER BY o.created_at;
    v_state := 'offering';
  ELSIF v_from = 'offering' AND v_live = '{}' THEN
    -- Nothing rings any more, nobody waits for a chain's other leg, and nobody can be rung: back in line.
    UPDATE interpretation_requests SET state = 'queued' WHERE id = p_request;
    INSERT INTO matching_audit_outbox (type, country, subject_id, data)
    VALUES ('request.queued', r.country, r.id, matching_request_facts(r) || jsonb_build_object('fromState', r.state));
    v_state := 'queued';
  END IF;
  RETURN jsonb_build_object(
    'state', v_state, 'was', v_from, 'relayLanguageId', r.relay_language_id, 'noWomanFree', v_no_woman,
    'request', jsonb_build_object('id', r.id, 'languageId', r.language_id, 'targetLanguageId', r.target_language_id, 'matter', r.matter, 'urgency', r.urgency, 'minor', r.minor, 'callerSub', r.caller_sub,
      'returnTo', r.return_to),
    -- push: she has devices that receive offers by Web Push (PushService), one index probe per offer made.
    'offers', coalesce((SELECT jsonb_agg(jsonb_build_object('id', o.id, 'interpreterId', o.interpreter_id, 'tier', o.tier, 'leg', o.leg, 'expiresAt', o.expires_at,
                          'push', EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.interpreter_id = o.interpreter_id)))
                        FROM offers o WHERE o.id = ANY (v_made)), '[]'));
END $$;

-- A new request and its audit event (one live request per caller: the unique index refuses a second, 23505; an
-- unknown language or target, 23503). p_official: the official who asks, a woman beside her ("interpreter now");
-- her token subject is then the caller's. Its target, when none is said: the official's institution's language,
-- else the main language of where she is, or of the home roster (ladder_main_language). matching_create
-- dispatches it in the same call; alone, it is the request the sweep will dispatch when that first dispatch
-- failed (MatchingService.createRequest).
-- Before the target language and officials' requests it had no p_target, p_official or p_home.
DROP FUNCTION IF EXISTS matching_new_request(uuid, varchar, varchar, boolean, boolean, char(2), uuid, smallint);
-- Before her say it had no p_not_from ("not from my country"); before her way back, no p_return.
DROP FUNCTION IF EXISTS matching_new_request(uuid, uuid, varchar, varchar, boolean, boolean, char(2), uuid, smallint, uuid, char(2));
DROP FUNCTION IF EXISTS matching_new_request(uuid, uuid, varchar, varchar, boolean, boolean, char(2), uuid, smallint, uuid, char(2), boolean);
-- p_return: the keyed hash of her return code (ReturnCodesService), or null. It is used up here (deleted), in the
-- transaction that makes the request, and names the interpreter the request rings first; a code that is unknown,
-- used or expired raises SQLSTATE PR001 (one answer for all three) and nothing is made.
-- Its body is matching_insert_request, which matching_create calls with p_offering: the request inserted already
-- offering, for its first dispatch in the same transaction (matching_dispatch says why, and why the public signature
-- stays as it was).
DROP FUNCTION IF EXISTS matching_new_request(uuid, uuid, varchar, varchar, boolean, boolean, char(2), uuid, smallint, uuid, char(2), boolean, varchar,
  boolean);
CREATE OR REPLACE FUNCTION matching_new_request(p_language uuid, p_target uuid, p_matter varchar, p_urgency varchar, p_minor boolean,
  p_prefer_female boolean, p_country char(2), p_caller_sub uuid, p_priority smallint, p_official uuid, p_home char(2), p_not_from boolean DEFAULT false,
  p_return varchar DEFAULT NULL)
RETURNS interpretation_requests LANGUAGE plpgsql AS $$
BEGIN
  RETURN matching_insert_request(p_language, p_target, p_matter, p_urgency, p_minor, p_prefer_female, p_country, p_caller_sub, p_priority,
    p_official, p_home, p_not_from, p_return, false);
END $$;

-- matching_new_request's body (see above).
CREATE OR REPLACE FUNCTION matching_insert_request(p_language uuid, p_target uuid, p_matter varchar, p_urgency varchar, p_minor boolean,
  p_prefer_female boolean, p_country char(2), p_caller_sub uuid, p_priority smallint, p_official uuid, p_home char(2), p_not_from boolean,
  p_return varchar, p_offering boolean)
RETURNS interpretation_requests LANGUAGE plpgsql AS $$
DECLARE
  r interpretation_requests;
  v_return_to uuid;
  v_target uuid;
BEGIN
  IF p_return IS NOT NULL THEN
    DELETE FROM return_codes WHERE code_hash = p_return AND expires_at > now() RETURNING interpreter_id INTO v_return_to;
    IF v_return_to IS NULL THEN
      RAISE EXCEPTION 'return code refused' USING ERRCODE = 'PR001';
    END IF;
  END IF;
  -- The official's institution's language, asked in a statement of its own, only when it is needed: as a sub-select
  -- of the insert, its two index scans were started with every request (matching_waiting's helpers say why that costs).
  IF p_target IS NULL AND p_official IS NOT NULL THEN
    v_target := (SELECT i.language_id FROM users u JOIN institutions i ON i.id = u.institution_id WHERE u.id = p_official);
  END IF;
  INSERT INTO interpretation_requests (language_id, target_language_id, matter, urgency, minor, prefer_female, country, caller_sub, priority,
    official_id, not_from_country, return_to, state, first_offered_at)
  VALUES (p_language, coalesce(p_target, v_target, ladder_main_language(coalesce(p_country, p_home))),
    p_matter, p_urgency, p_minor, p_prefer_female, p_country, p_caller_sub, p_priority, p_official, p_not_from, v_return_to,
    CASE WHEN p_offering THEN 'offering' ELSE 'queued' END, CASE WHEN p_offering THEN now() END) RETURNING * INTO r;
  INSERT INTO matching_audit_outbox (type, actor_id, actor_role, country, subject_id, data)
  VALUES ('request.created', p_official, CASE WHEN p_official IS NOT NULL THEN 'official' END, r.country, r.id, matching_request_facts(r));
  RETURN r;
END $$;

-- A new request, its audit event and its first dispatch (matching_dispatch) in one round trip and one commit:
-- the caller's tap costs PostgreSQL one transaction, not two. p_available is who is available now for the
-- request's ladder languages (the node reads it before the insert). Returns {id, dispatched}.
DROP FUNCTION IF EXISTS matching_create(uuid, varchar, varchar, boolean, boolean, char(2), uuid, smallint, uuid[], double precision, char(2),
  double precision, int);
-- Before on-call presence it had no p_on_call and p_ring_on_call (matching_dispatch's).
DROP FUNCTION IF EXISTS matching_create(uuid, uuid, varchar, varchar, boolean, boolean, char(2), uuid, smallint, uuid, uuid[], double precision,
  char(2), double precision, int);
-- Before her say it had no p_not_from; before her way back, no p_return.
DROP FUNCTION IF EXISTS matching_create(uuid, uuid, varchar, varchar, boolean, boolean, char(2), uuid, smallint, uuid, uuid[], double precision,
  char(2), double precision, int, uuid[], double precision);
DROP FUNCTION IF EXISTS matching_create(uuid, uuid, varchar, varchar, boolean, boolean, char(2), uuid, smallint, uuid, boolean, uuid[], double precision,
  char(2), double precision, int, uuid[], double precision);
CREATE OR REPLACE FUNCTION matching_create(p_language uuid, p_target uuid, p_matter varchar, p_urgency varchar, p_minor boolean,
  p_prefer_female boolean, p_country char(2), p_caller_sub uuid, p_priority smallint, p_official uuid, p_not_from boolean, p_available uuid[],
  p_ring double precision, p_home char(2), p_retry_after double precision, p_open_count int, p_on_call uuid[] DEFAULT '{}',
  p_ring_on_call double precision DEFAULT NULL, p_return varchar DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_memoize = off AS $$
DECLARE
  -- Inserted offering when anyone is listed available for her languages (most often), to be rung at once: written once.
  -- Nobody listed (a language with nobody online, or presence unknown): inserted queued, written once too. Listed but
  -- nobody rung (all of them ringing, in calls or in wrap-up: presence lists them all the same; or not for her): written
  -- back queued, a second version of the row, as every rung request's was before (BENCHMARKS.md, "Stop 43").
  v_fresh boolean := coalesce(cardinality(p_available), 0) > 0;
  r interpretation_requests := matching_insert_request(p_language, p_target, p_matter, p_urgency, p_minor, p_prefer_female, p_country,
    p_caller_sub, p_priority, p_official, p_home, p_not_from, p_return, v_fresh);
  v_dispatched jsonb := matching_dispatch_as(r.id, p_available, p_ring, p_home, p_retry_after, p_open_count, NULL, p_on_call,
    p_ring_on_call, v_fresh);
BEGIN
  -- Nobody rung (or a relay chain to be asked for first): what it stood for, queued and never offered, with no event.
  IF v_fresh AND v_dispatched->>'state' = 'queued' THEN
    UPDATE interpretation_requests SET state = 'queued', first_offered_at = NULL WHERE id = r.id;
  END IF;
  RETURN jsonb_build_object('id', r.id, 'dispatched', v_dispatched);
END $$;

-- Ends a live session (by id, or the live session of a request): its interpreters' holds on their accepted
-- offers go, when her last session ended is stamped (fairness), the end is audited (unless p_audited
-- is false: the request's own event records it). Returns the ended session, if any, with the notice its node announces
-- to every node once the transaction has committed (SessionsService.announceEnded: whom to tell, her wrap-up). Not a
-- NOTIFY: PostgreSQL serialises the commits of every transaction that notifies on one lock, and every call's end
-- queued behind it (BENCHMARKS.md, "Matching that stays fast").
CREATE OR REPLACE FUNCTION session_end(p_session uuid, p_request uuid, p_reason text, p_audited boolean)
RETURNS TABLE (id uuid, request_id uuid, interpreter_id uuid, notice jsonb) LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
#variable_conflict use_column
DECLARE
  s sessions;
  v_caller uuid;
  v_interpreters uuid[];
  v_official uuid;
  v_matter varchar;
  v_wrapup interval;
  v_wrapups jsonb;
BEGIN
  -- Two statements, not one with an OR: each keeps its own index (the primary key; the live session of a request).
  IF p_session IS NOT NULL THEN
    -- By its key (the live test kept off the live sessions' indexes: see the top of this file).
    SELECT * INTO s FROM sessions WHERE sessions.id = p_session AND coalesce(ended_at, 'infinity') = 'infinity' FOR UPDATE;
  ELSE
    SELECT * INTO s FROM sessions WHERE sessions.request_id = p_request AND coalesce(ended_at, 'infinity') = 'infinity' FOR UPDATE;
  END IF;
  IF NOT FOUND THEN RETURN; END IF;
  -- A hearing's remote woman is known by the session itself (her join code's token): forgotten as it ends.
  UPDATE sessions SET ended_at = now(), end_reason = p_reason, caller_sub = NULL WHERE sessions.id = s.id;
  -- Every interpreter of the call is free again: the lead, a relay leg's, a team partner.
  WITH gone AS (
    UPDATE session_interpreters si SET ended_at = now() WHERE si.session_id = s.id AND coalesce(si.ended_at, 'infinity') = 'infinity'
    RETURNING si.interpreter_id
  )
  SELECT coalesce(array_agg(gone.interpreter_id), ARRAY[s.interpreter_id]) INTO v_interpreters FROM gone;
  -- Her wrap-up (WRAPUP_SECONDS for the call's matter: the node's setting puente.wrapup_seconds, src/database), after a
  -- call that started (media flowed) only, and not after a technical end (the woman, back in line, may get her again
  -- at once): stamped here, in the transaction that frees her, so no node can offer her anything in between
  -- (matching_free).
  IF s.started_at IS NOT NULL AND p_reason NOT IN ('media_failed', 'interpreter_lost') THEN
    v_matter := coalesce((SELECT matter FROM interpretation_requests WHERE interpretation_requests.id = s.request_id),
                         (SELECT matter FROM bookings WHERE bookings.id = s.booking_id));
    v_wrapup := make_interval(secs => coalesce((nullif(current_setting('puente.wrapup_seconds', true), '')::jsonb ->> v_matter)::int, 0));
  END IF;
  -- (A wrap-up already running, from a call before a hearing's, is never cut short.) Each one's, as it now stands, for
  -- her consoles.
  WITH w AS (
    UPDATE interpreters SET last_session_ended_at = now(),
      wrapup_until = CASE WHEN v_wrapup > interval '0' THEN greatest(wrapup_until, now() + v_wrapup) ELSE wrapup_until END,
      wrapup_extended = CASE WHEN v_wrapup > interval '0' AND NOT coalesce(wrapup_until > now() + v_wrapup, false) THEN false ELSE wrapup_extended END
    WHERE interpreters.id = ANY (v_interpreters) RETURNING interpreters.id, wrapup_until, wrapup_extended
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', w.id, 'until', w.wrapup_until, 'canExtend', NOT w.wrapup_extended))
                  FILTER (WHERE v_wrapup > interval '0' AND w.wrapup_until > now()), '[]')
  INTO v_wrapups FROM w;
  -- The acceptances of this call's request only (a hearing's call has none): never another request's waiting leg.
  UPDATE offers SET holds = false WHERE offers.request_id = s.request_id AND holds IS NOT FALSE AND outcome = 'accepted';
  IF p_audited THEN
    INSERT INTO matching_audit_outbox (type, subject_id, data)
    VALUES ('session.ended', s.id, jsonb_build_object('reason', p_reason, 'requestId', s.request_id));
  END IF;
  -- Who asked (a woman's token subject, or the official's for "interpreter now"), and a woman who joined by code.
  SELECT interpretation_requests.caller_sub, interpretation_requests.official_id INTO v_caller, v_official
  FROM interpretation_requests WHERE interpretation_requests.id = s.request_id;
  -- An official's call: the code for the woman's phone goes with it (a hearing's goes with the booking's end).
  IF v_official IS NOT NULL THEN
    DELETE FROM join_codes WHERE join_codes.request_id = s.request_id;
  END IF;
  RETURN QUERY SELECT s.id, s.request_id, s.interpreter_id, jsonb_build_object('sessionId', s.id, 'reason', p_reason,
    'interpreterId', s.interpreter_id, 'interpreterIds', v_interpreters, 'officialId', s.official_id, 'wrapups', v_wrapups, 'endedAt', now(),
    'callerSubs', ARRAY(SELECT DISTINCT x FROM unnest(ARRAY[v_caller, s.caller_sub]) x WHERE x IS NOT NULL));
END $$;

-- Withdraws a request's pending offers (of one leg, p_leg, or all: null) and, with p_release, releases a relay chain's
-- legs accepted while the call had not opened yet (their acceptance superseded, their interpreters free). The request
-- row is locked by the caller. Returns [{id, interpreterId}] of the offers closed, to tell each of them. Run only
-- inside the matching_* functions, under their settings.
CREATE OR REPLACE FUNCTION matching_withdraw(p_request uuid, p_leg varchar, p_release boolean) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_closed jsonb;
BEGIN
  WITH wd AS (
    UPDATE offers SET outcome = coalesce(outcome, 'withdrawn'), decided_at = coalesce(decided_at, now()), holds = false,
      superseded_at = CASE WHEN outcome = 'accepted' THEN now() END
    WHERE request_id = p_request AND (p_leg IS NULL OR leg = p_leg) AND (outcome IS NULL OR (p_release AND outcome = 'accepted' AND holds))
    RETURNING id, interpreter_id
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', wd.id, 'interpreterId', wd.interpreter_id)), '[]') INTO v_closed FROM wd;
  RETURN v_closed;
END $$;

-- A request's call opens: its other offers are withdrawn, its session opened with its interpreters each in her role
-- (p_lead: the accepted offer of the one who interprets her language, `interpreter`; p_relay: a relay chain's relay
-- leg, `relay_interpreter`, or null), the request accepted. p_accepted: the acceptance that opened it (audited with
-- the session), or null (a chain served by its source leg alone: RELAY_WAIT_SECONDS). The request row is locked by
-- the caller. p_return: her way back (issue 16), the keyed hash of a return code the node drew (ReturnCodesService),
-- stored for a woman's own request only, naming the lead interpreter for p_return_hours and replacing the request's
-- earlier code: in the transaction that opens the call, so that she is told both at once. Digits another live code
-- holds (one in a million per live code) give her none this time. Returns the session and who to tell: the caller
-- (returnCode: whether the code was stored), the interpreters (each with her offer) and the interpreters whose offers
-- were withdrawn. Run only inside the matching_* functions, under their settings.
-- Before her way back it had no p_return or p_return_hours.
DROP FUNCTION IF EXISTS matching_open(interpretation_requests, offers, offers, offers);
CREATE OR REPLACE FUNCTION matching_open(r interpretation_requests, p_lead offers, p_relay offers, p_accepted offers, p_return varchar,
  p_return_hours int)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_session uuid;
  v_withdrawn jsonb;
  v_lead varchar := (SELECT first_name FROM interpreters WHERE id = p_lead.interpreter_id);
  v_seated jsonb;
  v_code boolean := false;
BEGIN
  v_withdrawn := matching_withdraw(r.id, NULL, false);
  IF p_return IS NOT NULL AND r.official_id IS NULL THEN
    DELETE FROM return_codes WHERE request_id = r.id OR (code_hash = p_return AND expires_at <= now());
    INSERT INTO return_codes (code_hash, interpreter_id, request_id, expires_at)
    VALUES (p_return, p_lead.interpreter_id, r.id, now() + make_interval(hours => p_return_hours))
    ON CONFLICT (code_hash) DO NOTHING;
    v_code := FOUND;
  END IF;
  WITH opened AS (
    INSERT INTO sessions (request_id, interpreter_id) VALUES (r.id, p_lead.interpreter_id) RETURNING id
  ), seated AS (
    INSERT INTO session_interpreters (session_id, role, interpreter_id)
    SELECT opened.id, x.role, x.interpreter_id FROM opened,
      (VALUES ('interpreter', p_lead.interpreter_id), ('relay_interpreter', p_relay.interpreter_id)) x (role, interpreter_id)
    WHERE x.interpreter_id IS NOT NULL
  )
  SELECT opened.id INTO v_session FROM opened;
  UPDATE interpretation_requests SET state = 'accepted', interpreter_id = p_lead.interpreter_id, tier = p_lead.tier, accepted_at = now()
  WHERE id = r.id;
  IF p_accepted.id IS NOT NULL THEN
    INSERT INTO matching_audit_outbox (type, actor_id, actor_role, country, subject_id, data)
    VALUES ('offer.accepted', p_accepted.interpreter_id, 'interpreter', r.country, r.id, matching_request_facts(r)
      || jsonb_build_object('offerId', p_accepted.id, 'interpreterId', p_accepted.interpreter_id, 'tier', p_accepted.tier, 'leg', p_accepted.leg,
        'offeredAt', p_accepted.created_at, 'sessionId', v_session));
  END IF;
  v_seated := jsonb_build_array(jsonb_build_object('interpreterId', p_lead.interpreter_id, 'offerId', p_lead.id, 'role', 'interpreter', 'firstName', v_lead));
  IF p_relay.id IS NOT NULL THEN
    v_seated := v_seated || jsonb_build_object('interpreterId', p_relay.interpreter_id, 'offerId', p_relay.id, 'role', 'relay_interpreter',
      'firstName', (SELECT first_name FROM interpreters WHERE id = p_relay.interpreter_id));
  END IF;
  RETURN jsonb_build_object('sessionId', v_session, 'requestId', r.id, 'callerSub', r.caller_sub, 'returnCode', v_code,
    'languageId', r.language_id,
    'waitSeconds', extract(epoch FROM now() - r.created_at), 'firstName', v_lead, 'withdrawn', v_withdrawn, 'interpreters', v_seated,
    'othersWaiting', EXISTS (SELECT 1 FROM matching_waiting_in(r.language_id) w));
END $$;

-- An acceptance: the offer (hers, still pending, not expired) is accepted. A direct offer opens the call
-- (matching_open; the unique index refuses a second live call for her). On a relay chain, the other offers of her
-- leg are withdrawn and her accepted offer holds her until the other leg accepts too, which opens the call with
-- both; till then {waiting: true}. Returns {error: not_found | conflict}, or the session and who to tell.
-- p_return, p_return_hours: her return code, should this acceptance open the call (matching_open).
-- Before her way back it had no p_return or p_return_hours.
DROP FUNCTION IF EXISTS matching_accept(uuid, uuid);
CREATE OR REPLACE FUNCTION matching_accept(p_offer uuid, p_interpreter uuid, p_return varchar, p_return_hours int) RETURNS jsonb
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  r interpretation_requests;
  o offers;
  v_other offers;
  v_withdrawn jsonb;
BEGIN
  SELECT * INTO r FROM interpretation_requests
  WHERE id = (SELECT request_id FROM offers WHERE id = p_offer AND interpreter_id = p_interpreter) FOR UPDATE;
  IF NOT FOUND THEN RETURN jsonb_build_object('error', 'not_found'); END IF;
  IF r.state <> 'offering' THEN RETURN jsonb_build_object('error', 'conflict'); END IF;
  -- By its key (the live test kept off the pending offers' indexes: see the top of this file).
  UPDATE offers SET outcome = 'accepted', decided_at = now()
  WHERE id = p_offer AND interpreter_id = p_interpreter AND (outcome || '') IS NULL AND expires_at > now()
  RETURNING * INTO o;
  IF NOT FOUND THEN RETURN jsonb_build_object('error', 'conflict'); END IF;
  -- Counted for her roster's daily cap (matching_pairs): the last 24 hours' only are kept.
  IF r.matter IN ('violence', 'trafficking') THEN
    UPDATE interpreters SET care_calls = ARRAY(SELECT t FROM unnest(care_calls) t WHERE t > now() - interval '24 hours') || now()
    WHERE id = p_interpreter;
  END IF;
  IF o.leg = 'direct' THEN RETURN matching_open(r, o, NULL, o, p_return, p_return_hours); END IF;
  SELECT * INTO v_other FROM offers WHERE request_id = r.id AND leg <> o.leg AND outcome = 'accepted' AND superseded_at IS NULL AND holds IS NOT FALSE;
  IF FOUND THEN
    RETURN matching_open(r, CASE o.leg WHEN 'source' THEN o ELSE v_other END, CASE o.leg WHEN 'relay' THEN o ELSE v_other END, o, p_return,
      p_return_hours);
  END IF;
  v_withdrawn := matching_withdraw(r.id, o.leg, false);
  INSERT INTO matching_audit_outbox (type, actor_id, actor_role, country, subject_id, data)
  VALUES ('offer.accepted', p_interpreter, 'interpreter', r.country, r.id, matching_request_facts(r)
    || jsonb_build_object('offerId', o.id, 'interpreterId', p_interpreter, 'tier', o.tier, 'leg', o.leg, 'offeredAt', o.created_at));
  RETURN jsonb_build_object('waiting', true, 'requestId', r.id, 'callerSub', r.caller_sub, 'languageId', r.language_id, 'withdrawn', v_withdrawn,
    'relaySince', r.relay_since, 'othersWaiting', false);
END $$;

-- A relay chain whose legs were not both accepted within p_wait seconds of its planning (RELAY_WAIT_SECONDS): she is
-- served by one interpreter instead, and never by a chain again for this request. If its source leg accepted (she
-- interprets her language), her call opens with her alone (matching_open); else every offer of the chain goes (an
-- accepted relay leg is released) and the request waits for the best single interpreter (MatchingService
-- dispatches it). Returns null if the request is no such chain, else {opened: matching_open's answer | null,
-- withdrawn: [{id, interpreterId}], callerSub, requestId, languageId}.
-- p_return, p_return_hours: her return code, should the call open (matching_open).
-- Before her way back it had no p_return or p_return_hours.
DROP FUNCTION IF EXISTS matching_relay_unfilled(uuid, double precision);
CREATE OR REPLACE FUNCTION matching_relay_unfilled(p_request uuid, p_wait double precision, p_return varchar, p_return_hours int) RETURNS jsonb
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  r interpretation_requests;
  v_source offers;
  v_opened jsonb;
  v_withdrawn jsonb;
BEGIN
  SELECT * INTO r FROM interpretation_requests WHERE id = p_request FOR UPDATE;
  IF NOT FOUND OR r.state NOT IN ('queued', 'offering') OR r.relay_language_id IS NULL OR r.relay_since > now() - make_interval(secs => p_wait) THEN
    RETURN NULL;
  END IF;
  UPDATE interpretation_requests SET relay_off = true WHERE id = r.id;
  INSERT INTO matching_audit_outbox (type, country, subject_id, data)
  VALUES ('request.relay_unfilled', r.country, r.id, matching_request_facts(r) || jsonb_build_object('relaySince', r.relay_since));
  SELECT * INTO v_source FROM offers WHERE request_id = r.id AND leg = 'source' AND outcome = 'accepted' AND superseded_at IS NULL AND holds IS NOT FALSE;
  IF FOUND THEN
    v_opened := matching_open(r, v_source, NULL, NULL, p_return, p_return_hours);
    RETURN jsonb_build_object('opened', v_opened, 'withdrawn', v_opened->'withdrawn', 'callerSub', r.caller_sub, 'requestId', r.id,
      'languageId', r.language_id);
  END IF;
  -- Nobody of the chain is kept: the pending are withdrawn, an accepted relay leg released (its acceptance superseded).
  v_withdrawn := matching_withdraw(r.id, NULL, true);
  UPDATE interpretation_requests SET relay_language_id = NULL, relay_since = NULL WHERE id = r.id;
  RETURN jsonb_build_object('opened', NULL, 'withdrawn', v_withdrawn, 'callerSub', r.caller_sub, 'requestId', r.id, 'languageId', r.language_id);
END $$;

-- A request ends (p_to) if it is in one of p_from (and, for the wait limit, has waited p_waited_at_least
-- seconds since it last entered the line): its session ends, its pending offers are withdrawn, the
-- caller's token subject is forgotten. Returns null if it did not, else who to tell, and (`servable`) what each
-- interpreter of the call it ended may be offered now (matching_servable, under p_home, p_retry_after and
-- p_open_count), by her id, for those with anything: the node serves her that (MatchingService.finish) without a
-- round trip of its own, which cost the node a socket write and PostgreSQL a statement's start-up once per request
-- (BENCHMARKS.md, "Stop 35"). With wrap-up time after calls (the default) she is not free yet and has none: the end of
-- her wrap-up serves her. Read before this commits: a request whose own dispatch found her still in this call, and
-- that commits after this read, is not in it; the sweep dispatches it (as it did one that committed between this commit
-- and the node's own read, before).
-- Before it answered `servable` it had no p_home, p_retry_after or p_open_count: see its four-argument form below.
CREATE OR REPLACE FUNCTION matching_finish(p_request uuid, p_to text, p_from text[], p_waited_at_least double precision,
  p_home char(2), p_retry_after double precision, p_open_count int)
RETURNS jsonb LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  r interpretation_requests;
  v_waited double precision;
  v_ended uuid;
  v_notice jsonb;
  v_withdrawn jsonb;
  v_servable jsonb := '{}';
BEGIN
  SELECT * INTO r FROM interpretation_requests WHERE id = p_request FOR UPDATE;
  IF NOT FOUND OR NOT (r.state = ANY (p_from)) THEN RETURN NULL; END IF;
  v_waited := extract(epoch FROM now() - r.queued_at);
  IF p_waited_at_least IS NOT NULL AND v_waited < p_waited_at_least THEN RETURN NULL; END IF;
  IF r.state IN ('accepted', 'connected') THEN
    SELECT e.id, e.notice INTO v_ended, v_notice FROM session_end(NULL, r.id, p_to, false) e;
  END IF;
  -- A chain's leg accepted while the other was still ringing is released too (in a call, session_end freed them).
  v_withdrawn := matching_withdraw(r.id, NULL, r.state IN ('queued', 'offering'));
  -- Who she was and whom her code rang are forgotten with the request.
  UPDATE interpretation_requests SET state = p_to, ended_at = now(), caller_sub = NULL, return_to = NULL WHERE id = r.id;
  INSERT INTO matching_audit_outbox (type, country, subject_id, data)
  VALUES ('request.' || p_to, r.country, r.id, matching_request_facts(r) || jsonb_build_object('from', r.state,
    'firstOfferedAt', r.first_offered_at, 'acceptedAt', r.accepted_at, 'waitedSeconds', round(v_waited::numeric, 3), 'sessionId', v_ended));
  IF v_notice IS NOT NULL AND p_open_count IS NOT NULL THEN
    SELECT coalesce(jsonb_object_agg(x.id, x.requests), '{}') INTO v_servable FROM (
      SELECT i.id, ARRAY(SELECT s.request_id FROM matching_servable(i.id::uuid, p_home, p_retry_after, p_open_count) s ORDER BY s.place) AS requests
      FROM jsonb_array_elements_text(v_notice->'interpreterIds') i (id)) x
    WHERE cardinality(x.requests) > 0;
  END IF;
  RETURN jsonb_build_object('requestId', r.id, 'callerSub', r.caller_sub, 'languageId', r.language_id, 'queuedAt', r.queued_at,
    'withdrawn', v_withdrawn, 'endedSession', v_notice, 'servable', v_servable,
    'othersWaiting', EXISTS (SELECT 1 FROM matching_waiting_in(r.language_id) w));
END $$;

-- What a node started before `servable` existed calls (during a rolling upgrade): the same end, answered with an empty
-- `servable` (it asks matching_servable itself). Its own signature, not defaults on the one above: such a node that
-- restarts writes this signature again from its own file, which replaces this form and leaves the one above alone;
-- with defaults, two functions would take four arguments and PostgreSQL could tell neither apart (README, "Upgrading").
CREATE OR REPLACE FUNCTION matching_finish(p_request uuid, p_to text, p_from text[], p_waited_at_least double precision)
RETURNS jsonb LANGUAGE sql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
  SELECT matching_finish(p_request, p_to, p_from, p_waited_at_least, NULL, NULL, NULL)
$$;
