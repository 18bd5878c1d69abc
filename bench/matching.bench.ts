/**
 * Matching benchmark (issue 3). Builds the application into bench/dist/app, starts one or two nodes from
 * that build as separate processes on a fresh database and Redis prefix, imports a 10,000-interpreter
 * roster through the import API, connects 2,000 interpreter consoles and sets them available, then drives
 * callers at a steady rate (open loop) and measures, per caller:
 *   request→offer   `request:create` emitted by the caller → `offer:new` received by the interpreter
 *   accept→session  `offer:accept` emitted by the interpreter → the session id received by the caller
 * with CPU and memory of each node from /proc, and the floor: a bare socket.io round trip around one
 * PostgreSQL transaction (BEGIN; SELECT … FOR UPDATE; INSERT; COMMIT) on the same machine.
 *
 * Run: `npx tsc -p bench/tsconfig.json && node bench/dist/bench/matching.bench.js` (needs PostgreSQL and Redis
 * on 127.0.0.1 and the mediasoup worker, as the tests do). Everything it starts listens on loopback and is
 * stopped at the end; every loop is bounded. Settings (environment):
 *   BENCH_SECONDS (60)  BENCH_RUNS (3)  BENCH_RATES (50,100,200)  BENCH_NODES (1,2)  BENCH_WARMUP_SECONDS (5)
 *   BENCH_INTERPRETERS (10000)  BENCH_AVAILABLE (2000)  BENCH_VARIANTS (60)  BENCH_FLOOR (1)  BENCH_FLOOR_RATES (= rates)
 *   BENCH_MAX_MINUTES (90: no new run starts after that)  BENCH_SKIP_BUILD (0)
 *   BENCH_EXPERIMENT=unchained-audit (a what-if build, see lib/experiment.ts)  BENCH_NODE_ARGS (node flags for the nodes)
 *   BENCH_HISTORY (0: ended requests, with their offers, sessions and audit events over the last 12 months, loaded
 *     before the first run; see lib/history.ts)
 *   BENCH_RELAY_SHARE (0.2: the share of calls into English, which none of the variants' interpreters covers, each
 *     served by a relay chain of a variant–Spanish and a Spanish–English interpreter; 0: no targets sent, as before)
 *   BENCH_RELAY_INTERPRETERS (5 % of BENCH_INTERPRETERS when the share is above 0: the Spanish–English interpreters)
 *   BENCH_ANSWER_MS (0: how long each console lets an offer ring before accepting it; with 2000 at 100/s, a few
 *     hundred offers ring at once, as when real interpreters take a moment to answer)
 *   BENCH_CALL_MS (0: how long each call lasts, both sides staying in it; with 3000 at 100/s, about 300 calls are live
 *     at once, each holding an interpreter)
 *   BENCH_LABEL (a suffix for the results files)  BENCH_DATABASE_BASE_URL (postgres://postgres@127.0.0.1:5432)
 * Figures are written to bench/results/matching.json and bench/results/matching.md (matching-<experiment>-<label>.*).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp, machine } from './lib/app-build';
import { EXPERIMENT, PG_BASE, pgQuery, ROOT } from './lib/cluster';
import { startDeployment } from './lib/deployment';
import { prepareExperiment } from './lib/experiment';
import { FloorLatencies, measureFloor, startFloor } from './lib/floor';
import { loadHistory } from './lib/history';
import {
  backendPids,
  DbObservation,
  drive,
  eventLoopLag,
  histogram,
  HistogramReading,
  histogramWindow,
  observeDb,
  redisCommands,
  RunLatencies,
  RunRecorder,
  SLOW_MS,
  scrape,
} from './lib/load';
import { childPids, type GroupUsage, pidsNamed, ProcSampler, Usage } from './lib/proc';
import { callerDraws } from './lib/roster';
import { median } from './lib/stats';

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);
const list = (name: string, dflt: number[]) =>
  process.env[name]
    ? process.env[name]!.split(',')
        .map(Number)
        .filter((n) => n > 0)
    : dflt;

const settings = {
  seconds: num('BENCH_SECONDS', 60),
  runs: num('BENCH_RUNS', 3),
  rates: list('BENCH_RATES', [50, 100, 200]),
  nodes: list('BENCH_NODES', [1, 2]),
  warmup: num('BENCH_WARMUP_SECONDS', 5),
  interpreters: num('BENCH_INTERPRETERS', 10_000),
  available: num('BENCH_AVAILABLE', 2000),
  variants: num('BENCH_VARIANTS', 60),
  floor: process.env.BENCH_FLOOR !== '0',
  floorRates: list('BENCH_FLOOR_RATES', list('BENCH_RATES', [50, 100, 200])),
  maxMinutes: num('BENCH_MAX_MINUTES', 90),
  /** A configuration whose first run is saturated (request→offer p99 above this) is not repeated. */
  saturatedMs: num('BENCH_SATURATED_MS', 5000),
  skipBuild: process.env.BENCH_SKIP_BUILD === '1',
  history: num('BENCH_HISTORY', 0),
  answerMs: num('BENCH_ANSWER_MS', 0),
  callMs: num('BENCH_CALL_MS', 0),
  relayShare: num('BENCH_RELAY_SHARE', 0.2),
  relayInterpreters:
    num('BENCH_RELAY_SHARE', 0.2) > 0 ? num('BENCH_RELAY_INTERPRETERS', Math.round(num('BENCH_INTERPRETERS', 10_000) * 0.05)) : 0,
  database: PG_BASE.includes('%2F') ? 'unix socket' : 'tcp',
};
const deadline = Date.now() + settings.maxMinutes * 60_000;
const log = (msg: string) => console.log(`[bench] ${new Date().toISOString().slice(11, 19)} ${msg}`);

interface RunResult {
  latencies: RunLatencies;
  usage: Usage;
  db: DbObservation;
  eventLoopP99Ms: number[];
  eventLoopMaxMs?: number[];
  /**
   * The benchmark client's own event-loop delay while it sent the run's callers: a latency it measures includes
   * this, for an offer that arrived while its loop was busy.
   */
  clientLoop: { p99Ms: number; maxMs: number };
  /** The nodes' own dispatch histogram (puente_dispatch_seconds) over the run: mean and an upper bound of the p99. */
  dispatch: { n: number; meanMs: number; p99BoundMs: number };
  /** Requests still live 90 s after the run (an overloaded run leaves a backlog that the next would inherit). */
  leftover: number;
  /** Commands Redis ran from the run's start until its last caller was done (redisCommands). */
  redisCommands?: number;
}

interface ConfigResult {
  nodes: number;
  rate: number;
  runs: RunResult[];
  skipped?: string;
}

interface FloorResult {
  rate: number;
  runs: { latencies: FloorLatencies; usage: Usage }[];
}

/** Waits (at most 90 s) until no request is live, so that a run does not inherit the previous one's backlog. */
async function quiesce(db: string): Promise<number> {
  let live = 0;
  for (let i = 0; i < 180; i++) {
    [{ live }] = await pgQuery<{ live: number }>(
      db,
      `SELECT count(*)::int AS live FROM interpretation_requests WHERE state IN ('queued','offering','accepted','connected')`,
    );
    if (!live) return 0;
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`${live} request(s) still live 90 s after the run`);
  return live;
}

let saveProgress = () => '';

/** What to close if the benchmark is interrupted (its own nodes, database and Redis keys). */
const closing = new Set<() => Promise<void>>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void Promise.allSettled([...closing].map((c) => c())).finally(() => process.exit(130));
  });
}

async function benchDeployment(nodes: number, results: ConfigResult[]) {
  log(`starting a deployment of ${nodes} node(s)`);
  const dep = await startDeployment({
    nodes,
    interpreters: settings.interpreters,
    available: settings.available,
    variants: settings.variants,
    relayInterpreters: settings.relayInterpreters,
    answerMs: settings.answerMs,
    callMs: settings.callMs,
  });
  closing.add(dep.close);
  if (settings.history) log(`history loaded: ${JSON.stringify(await loadHistory(dep.db, settings.history, log))}`);
  const scrapeAll = () => Promise.all(dep.nodes.map((n) => scrape(n.url, dep.metricsToken).catch(() => '')));
  let pgPids: number[] = [];
  const refresh = async () => (pgPids = await backendPids(dep.db).catch(() => pgPids));
  const refresher = setInterval(() => void refresh(), 1000);
  try {
    await refresh();
    const groups: Record<string, () => number[]> = {};
    dep.nodes.forEach((n, i) => (groups[`node${i + 1}`] = () => [n.pid, ...childPids(n.pid)]));
    groups.postgres = () => pgPids;
    groups.redis = () => pidsNamed('redis-server');
    groups.client = () => [process.pid];
    const draw = callerDraws(
      dep.variants,
      1000 + nodes,
      settings.relayShare > 0 ? { share: settings.relayShare, ...dep.relayLanguages } : undefined,
    );
    let collapsed = 0;
    for (const rate of settings.rates) {
      const result: ConfigResult = { nodes, rate, runs: [] };
      results.push(result);
      if (Date.now() > deadline) break;
      // Past collapse a higher rate only measures timeouts, and the backlog would spill into it anyway.
      if (collapsed) {
        result.skipped = `not run: fewer than half the callers were served at ${collapsed}/s`;
        log(`${nodes} node(s), ${rate}/s: ${result.skipped}`);
        continue;
      }
      if (settings.warmup > 0) {
        log(`${nodes} node(s), ${rate}/s: warm-up ${settings.warmup} s`);
        await drive(dep, rate, settings.warmup, draw, new RunRecorder());
      }
      for (let run = 0; run < settings.runs && Date.now() < deadline; run++) {
        const rec = new RunRecorder();
        const sampler = new ProcSampler(groups);
        const db = await observeDb(dep.db);
        const redisBefore = await redisCommands();
        const dispatchBefore = (await scrapeAll()).map((t) => histogram(t, 'puente_dispatch_seconds'));
        // Its readings include the 10-ms sampling interval itself: the lag is what exceeds it.
        const clientLoop = monitorEventLoopDelay({ resolution: 10 });
        const lagMs = (ns: number) => Math.max(0, ns / 1e6 - 10);
        clientLoop.enable();
        sampler.start();
        let usage!: Usage;
        let dbObs!: Promise<DbObservation>;
        let texts!: Promise<string[]>;
        await drive(dep, rate, settings.seconds, draw, rec, () => {
          usage = sampler.stop();
          clientLoop.disable();
          dbObs = db.stop();
          texts = scrapeAll();
        });
        const redisRun = (await redisCommands()) - redisBefore;
        const after = await texts;
        const dispatchAfter: HistogramReading[] = after.map((t) => histogram(t, 'puente_dispatch_seconds'));
        const r: RunResult = {
          latencies: rec.summary(),
          usage,
          db: await dbObs,
          eventLoopP99Ms: after.map((t) => eventLoopLag(t)),
          eventLoopMaxMs: after.map((t) => eventLoopLag(t, 'max')),
          clientLoop: { p99Ms: lagMs(clientLoop.percentile(99)), maxMs: lagMs(clientLoop.max) },
          dispatch: histogramWindow(dispatchBefore, dispatchAfter),
          leftover: await quiesce(dep.db),
          redisCommands: redisRun,
        };
        result.runs.push(r);
        saveProgress();
        const l = r.latencies;
        log(
          `${nodes} node(s), ${rate}/s, run ${run + 1}: audit backlog max ${r.db.auditBacklogMax}, at end ${r.db.auditBacklogAtEnd}; PostgreSQL backends opened ${r.db.backendsOpened}; client event loop delay p99 ${r.clientLoop.p99Ms.toFixed(1)} max ${r.clientLoop.maxMs.toFixed(1)} ms; nodes' event loop max ${r.eventLoopMaxMs?.map((x) => x.toFixed(0)).join(', ')} ms; ${l.created}/${l.started} requests, request→offer p50 ${l.requestToOffer.p50.toFixed(1)} p95 ${l.requestToOffer.p95.toFixed(1)} p99 ${l.requestToOffer.p99.toFixed(1)} ms; ${l.requestToBothOffers.n} relay chains, request→both offers p50 ${l.requestToBothOffers.p50.toFixed(1)} p95 ${l.requestToBothOffers.p95.toFixed(1)} p99 ${l.requestToBothOffers.p99.toFixed(1)} ms; accept→session p99 ${l.acceptToSession.p99.toFixed(1)} ms; over ${SLOW_MS} ms: ${l.slow?.n} in ${l.slow?.seconds} seconds, most in seconds ${JSON.stringify(l.slow?.worst)}; dispatch mean ${r.dispatch.meanMs.toFixed(2)} ms, p99 ≤ ${r.dispatch.p99BoundMs} ms; PostgreSQL CPU ${pgMsPerRequest(r, rate).toFixed(2)} ms per request; node CPU ${nodeMsPerRequest(r, rate).toFixed(2)} ms per request; Redis commands ${redisPerRequest(r).toFixed(1)} per request; CPU ${Object.entries(
            usage.groups,
          )
            .map(([g, u]) => `${g} ${u.cpuPct.toFixed(0)}% (waiting for a core ${u.runQueueWaitPct?.toFixed(0) ?? '—'}%)`)
            .join(' ')}; machine ${usage.machineBusyPct.toFixed(0)}%; failures ${JSON.stringify(l.failures)}`,
        );
        if (l.requestToSession.n < l.started / 2) collapsed = rate;
        if (run === 0 && !(l.requestToOffer.p99 < settings.saturatedMs)) {
          log(`  saturated (p99 ${l.requestToOffer.p99.toFixed(0)} ms): not repeating this configuration`);
          run = settings.runs;
        }
        log(
          `  busy PostgreSQL backends per sample: ${r.db.activity
            .slice(0, 6)
            .map(([k, n]) => `\n    ${n.toFixed(2)}  ${k}`)
            .join('')}`,
        );
      }
    }
    const [{ n }] = await pgQuery<{ n: number }>(
      dep.db,
      `SELECT count(*)::int AS n FROM interpretation_requests WHERE state NOT IN ('completed','cancelled')`,
    );
    if (n) log(`note: ${n} request(s) not completed or cancelled at the end`);
  } finally {
    clearInterval(refresher);
    closing.delete(dep.close);
    await dep.close();
  }
}

async function benchFloor(results: FloorResult[]) {
  log('floor: bare socket.io server + one PostgreSQL transaction');
  const floor = await startFloor();
  closing.add(floor.close);
  let pgPids: number[] = [];
  const refresher = setInterval(
    () =>
      void backendPids(floor.db).then(
        (p) => (pgPids = p),
        () => undefined,
      ),
    1000,
  );
  try {
    for (const rate of settings.floorRates) {
      const result: FloorResult = { rate, runs: [] };
      results.push(result);
      for (let run = 0; run < settings.runs && Date.now() < deadline; run++) {
        const sampler = new ProcSampler({ floor: () => [floor.pid], postgres: () => pgPids, client: () => [process.pid] });
        sampler.start();
        const latencies = await measureFloor(floor, rate, settings.seconds);
        result.runs.push({ latencies, usage: sampler.stop() });
        saveProgress();
        log(
          `floor ${rate}/s run ${run + 1}: txn+round trip p50 ${latencies.roundTripWithTransaction.p50.toFixed(2)} p99 ${latencies.roundTripWithTransaction.p99.toFixed(2)} ms`,
        );
      }
    }
  } finally {
    clearInterval(refresher);
    closing.delete(floor.close);
    await floor.close();
  }
}

// ---- report ------------------------------------------------------------------------------------------------

const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
/** Run-queue waits of the nodes (summed), PostgreSQL and the client, in % of the run: `—` for results saved before they were. */
function runQueueWait(r: RunResult): string {
  const w = (gs: GroupUsage[]) =>
    gs.every((g) => g?.runQueueWaitPct !== undefined)
      ? f(
          gs.reduce((a, g) => a + (g.runQueueWaitPct ?? 0), 0),
          0,
        )
      : '—';
  const g = r.usage.groups;
  const nodes = Object.keys(g).filter((k) => k.startsWith('node'));
  return `${w(nodes.map((k) => g[k]))} / ${w([g.postgres])} / ${w([g.client])}`;
}

/** PostgreSQL backends' CPU per request sent: their share of a core over the run, over the requests of one second. */
function pgMsPerRequest(r: RunResult, rate: number) {
  return (r.usage.groups.postgres.cpuPct * 10) / rate;
}
/** The nodes' CPU together, per request (each node's group is named node1, node2...). */
function nodeMsPerRequest(r: RunResult, rate: number) {
  const nodes = Object.entries(r.usage.groups).filter(([g]) => g.startsWith('node'));
  return (nodes.reduce((a, [, u]) => a + u.cpuPct, 0) * 10) / rate;
}
const redisPerRequest = (r: RunResult) => (r.redisCommands ?? NaN) / Math.max(1, r.latencies.created);
const med = <T>(runs: T[], pick: (r: T) => number) => median(runs.map(pick));
const lat = (x: { p50: number; p95: number; p99: number } | undefined) => (x ? `${f(x.p50)} / ${f(x.p95)} / ${f(x.p99)}` : '–');

function report(info: ReturnType<typeof machine>, results: ConfigResult[], floor: FloorResult[]): string {
  const lines: string[] = [];
  lines.push(
    `Settings: ${settings.seconds} s per run, ${settings.runs} run(s) per configuration (median of runs shown), warm-up ${settings.warmup} s, ` +
      `${settings.interpreters} interpreters in ${settings.variants} variants, ${settings.available} connected and available, ` +
      `PostgreSQL over ${settings.database}` +
      (settings.relayShare > 0
        ? `; ${settings.relayShare * 100} % of calls into English, served by relay chains (${settings.relayInterpreters} Spanish–English interpreters added)`
        : '') +
      (settings.answerMs > 0 ? `; each offer accepted ${settings.answerMs} ms after it rang` : '') +
      (settings.callMs > 0 ? `; each call lasting ${settings.callMs} ms` : '') +
      (settings.history ? `; ${settings.history} ended requests of history loaded first (lib/history.ts).` : '.'),
    '',
    '| nodes | rate/s | runs | callers served / sent | request→offer p50 / p95 / p99 ms | relay chains: request→both offers p50 / p95 / p99 ms | accept→session p50 / p95 / p99 ms | create ack p99 ms | node CPU % | node RSS MB | PG backends CPU % | PG CPU ms/request | bench client CPU % | machine busy % (others) | tx/request | lock waiters (mean) | event loop p99 ms | audit backlog max / at end |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const c of results) {
    if (!c.runs.length) {
      lines.push(`| ${c.nodes} | ${c.rate} | 0 | ${c.skipped ?? 'not run (time limit)'} |${' |'.repeat(14)}`);
      continue;
    }
    const r = c.runs;
    const nodes = Array.from({ length: c.nodes }, (_, i) => `node${i + 1}`);
    const ok = med(r, (x) => x.latencies.requestToSession.n);
    lines.push(
      [
        c.nodes,
        c.rate,
        r.length,
        `${f(ok, 0)}/${f(
          med(r, (x) => x.latencies.started),
          0,
        )}`,
        `${f(med(r, (x) => x.latencies.requestToOffer.p50))} / ${f(med(r, (x) => x.latencies.requestToOffer.p95))} / ${f(med(r, (x) => x.latencies.requestToOffer.p99))}`,
        `${f(med(r, (x) => x.latencies.requestToBothOffers?.p50 ?? NaN))} / ${f(med(r, (x) => x.latencies.requestToBothOffers?.p95 ?? NaN))} / ${f(med(r, (x) => x.latencies.requestToBothOffers?.p99 ?? NaN))}`,
        `${f(med(r, (x) => x.latencies.acceptToSession.p50))} / ${f(med(r, (x) => x.latencies.acceptToSession.p95))} / ${f(med(r, (x) => x.latencies.acceptToSession.p99))}`,
        f(med(r, (x) => x.latencies.createAck.p99)),
        nodes
          .map((n) =>
            f(
              med(r, (x) => x.usage.groups[n].cpuPct),
              0,
            ),
          )
          .join(' + '),
        nodes
          .map((n) =>
            f(
              med(r, (x) => x.usage.groups[n].rssPeakMb),
              0,
            ),
          )
          .join(' + '),
        f(
          med(r, (x) => x.usage.groups.postgres.cpuPct),
          0,
        ),
        f(
          med(r, (x) => pgMsPerRequest(x, c.rate)),
          2,
        ),
        f(
          med(r, (x) => x.usage.groups.client.cpuPct),
          0,
        ),
        `${f(
          med(r, (x) => x.usage.machineBusyPct),
          0,
        )} (${f(
          med(r, (x) => x.usage.machineBusyPct - Object.values(x.usage.groups).reduce((a, g) => a + g.cpuPct, 0)),
          0,
        )})`,
        f(med(r, (x) => x.db.transactions / Math.max(1, x.latencies.created))),
        f(
          med(r, (x) => x.db.lockWaitersMean),
          2,
        ),
        r[0].eventLoopP99Ms.map((_, i) => f(med(r, (x) => x.eventLoopP99Ms[i]))).join(' / '),
        `${f(
          med(r, (x) => x.db.auditBacklogMax ?? NaN),
          0,
        )} / ${f(
          med(r, (x) => x.db.auditBacklogAtEnd ?? NaN),
          0,
        )}`,
      ]
        .join(' | ')
        .replace(/^/, '| ') + ' |',
    );
  }
  // Every run, in order, on the same database: growth from one run to the next shows here, not in the medians.
  lines.push(
    '',
    '| nodes | rate/s | run | callers served / sent | request→offer p50 / p95 / p99 ms | whole calls: request→offer p50 / p95 / p99 ms | relay chains: n, request→both offers p50 / p95 / p99 ms | PG backends CPU % | PG CPU ms/request | node CPU ms/request | Redis commands/request | dispatch mean / p99 bound ms (/metrics) | audit backlog max / at end | PG backends opened | client event loop delay p99 / max ms | waiting for a core % node / PG / client | live 90 s after |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const c of results) {
    c.runs.forEach((x, i) => {
      const l = x.latencies;
      lines.push(
        `| ${c.nodes} | ${c.rate} | ${i + 1} | ${l.requestToSession.n}/${l.started} | ${f(l.requestToOffer.p50)} / ${f(l.requestToOffer.p95)} / ${f(l.requestToOffer.p99)} | ${lat(l.directRequestToOffer)} | ${l.requestToBothOffers?.n ?? 0}, ${lat(l.requestToBothOffers)} | ${f(
          x.usage.groups.postgres.cpuPct,
          0,
        )} | ${f(pgMsPerRequest(x, c.rate), 2)} | ${f(nodeMsPerRequest(x, c.rate), 2)} | ${f(redisPerRequest(x), 1)} | ${f(x.dispatch?.meanMs ?? NaN, 2)} / ${f(x.dispatch?.p99BoundMs ?? NaN, 1)} | ${x.db.auditBacklogMax} / ${x.db.auditBacklogAtEnd} | ${x.db.backendsOpened ?? '—'} | ${x.clientLoop ? `${f(x.clientLoop.p99Ms)} / ${f(x.clientLoop.maxMs)}` : '—'} | ${runQueueWait(x)} | ${x.leftover} |`,
      );
    });
  }
  if (floor.some((x) => x.runs.length)) {
    lines.push(
      '',
      '| floor at rate/s | socket round trip + transaction p50 / p95 / p99 ms | socket round trip alone p50 / p99 ms | transaction alone p50 / p99 ms | floor server CPU % | PG CPU % |',
      '|---|---|---|---|---|---|',
    );
    for (const x of floor) {
      if (!x.runs.length) continue;
      const r = x.runs;
      lines.push(
        `| ${x.rate} | ${f(
          med(r, (y) => y.latencies.roundTripWithTransaction.p50),
          2,
        )} / ${f(
          med(r, (y) => y.latencies.roundTripWithTransaction.p95),
          2,
        )} / ${f(
          med(r, (y) => y.latencies.roundTripWithTransaction.p99),
          2,
        )} | ${f(
          med(r, (y) => y.latencies.roundTrip.p50),
          2,
        )} / ${f(
          med(r, (y) => y.latencies.roundTrip.p99),
          2,
        )} | ${f(
          med(r, (y) => y.latencies.transaction.p50),
          2,
        )} / ${f(
          med(r, (y) => y.latencies.transaction.p99),
          2,
        )} | ${f(
          med(r, (y) => y.usage.groups.floor.cpuPct),
          0,
        )} | ${f(
          med(r, (y) => y.usage.groups.postgres.cpuPct),
          0,
        )} |`,
      );
    }
  }
  lines.push(
    '',
    `Code: commit ${info.commit}${info.dirty ? ' with uncommitted changes' : ''}. Machine: ${info.nproc} cores, ${info.cpu}, ${info.memoryGb} GB, Node ${info.node}, Redis ${info.redis}, kernel ${info.kernel}; load average at start ${info.loadAtStart}.`,
  );
  return lines.join('\n');
}

/** Writes what has been measured so far (after every run), so that an interrupted benchmark keeps its figures. */
function save(info: Record<string, unknown>, results: ConfigResult[], floor: FloorResult[]) {
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  // BENCH_LABEL keeps several configurations' figures side by side (e.g. before/after a change).
  const name = ['matching', EXPERIMENT, process.env.BENCH_LABEL].filter(Boolean).join('-');
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        experiment: EXPERIMENT || null,
        label: process.env.BENCH_LABEL || null,
        machine: info,
        settings,
        results,
        floor,
      },
      null,
      2,
    ),
  );
  const md =
    (EXPERIMENT ? `Experiment: ${EXPERIMENT} (a patched copy of the build, not the product).\n\n` : '') +
    report(info as ReturnType<typeof machine>, results, floor) +
    ` PostgreSQL ${info.postgres}.\n`;
  writeFileSync(join(dir, `${name}.md`), md);
  return md;
}

async function main() {
  const info = { ...machine(), postgres: '' };
  buildApp(settings.skipBuild, log);
  prepareExperiment();
  info.postgres = (await pgQuery<{ v: string }>('postgres', "SELECT current_setting('server_version') AS v"))[0].v.split(' ')[0];
  log(`settings ${JSON.stringify(settings)}`);
  const results: ConfigResult[] = [];
  const floor: FloorResult[] = [];
  saveProgress = () => save(info, results, floor);
  for (const nodes of settings.nodes) {
    if (Date.now() > deadline) break;
    await benchDeployment(nodes, results);
  }
  if (settings.floor && Date.now() < deadline) await benchFloor(floor);
  console.log(`\n${save(info, results, floor)}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
