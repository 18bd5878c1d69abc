import { Client } from 'pg';
import { io } from 'socket.io-client';
import type { Deployment, OfferListener } from './deployment';
import type { CallerDraw } from './roster';
import Redis from 'ioredis';
import { PG_BASE, REDIS_URL } from './cluster';
import { LatencySummary, nowMs, Samples, sleep } from './stats';

/** Longest a caller waits for each step; a step that takes longer counts as a failure, not a latency. */
const STEP_TIMEOUT_MS = 20_000;

interface RequestTimes {
  createdAt: number;
  ackAt?: number;
  offerAt?: number;
  acceptSentAt: Map<string, number>;
  winningOffer?: string;
  sessionAt?: number;
  /** A relay chain's legs: when each first rang. */
  legs: Map<string, number>;
}

/** Collects one run's timings; the interpreters' consoles report to it through OfferListener. */
export class RunRecorder implements OfferListener {
  readonly requests = new Map<string, RequestTimes>();
  /** Offer events that arrived before the caller's acknowledgement told us the request id. */
  private readonly early = new Map<string, { offerAt: number; sent: Map<string, number>; winner?: string; legs: Map<string, number> }>();
  readonly failures: Record<string, number> = {};
  started = 0;

  fail(kind: string) {
    this.failures[kind] = (this.failures[kind] ?? 0) + 1;
  }

  private pending(requestId: string) {
    let e = this.early.get(requestId);
    if (!e) this.early.set(requestId, (e = { offerAt: Infinity, sent: new Map(), legs: new Map() }));
    return e;
  }

  offerSeen(requestId: string, at: number, leg: string) {
    const r = this.requests.get(requestId);
    if (r) r.offerAt ??= at;
    else {
      const e = this.pending(requestId);
      e.offerAt = Math.min(e.offerAt, at);
    }
    const legs = (r ?? this.pending(requestId)).legs;
    if (leg !== 'direct' && !legs.has(leg)) legs.set(leg, at);
  }

  acceptSent(requestId: string, offerId: string, at: number) {
    (this.requests.get(requestId)?.acceptSentAt ?? this.pending(requestId).sent).set(offerId, at);
  }

  accepted(requestId: string, offerId: string) {
    const r = this.requests.get(requestId);
    if (r) r.winningOffer = offerId;
    else this.pending(requestId).winner = offerId;
  }

  acceptRefused(code: string) {
    // An emergency rings three: the two who lose the race are refused (CONFLICT), as designed.
    this.fail(`accept refused: ${code}`);
  }

  created(requestId: string, createdAt: number, ackAt: number) {
    const e = this.early.get(requestId);
    this.early.delete(requestId);
    this.requests.set(requestId, {
      createdAt,
      ackAt,
      offerAt: e && Number.isFinite(e.offerAt) ? e.offerAt : undefined,
      acceptSentAt: e?.sent ?? new Map(),
      winningOffer: e?.winner,
      legs: e?.legs ?? new Map(),
    });
  }

  sessionArrived(requestId: string, at: number) {
    const r = this.requests.get(requestId);
    if (r) r.sessionAt = at;
  }

  summary(): RunLatencies {
    const toOffer = new Samples();
    const toSession = new Samples();
    const createAck = new Samples();
    const endToEnd = new Samples();
    const bothOffers = new Samples();
    const direct = new Samples();
    // Requests slower than SLOW_MS to ring, by the second of the run they were sent in.
    const slowBySecond = new Map<number, number>();
    const first = Math.min(...[...this.requests.values()].map((r) => r.createdAt));
    for (const r of this.requests.values()) {
      if (r.offerAt !== undefined && r.offerAt - r.createdAt > SLOW_MS) {
        const second = Math.floor((r.createdAt - first) / 1000);
        slowBySecond.set(second, (slowBySecond.get(second) ?? 0) + 1);
      }
      // A relay chain: until both legs rang (each its own offer); else the request's one offer.
      if (r.legs.size === 2) bothOffers.add(Math.max(...r.legs.values()) - r.createdAt);
      else if (!r.legs.size && r.offerAt !== undefined) direct.add(r.offerAt - r.createdAt);
      if (r.ackAt !== undefined) createAck.add(r.ackAt - r.createdAt);
      if (r.offerAt !== undefined) toOffer.add(r.offerAt - r.createdAt);
      const sent = r.winningOffer ? r.acceptSentAt.get(r.winningOffer) : undefined;
      if (sent !== undefined && r.sessionAt !== undefined) toSession.add(r.sessionAt - sent);
      if (r.sessionAt !== undefined) endToEnd.add(r.sessionAt - r.createdAt);
    }
    return {
      started: this.started,
      created: this.requests.size,
      requestToOffer: toOffer.summary(),
      acceptToSession: toSession.summary(),
      createAck: createAck.summary(),
      requestToSession: endToEnd.summary(),
      requestToBothOffers: bothOffers.summary(),
      directRequestToOffer: direct.summary(),
      slow: {
        n: [...slowBySecond.values()].reduce((a, b) => a + b, 0),
        seconds: slowBySecond.size,
        // As wall-clock seconds, to be laid beside the nodes' own records (bench/lib/stalls.ts).
        worst: [...slowBySecond]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([second, n]) => [new Date(Date.now() - (nowMs() - first) + second * 1000).toISOString().slice(11, 19), n]),
      },
      failures: { ...this.failures },
    };
  }
}

export interface RunLatencies {
  started: number;
  created: number;
  requestToOffer: LatencySummary;
  acceptToSession: LatencySummary;
  createAck: LatencySummary;
  requestToSession: LatencySummary;
  /** Relay chains only: request:create → the later of its two legs' offer:new. */
  requestToBothOffers: LatencySummary;
  /** Requests rung as one whole call (no chain): request:create → offer:new. */
  directRequestToOffer: LatencySummary;
  /**
   * Requests slower than SLOW_MS from request to offer: how many, in how many distinct seconds of the run, and the
   * five seconds with most ([wall-clock second, count]). Bunched in a few seconds, they point at a stall (a pause, a
   * checkpoint, a burst); spread over the run, at queueing.
   */
  slow?: { n: number; seconds: number; worst: [string, number][] };
  failures: Record<string, number>;
}

/** The bound on request→offer at p99. */
export const SLOW_MS = 50;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

/** One woman calling: connect, ask, wait for the session id, stay `callMs` in the call, leave it, hang up. */
async function callerFlow(url: string, token: string, draw: CallerDraw, rec: RunRecorder, callMs: number) {
  // A new call's token, as the caller's page connects it (`fresh`: nothing of hers to look for).
  const socket = io(url, {
    auth: { token, fresh: true },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: STEP_TIMEOUT_MS,
  });
  let sessionId: string | undefined;
  let sessionAt = 0;
  let onSession!: () => void;
  const gotSession = new Promise<void>((r) => (onSession = r));
  // She has one request, so the first update carrying a session id is hers (it may beat the acknowledgement).
  socket.on('request:update', (u: { sessionId?: string }) => {
    if (u?.sessionId && !sessionId) {
      sessionAt = nowMs();
      sessionId = u.sessionId;
      onSession();
    }
  });
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (e) => reject(e));
      }),
      STEP_TIMEOUT_MS,
      'connect',
    );
    const t0 = nowMs();
    const ack = await socket.timeout(STEP_TIMEOUT_MS).emitWithAck('request:create', draw);
    const tAck = nowMs();
    if (!ack?.requestId) return rec.fail(`request:create ${ack?.error?.code ?? 'no id'}`);
    rec.created(ack.requestId, t0, tAck);
    await withTimeout(gotSession, STEP_TIMEOUT_MS, 'session').catch(() => undefined);
    if (!sessionId) {
      rec.fail('no session within 20 s');
      await socket
        .timeout(5000)
        .emitWithAck('request:cancel', { requestId: ack.requestId })
        .catch(() => undefined);
      return;
    }
    rec.sessionArrived(ack.requestId, sessionAt);
    if (callMs > 0) await sleep(callMs);
    await socket
      .timeout(STEP_TIMEOUT_MS)
      .emitWithAck('session:leave', { sessionId })
      .catch(() => undefined);
  } catch (e) {
    rec.fail(`caller ${(e as Error).message.slice(0, 40)}`);
  } finally {
    socket.disconnect();
  }
}

/**
 * Open loop: caller i starts at start + i / rate whatever happened to earlier ones, as real callers do, for
 * `seconds`; then waits (at most 45 s) for those still in flight.
 */
export async function drive(
  dep: Deployment,
  rate: number,
  seconds: number,
  draw: () => CallerDraw,
  rec: RunRecorder,
  onScheduled?: () => void,
) {
  dep.listener = rec;
  const total = Math.round(rate * seconds);
  const flows: Promise<void>[] = [];
  const start = nowMs();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - nowMs();
    if (wait > 1) await sleep(wait);
    rec.started++;
    flows.push(callerFlow(dep.nodes[i % dep.nodes.length].url, dep.callerToken(), draw(), rec, dep.callMs));
  }
  const lag = nowMs() - (start + seconds * 1000);
  if (lag > 1000) rec.fail(`driver fell behind by ${Math.round(lag)} ms`);
  onScheduled?.();
  await withTimeout(Promise.all(flows), 45_000, 'drain').catch(() => rec.fail('flows still running 45 s after the last start'));
  // Let the interpreters' last leaves land before the next run starts.
  await sleep(1000);
  dep.listener = null;
}

export interface DbObservation {
  transactions: number;
  /** Mean and max number of backends of this database waiting on a lock, sampled every 200 ms. */
  lockWaitersMean: number;
  lockWaitersMax: number;
  /** The same, for the audit chain's advisory lock only. */
  advisoryWaitersMean: number;
  /** What active backends were doing at the samples: wait event and statement start, most frequent first. */
  activity: [string, number][];
  /** Audit events written but not yet moved into the hash chain (matching_audit_outbox): most, and at the end. */
  auditBacklogMax: number;
  auditBacklogAtEnd: number;
  /** Backends of the nodes' pools seen during the run that were not there at its start: connections the pools opened. */
  backendsOpened: number;
}

/** Watches PostgreSQL for this database during a run: transactions committed and sessions waiting on locks. */
export async function observeDb(database: string) {
  const c = new Client({ connectionString: `${PG_BASE}/${database}`, application_name: 'puente-bench' });
  await c.connect();
  const commits = async () =>
    Number((await c.query(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1`, [database])).rows[0].n);
  const before = await commits();
  let samples = 0;
  let waiters = 0;
  let advisory = 0;
  let max = 0;
  let backlog = 0;
  let backlogMax = 0;
  const outbox = async () => {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM matching_audit_outbox`).catch(() => ({ rows: [{ n: 0 }] }));
    return rows[0].n as number;
  };
  const activity = new Map<string, number>();
  // Each new backend starts with cold caches: its first call of each PL/pgSQL function compiles it and plans its statements.
  let atStart: Set<number> | undefined;
  const opened = new Set<number>();
  let running = true;
  const loop = (async () => {
    for (let i = 0; running && i < 100_000; i++) {
      const { rows } = await c.query(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE l.locktype = 'advisory')::int AS a
         FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = $1 AND NOT l.granted`,
        [database],
      );
      const backends = await c.query(
        `SELECT pid, state <> 'idle' AS active, coalesce(wait_event_type || ':' || wait_event, 'cpu') AS w,
                left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS q
         FROM pg_stat_activity WHERE datname = $1 AND application_name = 'puente'`,
        [database],
      );
      // The first sample is taken as the run starts (observeDb is called just before it).
      atStart ??= new Set(backends.rows.map((b) => b.pid as number));
      for (const b of backends.rows) if (!atStart.has(b.pid)) opened.add(b.pid);
      for (const a of backends.rows.filter((b) => b.active)) activity.set(`${a.w} | ${a.q}`, (activity.get(`${a.w} | ${a.q}`) ?? 0) + 1);
      samples++;
      waiters += rows[0].n;
      advisory += rows[0].a;
      max = Math.max(max, rows[0].n);
      if (i % 5 === 0) backlogMax = Math.max(backlogMax, (backlog = await outbox()));
      await sleep(200);
    }
  })();
  return {
    stop: async (): Promise<DbObservation> => {
      running = false;
      await loop;
      const after = await commits();
      backlog = await outbox();
      await c.end();
      return {
        transactions: after - before,
        lockWaitersMean: waiters / Math.max(1, samples),
        lockWaitersMax: max,
        advisoryWaitersMean: advisory / Math.max(1, samples),
        activity: [...activity]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 15)
          .map(([k, n]) => [k, n / Math.max(1, samples)]),
        auditBacklogMax: Math.max(backlogMax, backlog),
        auditBacklogAtEnd: backlog,
        backendsOpened: opened.size,
      };
    },
  };
}

/** Application backends of this database (the nodes' pools), for CPU sampling. */
export async function backendPids(database: string): Promise<number[]> {
  const c = new Client({ connectionString: `${PG_BASE}/${database}`, application_name: 'puente-bench' });
  await c.connect();
  try {
    const { rows } = await c.query(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name IN ('puente', 'puente-floor')`,
      [database],
    );
    return rows.map((r) => r.pid as number);
  } finally {
    await c.end();
  }
}

/** A node's /metrics text (the deployment sets METRICS_TOKEN: production closes /metrics without one). */
export async function scrape(url: string, token: string): Promise<string> {
  return (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
}

/** The nodes' own event-loop delay over the window (prom-client resets its histogram at each scrape): p99, or `max`. */
export function eventLoopLag(text: string, which: 'p99' | 'max' = 'p99'): number {
  const m = new RegExp(`^puente_nodejs_eventloop_lag_${which}_seconds(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) * 1000 : NaN;
}

/** A histogram's cumulative buckets (upper bound in seconds → count), its count and sum, from /metrics text. */
export interface HistogramReading {
  buckets: [number, number][];
  count: number;
  sum: number;
}

export function histogram(text: string, name: string): HistogramReading {
  const buckets: [number, number][] = [];
  let count = 0;
  let sum = 0;
  for (const line of text.split('\n')) {
    const b = new RegExp(`^${name}_bucket\\{le="([^"]+)"[^}]*\\} (\\S+)$`).exec(line);
    if (b) buckets.push([b[1] === '+Inf' ? Infinity : Number(b[1]), Number(b[2])]);
    else if (line.startsWith(`${name}_count`)) count = Number(line.slice(line.lastIndexOf(' ') + 1));
    else if (line.startsWith(`${name}_sum`)) sum = Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return { buckets, count, sum };
}

/**
 * What a histogram observed between two readings (summed over nodes): the mean, and the bucket bound under
 * which 99% fell (an upper bound of the p99, as Prometheus' histogram_quantile reads it without interpolation).
 */
export function histogramWindow(before: HistogramReading[], after: HistogramReading[]): { n: number; meanMs: number; p99BoundMs: number } {
  const n = after.reduce((a, h) => a + h.count, 0) - before.reduce((a, h) => a + h.count, 0);
  const sum = after.reduce((a, h) => a + h.sum, 0) - before.reduce((a, h) => a + h.sum, 0);
  const bounds = after[0]?.buckets.map(([le]) => le) ?? [];
  const at = (readings: HistogramReading[], le: number) => readings.reduce((a, h) => a + (h.buckets.find(([b]) => b === le)?.[1] ?? 0), 0);
  const p99 = bounds.find((le) => at(after, le) - at(before, le) >= 0.99 * n) ?? NaN;
  return { n, meanMs: n ? (sum / n) * 1000 : NaN, p99BoundMs: p99 * 1000 };
}

/**
 * Commands Redis has run since it started, those inside Lua scripts included (INFO commandstats): a run's count is the
 * difference. Unlike a CPU figure, it does not drift with the VM; it includes the nodes' background work (sweeps, pings).
 */
export async function redisCommands(): Promise<number> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    return [...(await r.info('commandstats')).matchAll(/calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  } finally {
    r.disconnect();
  }
}
