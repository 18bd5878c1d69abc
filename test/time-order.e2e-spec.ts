import { Client } from 'pg';
import { AppConfig } from '../src/config/config.schema';
import { caller, interpreter, languageId } from './utils/matching-fixtures';
import { Closers, matched } from './utils/media-calls';
import type { TestSocket } from './utils/socket-client';
import { startTestApp, TestApp } from './utils/test-app';

/**
 * Every statement stamps `now()`, its transaction's start: a transaction that began before a row changed can
 * still change it afterwards. Here such a transaction is made on purpose (it begins, then the application
 * acts, then it writes) and the record's times must still follow one another.
 */
describe('times in a record never run backwards', () => {
  let t: TestApp;
  const closers: Closers = [];

  beforeAll(async () => {
    t = await startTestApp({ media: false, HOME_COUNTRY: 'GT' });
  });
  afterAll(async () => {
    closers.forEach((c) => c());
    await t.close();
  });

  /** Begins a transaction, lets `meanwhile` act, then runs `sql` in it: returns the transaction's now(). */
  async function olderTransaction(meanwhile: () => Promise<unknown[]>, sql: string): Promise<Date> {
    const c = new Client({ connectionString: t.app.get(AppConfig).DATABASE_URL });
    await c.connect();
    try {
      await c.query('BEGIN');
      const { now } = (await c.query('SELECT now() AS now')).rows[0];
      await new Promise((r) => setTimeout(r, 20));
      const params = await meanwhile();
      await c.query(sql, params);
      await c.query('COMMIT');
      return now;
    } finally {
      await c.end();
    }
  }

  const track = (s: TestSocket) => (closers.push(() => s.close()), s);

  it('an offer made after the transaction that withdraws it began is decided no earlier than it was made', async () => {
    const c = track(await caller(t));
    const { requestId } = await c.call('request:create', {
      languageId: await languageId(t, 'mam'),
      matter: 'violence',
      urgency: 'normal',
      minor: false,
    });
    const began = await olderTransaction(async () => {
      const ana = await interpreter(t, { languages: 'mam:5' });
      track(ana.socket);
      await ana.socket.next('offer:new');
      return [requestId];
    }, `UPDATE offers SET outcome = 'withdrawn', decided_at = now(), holds = false WHERE request_id = $1 AND outcome IS NULL`);
    const [o] = await t.sql<{ created_at: Date; decided_at: Date; outcome: string }>(
      `SELECT created_at, decided_at, outcome FROM offers WHERE request_id = $1`,
      [requestId],
    );
    expect(o.created_at.getTime()).toBeGreaterThan(began.getTime());
    expect(o).toEqual({ created_at: o.created_at, decided_at: o.created_at, outcome: 'withdrawn' });
  });

  it('a session that started after the transaction that ends it began ends no earlier than it started', async () => {
    const { sessionId } = await matched(t, 'quc', closers);
    const began = await olderTransaction(
      () => t.sql(`UPDATE sessions SET started_at = now() WHERE id = $1 RETURNING id`, [sessionId]).then(() => [sessionId]),
      `UPDATE sessions SET ended_at = now(), end_reason = 'completed' WHERE id = $1`,
    );
    const [s] = await t.sql<{ started_at: Date; ended_at: Date }>(`SELECT started_at, ended_at FROM sessions WHERE id = $1`, [sessionId]);
    expect(s.started_at.getTime()).toBeGreaterThan(began.getTime());
    expect(s.ended_at).toEqual(s.started_at);
  });

  it('a request made after the transaction that ends it began ends no earlier than it was made', async () => {
    const c = track(await caller(t));
    const began = await olderTransaction(async () => {
      const { requestId } = await c.call('request:create', {
        languageId: await languageId(t, 'kek'),
        matter: 'other',
        urgency: 'normal',
        minor: false,
      });
      return [requestId];
    }, `UPDATE interpretation_requests SET state = 'cancelled', ended_at = now(), caller_sub = NULL WHERE id = $1`);
    const [r] = await t.sql<{ created_at: Date; ended_at: Date }>(
      `SELECT created_at, ended_at FROM interpretation_requests WHERE state = 'cancelled' ORDER BY created_at DESC LIMIT 1`,
    );
    expect(r.created_at.getTime()).toBeGreaterThan(began.getTime());
    expect(r.ended_at).toEqual(r.created_at);
  });
});
