import { pgQuery } from '../lib/cluster';

export interface Check {
  name: string;
  ok: boolean;
  /** What was found (a count, or the verify answer). */
  found: unknown;
  /** Reported, not counted in the verdict (a memory trend over too short a window). */
  informational?: boolean;
}

const countRows = async (db: string, sql: string) => (await pgQuery<{ n: number }>(db, sql))[0].n;

/**
 * The guarantees of the matching issue, read from the database after the run (when nothing is live):
 * every request ended; no interpreter held two offers, or two sessions, at once, nor was offered a call
 * while in one; no request was accepted twice; every session ended.
 */
export async function databaseChecks(db: string, createdByClients: number): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, found: number, ok = found === 0) => checks.push({ name, ok, found });
  // A check whose query fails is a failed check, not a lost run.
  const count = (database: string, sql: string) =>
    countRows(database, sql).catch(
      (e: Error) => (checks.push({ name: `query failed: ${sql.slice(0, 80)}`, ok: false, found: e.message }), NaN),
    );

  add(
    'requests not in a terminal state (completed, cancelled, unmatched, abandoned)',
    await count(
      db,
      `SELECT count(*)::int AS n FROM interpretation_requests WHERE state NOT IN ('completed','cancelled','unmatched','abandoned')`,
    ),
  );
  const stored = await count(db, `SELECT count(*)::int AS n FROM interpretation_requests`);
  checks.push({
    name: 'requests stored = requests the callers were given an id for',
    ok: stored === createdByClients,
    found: { stored, createdByClients },
  });
  add(
    'requests still holding a caller identifier',
    await count(db, `SELECT count(*)::int AS n FROM interpretation_requests WHERE caller_sub IS NOT NULL`),
  );
  // Two rows of one interpreter whose [start, end) intervals meet (an open end counts as still running). An end
  // stamped before its start (see endsBeforeStart) counts as an empty interval.
  const span = (t: string, end: string) => `tstzrange(${t}.created_at, greatest(${t}.created_at, coalesce(${t}.${end}, 'infinity')), '[)')`;
  const overlaps = (table: string, end: string) =>
    count(
      db,
      `SELECT count(*)::int AS n FROM ${table} a JOIN ${table} b ON a.interpreter_id = b.interpreter_id AND a.id < b.id
       WHERE ${span('a', end)} && ${span('b', end)}`,
    );
  add('pairs of offers held by one interpreter at overlapping times', await overlaps('offers', 'decided_at'));
  add('pairs of sessions of one interpreter at overlapping times', await overlaps('sessions', 'ended_at'));
  add(
    'offers made to an interpreter while she was in a session (of another request)',
    await count(
      db,
      `SELECT count(*)::int AS n FROM offers o JOIN sessions s ON s.interpreter_id = o.interpreter_id AND s.request_id IS DISTINCT FROM o.request_id
       WHERE o.created_at > s.created_at AND o.created_at < coalesce(s.ended_at, 'infinity')`,
    ),
  );
  add('offers still pending', await count(db, `SELECT count(*)::int AS n FROM offers WHERE outcome IS NULL`));
  add(
    'requests with more than one standing acceptance',
    await count(
      db,
      `SELECT count(*)::int AS n FROM (SELECT request_id FROM offers WHERE outcome = 'accepted' AND superseded_at IS NULL GROUP BY request_id HAVING count(*) > 1) x`,
    ),
  );
  add(
    'requests with a second session not justified by a lost interpreter or failed media',
    await count(
      db,
      `SELECT count(*)::int AS n FROM sessions a JOIN sessions b ON a.request_id = b.request_id AND a.created_at < b.created_at
       WHERE a.end_reason IS DISTINCT FROM 'interpreter_lost' AND a.end_reason IS DISTINCT FROM 'media_failed'`,
    ),
  );
  add('sessions without an end', await count(db, `SELECT count(*)::int AS n FROM sessions WHERE ended_at IS NULL`));
  add(
    'completed requests without a session',
    await count(
      db,
      `SELECT count(*)::int AS n FROM interpretation_requests r WHERE state = 'completed' AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.request_id = r.id)`,
    ),
  );
  // Not a guarantee of the matching issue, but worth seeing: offers are stamped created with clock_timestamp() and
  // decided with now() (the deciding transaction's start), so one decided by a transaction that began before the
  // offer was made reads as decided before it was created.
  const [odd] = await pgQuery<{ n: number; ms: number }>(
    db,
    `SELECT count(*)::int AS n, coalesce(max(extract(epoch FROM created_at - decided_at) * 1000), 0)::float AS ms FROM offers WHERE decided_at < created_at`,
  );
  const [oddSessions] = await pgQuery<{ n: number }>(db, `SELECT count(*)::int AS n FROM sessions WHERE ended_at < created_at`);
  checks.push({
    name: 'timestamps out of order: offers decided before they were created, sessions ended before they were created (reported, not counted)',
    ok: odd.n === 0 && oddSessions.n === 0,
    informational: true,
    found: { offers: odd.n, offersMaxMs: Math.round(odd.ms * 10) / 10, sessions: oddSessions.n },
  });
  add('audit events not yet moved into the chain (outbox)', await count(db, `SELECT count(*)::int AS n FROM matching_audit_outbox`));
  return checks;
}

/** The audit chain, verified by the application itself (GET /api/v1/audit/verify as a platform admin). */
export async function auditCheck(db: string, url: string, sign: (claims: Record<string, unknown>) => string): Promise<Check> {
  const [admin] = await pgQuery<{ id: string }>(
    db,
    `INSERT INTO users (email, password_hash, role) SELECT 'soak-admin@bench.puente.example', password_hash, 'platform_admin' FROM users LIMIT 1 RETURNING id`,
  );
  const token = sign({ sub: admin.id, role: 'platform_admin', country: null, institution: null, interpreterId: null });
  const res = await fetch(`${url}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json().catch(() => null)) as { ok?: boolean; events?: number } | null;
  return {
    name: 'audit chain verifies (GET /api/v1/audit/verify)',
    ok: res.status === 200 && body?.ok === true && (body.events ?? 0) > 0,
    found: { status: res.status, ...body },
  };
}

/** What the run left in the database: requests by final state, sessions by end reason, offers by outcome. */
export async function outcomes(db: string) {
  const byState = await pgQuery<{ k: string; n: number }>(
    db,
    `SELECT state AS k, count(*)::int AS n FROM interpretation_requests GROUP BY 1 ORDER BY 2 DESC`,
  );
  const byReason = await pgQuery<{ k: string; n: number }>(
    db,
    `SELECT coalesce(end_reason, '-') AS k, count(*)::int AS n FROM sessions GROUP BY 1 ORDER BY 2 DESC`,
  );
  const byOutcome = await pgQuery<{ k: string; n: number }>(
    db,
    `SELECT coalesce(outcome, 'pending') AS k, count(*)::int AS n FROM offers GROUP BY 1 ORDER BY 2 DESC`,
  );
  const [started] = await pgQuery<{ n: number; mean: number }>(
    db,
    `SELECT count(*)::int AS n, coalesce(avg(extract(epoch FROM ended_at - started_at)), 0)::float AS mean FROM sessions WHERE started_at IS NOT NULL`,
  );
  const [audit] = await pgQuery<{ n: number }>(db, `SELECT count(*)::int AS n FROM audit_events`);
  const obj = (rows: { k: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.k, r.n]));
  return {
    requestsByState: obj(byState),
    sessionsByEndReason: obj(byReason),
    offersByOutcome: obj(byOutcome),
    sessionsStarted: started.n,
    meanSessionSeconds: started.mean,
    auditEvents: audit.n,
  };
}
