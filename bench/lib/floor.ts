import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'pg';
import { io, Socket } from 'socket.io-client';
import { createDatabase, freePort, PG_BASE, pgQuery } from './cluster';
import { LatencySummary, nowMs, Samples, seeded, sleep } from './stats';

const ROWS = 1000;
const CLIENTS = 50;

export interface FloorServer {
  url: string;
  pid: number;
  db: string;
  close(): Promise<void>;
}

/** A fresh database with the floor's two tables, and the bare socket.io server (floor-server.ts) on it. */
export async function startFloor(): Promise<FloorServer> {
  const db = await createDatabase();
  await pgQuery(db.name, `CREATE TABLE floor_rows (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)`);
  await pgQuery(db.name, `INSERT INTO floor_rows (id) SELECT generate_series(1, ${ROWS})`);
  await pgQuery(
    db.name,
    `CREATE TABLE floor_log (id bigserial PRIMARY KEY, row_id int NOT NULL REFERENCES floor_rows, at timestamptz NOT NULL DEFAULT now())`,
  );
  const port = await freePort();
  const child = fork(join(__dirname, '..', 'floor-server.js'), [], {
    env: { ...process.env, PORT: String(port), DATABASE_URL: `${PG_BASE}/${db.name}` },
    stdio: 'inherit',
  });
  await Promise.race([
    new Promise<void>((resolve) => child.once('message', () => resolve())),
    sleep(30_000).then(() => Promise.reject(new Error('floor server did not start'))),
  ]);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    db: db.name,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
      }
      await db.drop();
    },
  };
}

export interface FloorLatencies {
  /** Socket emit → server runs the transaction → acknowledgement back: the least a request can cost. */
  roundTripWithTransaction: LatencySummary;
  /** Socket emit → acknowledgement, nothing else. */
  roundTrip: LatencySummary;
  /** The transaction alone, from a client pool. */
  transaction: LatencySummary;
}

async function openLoop(rate: number, seconds: number, op: (i: number) => Promise<void>) {
  const total = Math.round(rate * seconds);
  const ops: Promise<void>[] = [];
  const start = nowMs();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - nowMs();
    if (wait > 1) await sleep(wait);
    ops.push(op(i));
  }
  await Promise.race([Promise.all(ops), sleep(30_000)]);
}

/** The floor at one rate: the combined figure for `seconds`, its two parts for up to 10 s each. */
export async function measureFloor(floor: FloorServer, rate: number, seconds: number): Promise<FloorLatencies> {
  const rng = seeded(rate);
  const clients: Socket[] = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const s = io(floor.url, { transports: ['websocket'], forceNew: true, reconnection: false });
      await new Promise<void>((resolve, reject) => (s.once('connect', () => resolve()), s.once('connect_error', reject)));
      return s;
    }),
  );
  const pool = new Pool({ connectionString: `${PG_BASE}/${floor.db}`, max: 20, application_name: 'puente-bench' });
  try {
    const combined = new Samples();
    const rtt = new Samples();
    const txn = new Samples();
    const timed = (into: Samples, f: () => Promise<unknown>) => async () => {
      const t0 = nowMs();
      await f();
      into.add(nowMs() - t0);
    };
    await openLoop(rate, Math.min(3, seconds), (i) =>
      timed(new Samples(), () => clients[i % CLIENTS].timeout(10_000).emitWithAck('txn', { rowId: 1 + rng.int(ROWS) }))(),
    );
    await openLoop(rate, seconds, (i) =>
      timed(combined, () => clients[i % CLIENTS].timeout(10_000).emitWithAck('txn', { rowId: 1 + rng.int(ROWS) }))().catch(() => undefined),
    );
    await openLoop(rate, Math.min(10, seconds), (i) =>
      timed(rtt, () => clients[i % CLIENTS].timeout(10_000).emitWithAck('echo', { i }))().catch(() => undefined),
    );
    await openLoop(rate, Math.min(10, seconds), () =>
      timed(txn, async () => {
        const c = await pool.connect();
        try {
          const id = 1 + rng.int(ROWS);
          await c.query('BEGIN');
          await c.query('SELECT n FROM floor_rows WHERE id = $1 FOR UPDATE', [id]);
          await c.query('INSERT INTO floor_log (row_id) VALUES ($1)', [id]);
          await c.query('COMMIT');
        } finally {
          c.release();
        }
      })().catch(() => undefined),
    );
    return { roundTripWithTransaction: combined.summary(), roundTrip: rtt.summary(), transaction: txn.summary() };
  } finally {
    for (const c of clients) c.disconnect();
    await pool.end();
  }
}
