import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { sleep } from './stats';

/**
 * PostgreSQL through its Unix-domain socket when it runs on this machine, as a deployment that keeps the node
 * beside its database should (docker/compose.yml shares the socket): a loopback TCP round trip costs both the
 * node and PostgreSQL a TCP stack's work in every write (BENCHMARKS.md). BENCH_DATABASE_BASE_URL chooses
 * another, e.g. `postgres://postgres@127.0.0.1:5432` for loopback TCP.
 */
export const PG_BASE =
  process.env.BENCH_DATABASE_BASE_URL ??
  (existsSync('/var/run/postgresql/.s.PGSQL.5432')
    ? 'postgres://postgres@%2Fvar%2Frun%2Fpostgresql'
    : 'postgres://postgres@127.0.0.1:5432');
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The repository: this file runs from bench/dist/bench/lib. */
export const ROOT = join(__dirname, '..', '..', '..', '..');
/**
 * The benchmark's own build of the application (`npm run build` writes dist/, which tests also rebuild).
 * BENCH_EXPERIMENT=unchained-audit runs a patched copy instead (see experiment.ts): never product code.
 */
export const EXPERIMENT = process.env.BENCH_EXPERIMENT ?? '';
export const APP_DIR = join(ROOT, 'bench', 'dist', 'app');
export const EXPERIMENT_DIR = join(ROOT, 'bench', 'dist', `app-${EXPERIMENT || 'none'}`);
export const APP_CLI = join(EXPERIMENT ? EXPERIMENT_DIR : APP_DIR, 'src', 'cli.js');

export async function pgQuery<T = Record<string, any>>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: `${PG_BASE}/${database}`, application_name: 'puente-bench' });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** An empty database of the benchmark's own (the first node migrates it, as in production). */
export async function createDatabase(): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = `puente_bench_${randomBytes(4).toString('hex')}`;
  await pgQuery('postgres', `CREATE DATABASE ${name}`);
  if (EXPERIMENT === 'unchained-audit') await pgQuery(name, `CREATE SEQUENCE bench_unchained_audit_seq START 1000000000`);
  return { name, drop: () => pgQuery('postgres', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined) };
}

/** Deletes this deployment's keys (everything lives under `<prefix>:`), a SCAN at a time. */
export async function dropRedisPrefix(prefix: string) {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    for (let i = 0; i < 100_000; i++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

export interface Node {
  url: string;
  proc: ChildProcess;
  pid: number;
  /** The last lines it wrote (warnings and errors only: LOG_LEVEL=warn). */
  log: string[];
}

/** Starts one node from the compiled build, as an operator would (`node dist/src/cli.js serve`). */
export async function startNode(env: Record<string, string>): Promise<Node> {
  const port = await freePort();
  const rtc = await freePort();
  // BENCH_NODE_ARGS: extra node flags for the nodes only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`; a
  // benchmark may give one node its own (V8 flags such as --min-semi-space-size are refused in NODE_OPTIONS).
  const extra = (env.BENCH_NODE_ARGS ?? process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...extra, APP_CLI, 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), MEDIASOUP_RTC_PORT: String(rtc) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const node: Node = { url: `http://127.0.0.1:${port}`, proc, pid: proc.pid!, log: [] };
  const keep = (d: Buffer) => {
    node.log.push(...String(d).split('\n').filter(Boolean));
    if (node.log.length > 200) node.log.splice(0, node.log.length - 200);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`node exited with ${proc.exitCode}:\n${node.log.slice(-20).join('\n')}`);
    const res = await fetch(`${node.url}/health/ready`).catch(() => null);
    if (res?.status === 200) return node;
    await sleep(250);
  }
  await stopNode(node);
  throw new Error(`node not ready within 120 s:\n${node.log.slice(-20).join('\n')}`);
}

/** SIGTERM, then SIGKILL after 15 s; only this process's own child, by its pid. */
export async function stopNode(node: Node) {
  if (node.proc.exitCode !== null || node.proc.signalCode !== null) return;
  const exited = new Promise((r) => node.proc.once('exit', r));
  node.proc.kill('SIGTERM');
  const killed = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!killed) {
    node.proc.kill('SIGKILL');
    await exited;
  }
}
