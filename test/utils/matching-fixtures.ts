import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { MATCHING_QUEUE } from '../../src/matching/matching.service';
import { AuditOutbox } from '../../src/audit/audit-outbox';
import { RostersService } from '../../src/rosters/rosters.service';
import { connect, TestSocket } from './socket-client';
import { createStaff, TestApp } from './test-app';

export interface Person {
  interpreterId: string;
  token: string;
  socket: TestSocket;
}

export interface InterpreterSpec {
  country?: string;
  languages?: string;
  /** The roster's relay_languages (default `spa`). */
  relay?: string;
  specialties?: string;
  gender?: string;
  firstName?: string;
  available?: boolean;
}

/** Puts an interpreter in a roster (through the real import), gives her an account and a connected console. */
export async function interpreter(t: TestApp, spec: InterpreterSpec = {}, url = t.url): Promise<Person> {
  const country = spec.country ?? 'GT';
  const externalId = `x-${randomUUID().slice(0, 12)}`;
  const res = await t.app.get(RostersService).importRoster(
    country,
    [
      {
        external_id: externalId,
        first_name: spec.firstName ?? 'Ana',
        email: `${externalId}@test.puente.example`,
        languages: spec.languages ?? 'mam:5',
        relay_languages: spec.relay ?? 'spa',
        specialties: spec.specialties ?? 'legal_criminal;violence',
        gender: spec.gender ?? 'female',
        // Certified (a body, no end), as legal matters and hearings need by default.
        certification_body: 'TEST',
        status: 'active',
      },
    ],
    null,
  );
  if (res.rejected.length) throw new Error(JSON.stringify(res.rejected));
  const [row] = await t.sql<{ id: string }>(`SELECT id FROM interpreters WHERE country = $1 AND external_id = $2`, [country, externalId]);
  const staff = await createStaff(t, 'interpreter', { country, interpreterId: row.id });
  const socket = await connect(url, staff.token);
  if (spec.available !== false) await socket.call('presence:set', { status: 'available' });
  return { interpreterId: row.id, token: staff.token, socket };
}

export async function caller(t: TestApp, url = t.url): Promise<TestSocket> {
  const res = await t.http().post('/api/v1/auth/caller').send({}).expect(200);
  return connect(url, res.body.accessToken);
}

/**
 * The interpreters and women a test file opens, with the hooks that tidy them: after each test its interpreters go
 * away (so the next test's calls never reach them) and close; at the end every socket closes. `t` is read late: the
 * app starts in beforeAll.
 */
export function callParties(t: () => TestApp) {
  const people: Person[] = [];
  const sockets: TestSocket[] = [];
  return {
    track: (p: Person) => (people.push(p), p),
    woman: async () => {
      const s = await caller(t());
      sockets.push(s);
      return s;
    },
    afterEach: async () => {
      for (const p of people.splice(0)) {
        await p.socket.call('presence:set', { status: 'away' });
        p.socket.close();
      }
    },
    afterAll: () => {
      for (const p of people) p.socket.close();
      for (const s of sockets) s.close();
    },
  };
}

export async function languageId(t: TestApp, iso: string): Promise<string> {
  const [row] = await t.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = $1 AND variant IS NULL`, [iso]);
  if (!row) throw new Error(`no language ${iso}`);
  return row.id;
}

export async function until<T>(probe: () => Promise<T> | T, ok: (v: T) => boolean = Boolean): Promise<T> {
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits for `p`, or fails naming what did not happen (instead of a bare test timeout). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms))),
  ]);
}

/**
 * Turns the matching sweep off for this deployment (for a few minutes, until a node's watchdog puts it back),
 * so that a test shows what the events and the Bull timers do on their own.
 */
export async function stopSweeps(t: TestApp) {
  const queue = t.app.get<Queue>(getQueueToken(MATCHING_QUEUE));
  for (const job of await queue.getRepeatableJobs()) await queue.removeRepeatableByKey(job.key);
}

/** Moves the audit events of matching into the chain now (they are moved moments after each step anyway). */
export async function auditMoved(t: TestApp) {
  await t.app.get(AuditOutbox).flush();
}
