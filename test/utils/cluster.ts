import { hash } from '@node-rs/argon2';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { StaffRole } from '../../src/common/domain';
import type { Sql } from './matching-invariants';
import { freePort, freePorts } from './ports';
import { insertStaffRow } from './staff-row';
import { TEST_PASSWORD } from './test-app';

/**
 * Helpers that talk to a deployment only through its URL and its database, so that they work the same for
 * an in-process app and for compiled nodes running as separate processes.
 */

export interface Staff {
  id: string;
  email: string;
  token: string;
}

let passwordHash: Promise<string> | undefined;

async function post<T>(url: string, path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export async function getJson<T>(url: string, path: string, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as T };
}

/** A staff account inserted directly, then logged in through the API of the node at `url`. */
export async function staffAt(
  url: string,
  sql: Sql,
  role: StaffRole,
  fields: { country?: string; institution?: string; interpreterId?: string } = {},
): Promise<Staff> {
  const email = `${role}-${randomUUID().slice(0, 8)}@test.puente.example`;
  passwordHash ??= hash(TEST_PASSWORD);
  const row = {
    id: await insertStaffRow(sql, {
      email,
      passwordHash: await passwordHash,
      role,
      country: fields.country ?? null,
      institution: fields.institution,
      interpreterId: fields.interpreterId ?? null,
    }),
  };
  const { accessToken } = await post<{ accessToken: string }>(url, '/api/v1/auth/login', { email, password: TEST_PASSWORD });
  return { id: row.id, email, token: accessToken };
}

export async function callerTokenAt(url: string): Promise<string> {
  return (await post<{ accessToken: string }>(url, '/api/v1/auth/caller', {})).accessToken;
}

export interface RosterRow {
  languages: string;
  /** The roster's relay_languages (default `spa`). */
  relay?: string;
  specialties?: string;
  gender?: string;
  firstName?: string;
  status?: 'active' | 'suspended';
}

export interface RosterInterpreter {
  interpreterId: string;
  token: string;
  country: string;
}

/**
 * Imports interpreters into a country's roster through the real import endpoint (one call per country)
 * and gives each an interpreter account; returns them in the order given.
 */
export async function rosterAt(url: string, sql: Sql, country: string, rows: RosterRow[]): Promise<RosterInterpreter[]> {
  const admin = await staffAt(url, sql, 'roster_admin', { country });
  const ids = rows.map(() => `x-${randomUUID().slice(0, 12)}`);
  const result = await post<{ created: number; rejected: unknown[] }>(
    url,
    `/api/v1/rosters/${country}/import`,
    rows.map((r, i) => ({
      external_id: ids[i],
      first_name: r.firstName ?? 'Ana',
      email: `${ids[i]}@test.puente.example`,
      languages: r.languages,
      relay_languages: r.relay ?? 'spa',
      specialties: r.specialties ?? 'legal_criminal;violence',
      gender: r.gender ?? 'female',
      // Certified (a body, no end), as legal matters and hearings need by default.
      certification_body: 'TEST',
      status: r.status ?? 'active',
    })),
    admin.token,
  );
  if (result.rejected.length || result.created !== rows.length) throw new Error(`roster import: ${JSON.stringify(result)}`);
  const found = await sql<{ id: string; external_id: string }>(
    `SELECT id, external_id FROM interpreters WHERE country = $1 AND external_id = ANY ($2)`,
    [country, ids],
  );
  const idOf = new Map(found.map((f) => [f.external_id, f.id]));
  const out: RosterInterpreter[] = [];
  for (const externalId of ids) {
    const interpreterId = idOf.get(externalId)!;
    out.push({ interpreterId, token: (await staffAt(url, sql, 'interpreter', { country, interpreterId })).token, country });
  }
  return out;
}

/** The compiled application (`node dist/src/cli.js serve`) as a separate process, so that SIGKILL is real. */
export class NodeProcess {
  private proc?: ChildProcess;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts a node on a free port (and its own MEDIASOUP_RTC_PORT) and waits until /health/ready is 200. */
  static async start(env: Record<string, string>, root: string): Promise<NodeProcess> {
    const n = new NodeProcess(await freePort(), {
      ...env,
      MEDIASOUP_RTC_PORT: String(await freePorts(Number(env.MEDIASOUP_WORKERS ?? 1))),
    });
    await n.start(root);
    return n;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The process id (to read its memory from /proc). */
  get pid() {
    return this.proc?.pid;
  }

  get running() {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** (Re)starts the process on the same port and waits until it is ready; fails with its output if it dies. */
  async start(root: string, boundMs = 60_000) {
    this.output = '';
    this.proc = spawn('node', ['dist/src/cli.js', 'serve'], {
      cwd: root,
      env: { ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Keep only the tail: enough to explain a failed start.
    const keep = (b: Buffer) => (this.output = (this.output + b.toString()).slice(-4000));
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
    const deadline = Date.now() + boundMs;
    for (;;) {
      if (!this.running) throw new Error(`node on port ${this.port} exited during start-up: ${this.output}`);
      const res = await fetch(`${this.url}/health/ready`).catch(() => null);
      if (res?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`node on port ${this.port} not ready within ${boundMs / 1000} s: ${this.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Sends a signal and waits for the process to be gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    if (!this.proc || !this.running) return;
    const exited = once(this.proc, 'exit');
    this.proc.kill(signal);
    await exited;
  }
}
