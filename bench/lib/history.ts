import { Client } from 'pg';
import { PG_BASE } from './cluster';

/** Ids of the history's rows in load order (kind: which table), so the load appends to each index instead of
 * writing all over it; the indexes end up as large as with random ids, which is what the live statements meet. */
const seqUuid = (kind: number, n: string) => `('0000000${kind}-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
const FACTS = `jsonb_build_object('languageId', r.language_id, 'matter', r.matter, 'urgency', r.urgency, 'minor', r.minor, 'requestedAt', r.at, 'queuedAt', r.at)`;

/**
 * A year of history, loaded before measuring (BENCH_HISTORY=n): `n` ended requests spread over the last 360
 * days (inside the default retention, so the purge leaves them), each with the offers, the session and the
 * audit events the live code leaves behind, written into the real tables (every index, check and unique
 * constraint applies) by a few INSERT … SELECT over generate_series, so a million requests load in minutes.
 *
 * Mix: 88% completed (an accepted offer and a session; a quarter after an offer declined by someone else; an
 * emergency also has the two offers withdrawn when the first accepted), 5% cancelled, 4% unmatched, 3%
 * abandoned (half of them after an offer withdrawn or rung out). Audit events as matching writes them: the
 * request created, every offer made and decided, the request's end.
 *
 * Three shortcuts, all outside what matching reads: the history's ids are sequential (seqUuid); the session runs
 * with `session_replication_role = replica` (triggers off: foreign keys are right by construction, the audit head
 * trigger would take 5 million row locks); the history's audit hashes are linked (each row's prev_hash is the hash of the row before, the chain head
 * is moved to the last) but each is a sha256 of its seq and type, not of the application's canonical form, so
 * `GET /audit/verify` would flag them. Events appended after the load extend the chain as usual.
 */
export async function loadHistory(database: string, requests: number, log: (msg: string) => void): Promise<Record<string, number>> {
  const c = new Client({ connectionString: `${PG_BASE}/${database}`, application_name: 'puente-bench' });
  await c.connect();
  const step = async (what: string, sql: string, params: unknown[] = []) => {
    const t0 = Date.now();
    const r = await c.query(sql, params);
    log(`history: ${what}${r.rowCount != null ? ` (${r.rowCount} rows)` : ''} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  try {
    await c.query(`SET session_replication_role = replica`);
    await c.query(`SET work_mem = '256MB'`);
    await c.query('BEGIN');
    // Every (interpreter, language) pair, numbered by language: a pair's neighbours mostly speak the same language.
    await step(
      'pairs',
      `CREATE TEMP TABLE h_pairs ON COMMIT DROP AS
       SELECT row_number() OVER (ORDER BY il.language_id, il.interpreter_id) AS n, il.interpreter_id, il.language_id, i.country
       FROM interpreter_languages il JOIN interpreters i ON i.id = il.interpreter_id WHERE i.status = 'active'`,
    );
    await c.query(`CREATE INDEX ON h_pairs (n)`);
    await c.query(`ANALYZE h_pairs`);
    await step(
      'requests (draws)',
      `CREATE TEMP TABLE h_req ON COMMIT DROP AS
       WITH d AS (
         SELECT g, random() AS ro, random() AS ru, random() AS rx, 1 + floor(random() * (SELECT count(*) FROM h_pairs))::bigint AS k,
           now() - interval '360 days' + interval '359 days' * (g::float8 / $1) AS at
         FROM generate_series(1, $1::int) g
       ), s AS (
         SELECT d.*, p.interpreter_id, p.language_id, p.country,
           (ARRAY['legal_civil','legal_labour','legal_criminal','violence','trafficking'])[1 + (g % 5)] AS matter,
           CASE WHEN d.ru < 0.80 THEN 'normal' WHEN d.ru < 0.95 THEN 'urgent' ELSE 'emergency' END AS urgency,
           CASE WHEN d.ro < 0.88 THEN 'completed' WHEN d.ro < 0.93 THEN 'cancelled' WHEN d.ro < 0.97 THEN 'unmatched' ELSE 'abandoned' END AS state,
           g % 10 = 0 AS minor, g % 5 = 1 AS prefer_female
         FROM d JOIN h_pairs p ON p.n = d.k
       )
       SELECT ${seqUuid(0, 'g')} AS id, s.*,
         at + CASE state WHEN 'completed' THEN interval '12 minutes' WHEN 'cancelled' THEN interval '40 seconds'
           WHEN 'unmatched' THEN interval '15 minutes' ELSE interval '2 minutes' END AS ended_at
       FROM s ORDER BY g`,
      [requests],
    );
    const total = `(SELECT count(*) FROM h_pairs)`;
    await step(
      'interpretation_requests',
      `INSERT INTO interpretation_requests (id, language_id, matter, urgency, minor, prefer_female, country, caller_sub, state, priority, interpreter_id, tier,
         created_at, queued_at, first_offered_at, accepted_at, ended_at)
       SELECT id, language_id, matter, urgency, minor, prefer_female, country, NULL, state,
         CASE urgency WHEN 'normal' THEN 1 WHEN 'urgent' THEN 2 ELSE 3 END,
         CASE WHEN state = 'completed' THEN interpreter_id END, CASE WHEN state = 'completed' THEN 1 + (k % 3) END,
         at, at, CASE WHEN state = 'completed' OR rx < 0.5 THEN at + interval '1 second' END,
         CASE WHEN state = 'completed' THEN at + interval '5 seconds' END, ended_at
       FROM h_req ORDER BY g`,
    );
    // The offers: the accepted one; an emergency's two others withdrawn; a decline before it for a quarter; one
    // withdrawn or rung out for half of those that ended without a call.
    await step(
      'offers (draws)',
      `CREATE TEMP TABLE h_offers ON COMMIT DROP AS
       SELECT ${seqUuid(1, 'row_number() OVER (ORDER BY r.g, o.n)')} AS id, r.g, o.n, r.id AS request_id, p.interpreter_id, 1 + (r.k % 3) AS tier,
         r.at + o.after AS created_at, r.at + o.after + interval '20 seconds' AS expires_at, o.outcome, r.at + o.after + o.took AS decided_at
       FROM h_req r
       CROSS JOIN LATERAL (VALUES
         (0, 'accepted', interval '1 second', interval '4 seconds', r.state = 'completed'),
         (1, 'withdrawn', interval '1 second', interval '4 seconds', r.state = 'completed' AND r.urgency = 'emergency'),
         (2, 'withdrawn', interval '1 second', interval '4 seconds', r.state = 'completed' AND r.urgency = 'emergency'),
         (3, 'declined', interval '0 seconds', interval '1 second', r.state = 'completed' AND r.rx < 0.25),
         (4, CASE WHEN r.state = 'unmatched' THEN 'expired' ELSE 'withdrawn' END, interval '1 second', interval '20 seconds', r.state <> 'completed' AND r.rx < 0.5)
       ) AS o(n, outcome, after, took, made)
       JOIN h_pairs p ON p.n = 1 + (r.k - 1 + o.n) % ${total}
       WHERE o.made`,
    );
    await step(
      'offers',
      `INSERT INTO offers (id, request_id, interpreter_id, tier, created_at, expires_at, outcome, decided_at, holds)
       SELECT id, request_id, interpreter_id, tier, created_at, expires_at, outcome, decided_at, false FROM h_offers ORDER BY g, n`,
    );
    await step(
      'sessions',
      `INSERT INTO sessions (id, request_id, interpreter_id, created_at, started_at, ended_at, end_reason, participant_roles)
       SELECT ${seqUuid(2, 'g')}, id, interpreter_id, at + interval '5 seconds', at + interval '6 seconds', ended_at, 'completed', '{caller,interpreter}'
       FROM h_req WHERE state = 'completed' ORDER BY g`,
    );
    await step(
      'session_interpreters',
      `INSERT INTO session_interpreters (session_id, role, interpreter_id, ended_at)
       SELECT ${seqUuid(2, 'g')}, 'interpreter', interpreter_id, ended_at FROM h_req WHERE state = 'completed' ORDER BY g`,
    );
    await step(
      'interpreters.last_session_ended_at',
      `UPDATE interpreters i SET last_session_ended_at = s.last FROM (SELECT interpreter_id, max(ended_at) AS last FROM sessions GROUP BY interpreter_id) s
       WHERE s.interpreter_id = i.id AND (i.last_session_ended_at IS NULL OR i.last_session_ended_at < s.last)`,
    );
    // Audit events after the chain's current head, request by request: created, each offer made and decided, the end.
    await step(
      'audit_events',
      `WITH head AS (SELECT seq, hash FROM audit_chain_head),
       ev AS (
         SELECT r.g, 0 AS k, r.at AS occurred_at, 'request.created' AS type, NULL::uuid AS actor_id, NULL AS actor_role, r.country, r.id AS subject_id,
           ${FACTS} AS data
         FROM h_req r
         UNION ALL
         SELECT r.g, 1 + o.n, o.created_at, 'offer.created', NULL, NULL, r.country, r.id,
           ${FACTS} || jsonb_build_object('offerId', o.id, 'interpreterId', o.interpreter_id, 'tier', o.tier, 'expiresAt', o.expires_at)
         FROM h_offers o JOIN h_req r ON r.g = o.g
         UNION ALL
         SELECT r.g, 6 + o.n, o.decided_at, 'offer.' || o.outcome, CASE WHEN o.outcome = 'accepted' THEN o.interpreter_id END,
           CASE WHEN o.outcome = 'accepted' THEN 'interpreter' END, r.country, r.id,
           ${FACTS} || jsonb_build_object('offerId', o.id, 'interpreterId', o.interpreter_id, 'tier', o.tier, 'offeredAt', o.created_at)
         FROM h_offers o JOIN h_req r ON r.g = o.g
         UNION ALL
         SELECT r.g, 11, r.ended_at, 'request.' || r.state, NULL, NULL, r.country, r.id,
           ${FACTS} || jsonb_build_object('from', 'offering', 'waitedSeconds', 1)
         FROM h_req r
       ),
       numbered AS (SELECT (SELECT seq FROM head) + row_number() OVER (ORDER BY g, k) AS seq, ev.* FROM ev),
       hashed AS (SELECT n.*, encode(sha256(int8send(n.seq) || convert_to(n.type, 'UTF8')), 'hex') AS hash FROM numbered n)
       INSERT INTO audit_events (seq, id, occurred_at, type, actor_id, actor_role, country, subject_id, data, prev_hash, hash)
       SELECT seq, ${seqUuid(3, 'seq')}, occurred_at, type, actor_id, actor_role, country, subject_id, data || jsonb_build_object('at', occurred_at),
         coalesce(lag(hash) OVER (ORDER BY seq), (SELECT hash FROM head)), hash
       FROM hashed`,
    );
    await step(
      'audit_chain_head',
      `UPDATE audit_chain_head SET (seq, hash) = (SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1)`,
    );
    await c.query('COMMIT');
    await c.query(`SET session_replication_role = origin`);
    // As after a year of autovacuum: visibility map and statistics up to date before the first run.
    await step(
      'vacuum analyze',
      `VACUUM (ANALYZE) interpretation_requests, offers, sessions, session_interpreters, audit_events, interpreters, audit_chain_head`,
    );
    // The load's gigabytes of dirty pages written out now, not by a checkpoint during the first runs: a year of history
    // was written long before in a deployment. Without it the first two runs after the load waited on WAL writes
    // (LWLock:WALWrite, the full-page images after the checkpoint's start) for seconds (BENCHMARKS.md, "Stop 43").
    await step('checkpoint', 'CHECKPOINT');
    const counts = await c.query(
      `SELECT (SELECT count(*) FROM interpretation_requests)::int AS requests, (SELECT count(*) FROM offers)::int AS offers,
         (SELECT count(*) FROM sessions)::int AS sessions, (SELECT count(*) FROM audit_events)::int AS audit_events`,
    );
    return counts.rows[0];
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await c.end();
  }
}
