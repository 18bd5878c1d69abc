/**
 * PostgreSQL's own cost of matching, without nodes, sockets or Redis: one connection runs the statements a call
 * makes (the request inserted, matching_dispatch, matching_accept, matching_finish, the freed interpreter's
 * servableBy) back to back, with the compiled application's own SQL (bench/dist/app, `npm run build` output),
 * and the backend's CPU is read from /proc before and after. CPU per call is the figure: it does not depend on
 * what else the machine runs, where latencies do.
 *
 * Run: `npx tsc -p bench/tsconfig.json && node bench/dist/bench/matching-sql.bench.js` after `npm run build`.
 * Settings (environment): SQLBENCH_DATABASE (a database with a roster; default: a fresh one with a synthetic
 * roster of 10,000 interpreters in 60 languages, dropped at the end), SQLBENCH_CALLS (2000 per run),
 * SQLBENCH_RUNS (3, back to back on the same database), SQLBENCH_APP_DIR (another compiled checkout, for before/after), SQLBENCH_AVAILABLE (0.2: the share of interpreters
 * available), BENCH_HISTORY (0: ended requests to load first, see lib/history.ts), SQLBENCH_EXPLAIN=1 (logs
 * the plans of every statement inside the functions, through auto_explain, for the last 20 calls), SQLBENCH_LINE (0:
 * requests left waiting in the line, in languages nobody available speaks, as an overloaded node leaves them),
 * SQLBENCH_WARMUP (500 calls before the first run), SQLBENCH_ANALYZE=0 (no ANALYZE before each run), SQLBENCH_LOCAL (0: the
 * share of callers in a country where their language is spoken, the others anywhere; the node benchmark's draws: 0.8),
 * SQLBENCH_SQL_B (a folder of other SQL source files, for before and after measured paired: they are written into a
 * schema of their own, sql_b, and a second connection runs them (search_path sql_b, public) on the same tables, the
 * calls alternating between the two backends; each backend's CPU is its own, and whatever the machine does in the
 * meantime falls on both alike; SQLBENCH_EXPLAIN's plans are side A's; the WAL figures are both sides' together),
 * SQLBENCH_WAL_BY_RELATION=1 (each run's WAL records per call by kind and by the table or index they touch, read with
 * pg_waldump: what a call writes, index by index), SQLBENCH_KEEP=1 (the fresh database is kept, not dropped: a template
 * for bench/sql-instructions.sh).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { buildApp } from './lib/app-build';
import { createDatabase, PG_BASE, ROOT } from './lib/cluster';
import { loadHistory } from './lib/history';
import { walByRelation } from './lib/wal-by-relation';
import { median, seeded } from './lib/stats';

/** SQLBENCH_SQL_B's source files in name order (as the application applies its own). */
function sqlFilesOf(dir: string): string[] {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sql')) : [];
  if (!files.length) throw new Error(`SQLBENCH_SQL_B: no .sql files in ${dir}`);
  return files.sort().map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** The measured application's own SQL sources, found as its migrate finds them (the build's, else its checkout's). */
function appSqlFiles(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { sqlSources } = require(join(APP, 'src', 'database', 'sql-sources.js'));
  return (sqlSources() as { sql: string }[]).map((x) => x.sql);
}

/**
 * A second backend on the same database that runs SQLBENCH_SQL_B's sources, written into the schema sql_b (search_path
 * sql_b, public: its functions first, the tables public's). Their DROP lines may find the application's functions in
 * public and drop them, so the application's sources are written again after them, in the same transaction (all or
 * nothing). Any of public's functions with no twin in sql_b would run for side B too: they are named in the log.
 */
async function sqlBConnection(url: string, dir: string) {
  const b = new Client({ connectionString: url, application_name: 'puente-b' });
  await b.connect();
  b.on('error', () => undefined);
  await b.query('SET search_path = sql_b, public');
  await b.query('BEGIN');
  try {
    await b.query('DROP SCHEMA IF EXISTS sql_b CASCADE');
    await b.query('CREATE SCHEMA sql_b');
    for (const sql of sqlFilesOf(dir)) await b.query(sql);
    await b.query('SET LOCAL search_path = public');
    for (const sql of appSqlFiles()) await b.query(sql);
    await b.query('COMMIT');
  } catch (e) {
    await b.query('ROLLBACK');
    await b.end();
    throw e;
  }
  const { rows: missing } = await b.query(
    `SELECT p.oid::regprocedure::text AS f FROM pg_proc p
     WHERE p.pronamespace = 'public'::regnamespace AND p.proname ~ '^(matching_|ladder_|session_end)'
       AND NOT EXISTS (SELECT 1 FROM pg_proc q WHERE q.pronamespace = 'sql_b'::regnamespace AND q.proname = p.proname
                         AND q.proargtypes = p.proargtypes)`,
  );
  if (missing.length) log(`side B runs public's (side A's) ${missing.map((x) => x.f).join(', ')}: no twin in SQLBENCH_SQL_B`);
  const m = { query: async (sql: unknown, params?: unknown[]) => (await b.query(sql as string, params)).rows };
  const [{ pid }] = await m.query('SELECT pg_backend_pid() AS pid');
  return { name: 'B', m, pid: pid as number, end: () => b.end() };
}

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);
const settings = {
  calls: num('SQLBENCH_CALLS', 2000),
  runs: num('SQLBENCH_RUNS', 3),
  available: num('SQLBENCH_AVAILABLE', 0.2),
  history: num('BENCH_HISTORY', 0),
  line: num('SQLBENCH_LINE', 0),
  /** The share of callers in a country where their language is spoken (the rest anywhere), as the node benchmark draws them. */
  local: num('SQLBENCH_LOCAL', 0),
  explain: process.env.SQLBENCH_EXPLAIN === '1',
  warmup: num('SQLBENCH_WARMUP', 500),
  /** 0: never analyse, as a node on a server without autovacuum (this machine's PostgreSQL runs with it off). */
  analyze: process.env.SQLBENCH_ANALYZE !== '0',
  sqlB: process.env.SQLBENCH_SQL_B,
  walByRelation: process.env.SQLBENCH_WAL_BY_RELATION === '1',
  keep: process.env.SQLBENCH_KEEP === '1',
};
const log = (msg: string) => console.log(`[sqlbench] ${new Date().toISOString().slice(11, 19)} ${msg}`);
/** CPU time a process has run, in ms, from the scheduler's own nanosecond count (/proc/<pid>/schedstat). */
function cpuMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

/** Who is available as presence hands it to matching (none of them on call). */
const reachable = (ids: string[]) => ({ ids, onCall: [] as string[] });

type Dispatched = { offers: { id: string; interpreterId: string }[] } | null;

/** The compiled application's matching SQL (the same text the nodes prepare). */
function appSql() {
  const dir = join(APP, 'src');
  type Sql = {
    dispatchOnce: (m: unknown, q: unknown, rules: unknown) => Promise<Dispatched>;
    servableBy: (m: unknown, interpreterId: string, rules: unknown) => Promise<string[]>;
    accept: (m: unknown, offerId: string, interpreterId: string) => Promise<unknown>;
    /** The request's end; `servesFreed`: since matching_finish answers what the interpreters it frees may be offered. */
    finish: (m: unknown, requestId: string, to: string, from: string[], rules: unknown) => Promise<unknown>;
    servesFreed: boolean;
    /** Since matching_create: the request and its first dispatch in one call. */
    createRequest?: (m: unknown, r: unknown, q: unknown, rules: unknown) => Promise<{ id: string; dispatched: Dispatched }>;
  };
  // Before matching_finish answered what the interpreters it frees may be offered.
  const finishAlone = (m: unknown, requestId: string, to: string, from: string[]) =>
    (m as { query: (q: string, p: unknown[]) => Promise<unknown> }).query(`SELECT matching_finish($1, $2, $3::text[], NULL) AS f`, [
      requestId,
      to,
      from,
    ]);
  // Checkouts before the repositories (SQLBENCH_APP_DIR) have the two as functions in candidate-finder.js.
  if (existsSync(join(dir, 'matching', 'candidate-finder.js')))
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { ...require(join(dir, 'matching', 'candidate-finder.js')), finish: finishAlone, servesFreed: false } as Sql;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MatchingRepository } = require(join(dir, 'matching', 'matching.repository.js'));
  // Since matching_finish answers `servable`, the repository's finish takes the ladder's rules.
  const servesFreed = MatchingRepository.prototype.finish.length >= 5;
  const sql: Sql = {
    dispatchOnce: (m, q, rules) => new MatchingRepository(m).dispatch(q, rules),
    servableBy: (m, interpreterId, rules) => new MatchingRepository(m).servableBy(interpreterId, rules),
    // Since return codes (issue 16): the code's hash and lifetime go with the acceptance.
    accept: (m, offerId, interpreterId) =>
      MatchingRepository.prototype.accept.length >= 3
        ? new MatchingRepository(m).accept(offerId, interpreterId, { digits: '', hash: randomUUID(), hours: 24 })
        : (m as { query: (q: string, p: unknown[]) => Promise<unknown> }).query(`SELECT matching_accept($1, $2) AS a`, [
            offerId,
            interpreterId,
          ]),
    finish: (m, requestId, to, from, rules) =>
      servesFreed ? new MatchingRepository(m).finish(requestId, to, from, null, rules) : finishAlone(m, requestId, to, from),
    servesFreed,
    createRequest: MatchingRepository.prototype.ladderLanguages
      ? (m, r, q, rules) => new MatchingRepository(m).createRequest(r, q, rules)
      : undefined,
  };
  return sql;
}

/** The compiled application measured: this checkout's (bench/dist/app), or SQLBENCH_APP_DIR (another checkout's, for before/after). */
const APP = process.env.SQLBENCH_APP_DIR ?? join(ROOT, 'bench', 'dist', 'app');
const SYNTHETIC_ROSTER = readFileSync(join(ROOT, 'bench', 'lib', 'synthetic-roster.sql'), 'utf8');

async function main() {
  if (!process.env.SQLBENCH_APP_DIR) buildApp(process.env.BENCH_SKIP_BUILD === '1', log);
  let database = process.env.SQLBENCH_DATABASE;
  let drop: (() => Promise<void>) | undefined;
  if (!database) {
    const db = await createDatabase();
    database = db.name;
    if (!settings.keep) drop = db.drop;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { migrate } = require(join(APP, 'src', 'cli.js'));
    await migrate({ DATABASE_URL: `${PG_BASE}/${database}` });
    const c = new Client({ connectionString: `${PG_BASE}/${database}` });
    await c.connect();
    // The database is dropped WITH (FORCE) at the end, whatever happened: that must not hide what did.
    c.on('error', () => undefined);
    await c.query(SYNTHETIC_ROSTER);
    // The whole catalogue, as every node loads it at start-up: the ladder's lookups in it are measured at its real size.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { LanguagesCatalogueLoader } = require(join(APP, 'src', 'languages', 'languages-catalogue.loader.js'));
    await new LanguagesCatalogueLoader({ query: (q: string, p?: unknown[]) => c.query(q, p).then((r) => r.rows) }).onModuleInit();
    // Every interpreter interprets into Spanish and English (so that she covers the other side's language wherever the
    // call is: the whole-call path, not a relay chain), as the node benchmark's roster does.
    await c.query(`INSERT INTO interpreter_relay_languages (interpreter_id, language_id, level)
      SELECT i.id, l.id, 5 FROM interpreters i CROSS JOIN languages l WHERE l.iso6393 IN ('spa', 'eng') AND l.variant IS NULL`);
    await c.query('ANALYZE');
    await c.end();
    log(`fresh database ${database} with the synthetic roster and the language catalogue${settings.keep ? ' (kept)' : ''}`);
  }
  try {
    if (settings.history) log(`history loaded: ${JSON.stringify(await loadHistory(database, settings.history, log))}`);
    const { dispatchOnce, servableBy, createRequest, accept, finish, servesFreed } = appSql();
    const c = new Client({ connectionString: `${PG_BASE}/${database}`, application_name: 'puente' });
    await c.connect();
    // The database is dropped WITH (FORCE) at the end, whatever happened: that must not hide what did.
    c.on('error', () => undefined);
    const m = { query: async (sql: unknown, params?: unknown[]) => (await c.query(sql as string, params)).rows };
    const [{ pid }] = await m.query('SELECT pg_backend_pid() AS pid');
    /** A backend that runs calls: the application's SQL (A), or SQLBENCH_SQL_B's (B, paired). */
    type Conn = { name: string; m: typeof m; pid: number; end?: () => Promise<void> };
    const conns: Conn[] = [{ name: 'A', m, pid }];
    if (settings.sqlB) conns.push(await sqlBConnection(`${PG_BASE}/${database}`, settings.sqlB));
    // The whole server's WAL, both sides together when paired: bytes from the insert position (exact), records from
    // pg_stat_wal once every backend of the benchmark has flushed its counts (PostgreSQL 15 sends them when idle, at
    // most once a second, unless asked).
    const walCounts = async () => {
      for (const x of conns) await x.m.query('SELECT pg_stat_force_next_flush()');
      const [w] = await m.query(
        `SELECT wal_records::float8 AS records, pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::float8 AS bytes,
           pg_current_wal_insert_lsn()::text AS lsn FROM pg_stat_wal`,
      );
      return w as { records: number; bytes: number; lsn: string };
    };
    const rng = seeded(11);
    // Presence as Redis holds it: per language, the available interpreters who speak it.
    const pairs: { interpreter_id: string; language_id: string }[] = await m.query(
      `SELECT il.interpreter_id, il.language_id FROM interpreter_languages il JOIN interpreters i ON i.id = il.interpreter_id WHERE i.status = 'active'`,
    );
    const chosen = new Set<string>();
    const everyone = [...new Set(pairs.map((p) => p.interpreter_id))];
    for (const id of everyone) if (rng.next() < settings.available) chosen.add(id);
    const availableFor = new Map<string, string[]>();
    for (const p of pairs)
      if (chosen.has(p.interpreter_id)) availableFor.set(p.language_id, [...(availableFor.get(p.language_id) ?? []), p.interpreter_id]);
    const languages = [...availableFor.keys()];
    const links: { a: string; b: string }[] = await m.query(`SELECT from_language_id AS a, to_language_id AS b FROM language_links`);
    const near = (l: string) => [l, ...links.filter((x) => x.a === l).map((x) => x.b), ...links.filter((x) => x.b === l).map((x) => x.a)];
    const countries = ['BZ', 'CA', 'CR', 'DO', 'SV', 'GT', 'HN', 'MX', 'NI', 'PA', 'US'];
    const spokenIn = new Map<string, string[]>(
      (await m.query(`SELECT id, countries FROM languages WHERE id = ANY ($1::uuid[])`, [languages])).map(
        (l: { id: string; countries: string[] }) => [l.id, l.countries],
      ),
    );
    const matters = ['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking'];
    const rules = { homeCountry: null, retryAfterSeconds: 300 };
    log(`${chosen.size} of ${everyone.length} interpreters available, ${languages.length} languages; backend ${pid}`);

    // Wall time and backend CPU per statement.
    const timed = new Map<string, number[]>();
    const cpuOf = new Map<string, number>();
    const time = async <T>(conn: Conn, step: string, f: () => Promise<T>): Promise<T> => {
      const what = conns.length > 1 ? `${conn.name}: ${step}` : step;
      const t0 = process.hrtime.bigint();
      const c0 = cpuMs(conn.pid);
      try {
        return await f();
      } finally {
        const list = timed.get(what) ?? [];
        list.push(Number(process.hrtime.bigint() - t0) / 1e6);
        timed.set(what, list);
        cpuOf.set(what, (cpuOf.get(what) ?? 0) + cpuMs(conn.pid) - c0);
      }
    };

    const call = async (conn: Conn = conns[0]) => {
      const m = conn.m;
      const language = rng.pick(languages);
      const u = rng.next();
      const urgency = u < 0.8 ? 'normal' : u < 0.95 ? 'urgent' : 'emergency';
      const available = [...new Set(near(language).flatMap((l) => availableFor.get(l) ?? []))];
      const spoken = spokenIn.get(language) ?? [];
      const draw = {
        languageId: language,
        matter: rng.pick(matters),
        urgency,
        minor: rng.next() < 0.1,
        preferFemale: rng.next() < 0.2,
        country: spoken.length && settings.local > 0 && rng.next() < settings.local ? rng.pick(spoken) : rng.pick(countries),
        priority: urgency === 'normal' ? 1 : urgency === 'urgent' ? 2 : 3,
      };
      let r: { id: string };
      let d: Dispatched;
      if (createRequest) {
        const c = await time(conn, 'matching_create (insert + dispatch)', () =>
          createRequest(
            m,
            { targetLanguageId: null, officialId: null, notFromCountry: false, returnCodeHash: null, ...draw, callerSub: randomUUID() },
            { available: reachable(available), ringSeconds: 300, ringOnCallSeconds: 300 },
            rules,
          ),
        );
        r = c;
        d = c.dispatched;
      } else {
        [r] = await time(conn, 'insert', () =>
          m.query(
            `WITH r AS (INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, caller_sub, priority)
             VALUES ($1, $2, $3, $4, $5, $6, gen_random_uuid(), $7) RETURNING *),
           ev AS (INSERT INTO matching_audit_outbox (type, country, subject_id, data) SELECT 'request.created', r.country, r.id, matching_request_facts(r::interpretation_requests) FROM r)
           SELECT id FROM r`,
            [draw.languageId, draw.matter, draw.urgency, draw.minor, draw.preferFemale, draw.country, draw.priority],
          ),
        );
        d = await time(conn, 'matching_dispatch', () =>
          dispatchOnce(
            m,
            { requestId: r.id, available: reachable(available), relay: null, ringSeconds: 300, ringOnCallSeconds: 300 },
            rules,
          ),
        );
      }
      const freed: string[] = [];
      if (d?.offers.length) {
        const [winner, ...others] = d.offers as { id: string; interpreterId: string }[];
        await time(conn, 'matching_accept', () => accept(m, winner.id, winner.interpreterId));
        freed.push(...others.map((o) => o.interpreterId));
        await time(conn, 'matching_finish', () => finish(m, r.id, 'completed', ['accepted', 'connected'], rules));
        // Told what she may be offered by the end of her call, or asked after it.
        if (!servesFreed) freed.push(winner.interpreterId);
      } else {
        await time(conn, 'matching_finish', () => finish(m, r.id, 'cancelled', ['queued', 'offering'], rules));
      }
      for (const i of freed) await time(conn, 'servableBy', () => servableBy(m, i, rules));
    };

    if (settings.line) {
      const [{ n }] = await m
        .query(
          `WITH nobody AS (
           INSERT INTO languages (iso6393, name, search_text) SELECT 'qz' || chr(97 + k), 'Nobody ' || k, 'nobody ' || k FROM generate_series(0, 4) k RETURNING id
         )
         INSERT INTO interpretation_requests (language_id, matter, urgency, minor, prefer_female, country, caller_sub, priority, queued_at)
         SELECT (SELECT id FROM nobody OFFSET g % (SELECT count(*) FROM nobody) LIMIT 1), 'violence', 'normal', false, false, 'GT', gen_random_uuid(), 1, now() - interval '1 minute'
         FROM generate_series(1, $1::int) g RETURNING 1`,
          [settings.line],
        )
        .then((r) => [{ n: r.length }]);
      log(`${n} requests waiting in the line`);
    }
    // As a deployment that has run for a while: its tables analysed (autovacuum does it after 2,000 changes,
    // migration 1765310000000, but not within a run this short), so the plans cached by the first calls against
    // empty tables are made again for tables of this size.
    // (And before every run: autovacuum keeps them so in steady state.)
    for (let i = 0; i < settings.warmup; i++) await call(conns[i % conns.length]);
    const results: { calls: number; cpuMsPerCall: number; wallMsPerCall: number; b?: { cpuMsPerCall: number } }[] = [];
    for (let run = 0; run < settings.runs; run++) {
      // The events of the calls before (the warm-up's, the last run's) are not this run's: out before it starts, so that a
      // run of 0 calls and one of n delete the same (bench/sql-instructions.sh subtracts one from the other).
      await m.query(`DELETE FROM matching_audit_outbox`);
      if (settings.analyze) await m.query('ANALYZE');
      timed.clear();
      cpuOf.clear();
      const wal0 = await walCounts();
      const cpu0 = conns.map((x) => cpuMs(x.pid));
      const t0 = Date.now();
      for (let i = 0; i < settings.calls; i++) await call(conns[i % conns.length]);
      // Each side's calls (A has the odd one of an odd count) and its backend's CPU per call.
      const callsOf = conns.map((_, k) => Math.ceil((settings.calls - k) / conns.length));
      const [cpu, cpuB] = conns.map((x, k) => ((cpuMs(x.pid) - cpu0[k]) / callsOf[k]) * settings.calls);
      const wall = Date.now() - t0;
      const wal1 = await walCounts();
      results.push({
        calls: settings.calls,
        cpuMsPerCall: cpu / settings.calls,
        wallMsPerCall: wall / settings.calls,
        ...(cpuB === undefined ? {} : { b: { cpuMsPerCall: cpuB / settings.calls } }),
      });
      if (cpuB !== undefined)
        log(
          `run ${run + 1}, paired: PostgreSQL backend CPU per call A ${(cpu / settings.calls).toFixed(3)} ms, B ${(cpuB / settings.calls).toFixed(3)} ms (B/A ${(cpuB / cpu).toFixed(3)}; ${callsOf.join(' and ')} calls)`,
        );
      const per = [...timed].map(([k, v]) => {
        const n = conns.length > 1 ? callsOf[k.startsWith('B: ') ? 1 : 0] : settings.calls;
        return `${k}: CPU ${((cpuOf.get(k) ?? 0) / n).toFixed(3)} ms/call, wall ${(v.reduce((x, y) => x + y, 0) / n).toFixed(3)} ms/call (p50 ${median(v).toFixed(3)}, n ${v.length})`;
      });
      const side = conns.length > 1 ? ' (side A; wall and WAL both sides together)' : '';
      log(
        `run ${run + 1}: ${settings.calls} calls, PostgreSQL backend CPU ${(cpu / settings.calls).toFixed(3)} ms per call${side}, wall ${(wall / settings.calls).toFixed(2)} ms per call, WAL ${((wal1.records - wal0.records) / settings.calls).toFixed(1)} records and ${((wal1.bytes - wal0.bytes) / settings.calls).toFixed(0)} bytes per call (the server's, over the run)\n  ${per.join('\n  ')}`,
      );
      if (settings.walByRelation) {
        const kinds = await walByRelation(m, wal0.lsn, wal1.lsn);
        log(
          `run ${run + 1}: WAL records per call by kind and relation (pg_waldump; the 50 most frequent)\n  ${kinds
            .slice(0, 50)
            .map((k) => `${(k.n / settings.calls).toFixed(2)}  ${k.kind}${k.relation ? ` ${k.relation}` : ''}`)
            .join('\n  ')}\n  ${(kinds.slice(50).reduce((x, k) => x + k.n, 0) / settings.calls).toFixed(2)}  (all others)`,
        );
      }
    }
    if (settings.explain) {
      // auto_explain's plans of every statement inside the functions, sent to this client as notices.
      const plans: string[] = [];
      c.on('notice', (n) => plans.push(n.message ?? ''));
      await m.query(`LOAD 'auto_explain'`);
      for (const set of [
        'log_min_duration = 0',
        'log_nested_statements = on',
        'log_analyze = on',
        'log_buffers = on',
        "log_level = 'notice'",
      ]) {
        await m.query(`SET auto_explain.${set}`);
      }
      for (let i = 0; i < 20; i++) await call();
      const file = join(ROOT, 'bench', 'results', `matching-sql-plans${process.env.BENCH_LABEL ? `-${process.env.BENCH_LABEL}` : ''}.txt`);
      writeFileSync(file, plans.join('\n\n'));
      log(`${plans.length} plans written to ${file}`);
    }
    for (const x of conns.slice(1)) await x.end?.();
    // (Left behind if the benchmark failed before this: the next paired run drops it first.)
    if (conns.length > 1) await m.query('DROP SCHEMA sql_b CASCADE');
    await c.end();
    console.log(JSON.stringify({ settings, results }));
  } finally {
    await drop?.();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
