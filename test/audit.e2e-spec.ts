import { DataSource } from 'typeorm';
import { AuditService, PURGE_EVENT } from '../src/audit/audit.service';
import { AuditEvent } from '../src/audit/entities/audit-event.entity';
import { dataSourceOptions } from '../src/database/data-source-options';
import { createTestDatabase } from './utils/db';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

/** A chain of its own: a fresh migrated database and the real AuditService on it, without the HTTP app. */
async function freshChain(events: number) {
  const db = await createTestDatabase();
  const ds = await new DataSource({ ...dataSourceOptions(db.url), entities: [AuditEvent] }).initialize();
  const audit = new AuditService(ds);
  for (let i = 0; i < events; i++) await audit.record('test.event', { data: { i } });
  return {
    audit,
    sql: (query: string, params: unknown[] = []) => ds.query(query, params),
    /** What an intruder with database access but without the purge's checkpoint would do. */
    tamper: async (query: string, params: unknown[] = []) => {
      await ds.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`);
      await ds.query(query, params);
      await ds.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`);
    },
    idAt: async (seq: number) => ((await ds.query(`SELECT id FROM audit_events WHERE seq = $1`, [seq])) as { id: string }[])[0].id,
    close: async () => {
      await ds.destroy();
      await db.drop();
    },
  };
}
type Chain = Awaited<ReturnType<typeof freshChain>>;

describe('audit log (PostgreSQL)', () => {
  let t: TestApp;
  let audit: AuditService;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestApp({ media: false });
    audit = t.app.get(AuditService);
    adminToken = (await createStaff(t, 'platform_admin')).token;
  });
  afterAll(() => t.close());

  const verify = () => t.http().get('/api/v1/audit/verify').set('Authorization', `Bearer ${adminToken}`).expect(200);

  it('chains events appended concurrently, keeps the head on the last one, and verifies them', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => audit.record('test.event', { data: { i } })));
    const res = await verify();
    expect(res.body).toEqual({ ok: true, events: expect.any(Number) });
    const seqs = await t.sql<{ seq: string; hash: string }>(`SELECT seq, hash FROM audit_events ORDER BY seq`);
    expect(res.body.events).toBe(seqs.length);
    expect(seqs.map((r) => Number(r.seq))).toEqual(seqs.map((_, i) => i + 1));
    const [head] = await t.sql(`SELECT seq, hash FROM audit_chain_head`);
    expect(head).toEqual(seqs[seqs.length - 1]);
  });

  it('refuses updates, deletes and truncation in the database itself', async () => {
    await expect(t.sql(`UPDATE audit_events SET type = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.sql(`DELETE FROM audit_events WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.sql(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
    // The head moves only when an event is appended.
    await expect(t.sql(`UPDATE audit_chain_head SET seq = seq - 1`)).rejects.toThrow(/moves only when an audit event is appended/);
    await expect(t.sql(`DELETE FROM audit_chain_head`)).rejects.toThrow(/moves only when/);
    await expect(t.sql(`TRUNCATE audit_chain_head`)).rejects.toThrow(/moves only when/);
    await expect(t.sql(`INSERT INTO audit_chain_head (only_row, seq, hash) VALUES (false, 0, repeat('0', 64))`)).rejects.toThrow(
      /moves only when/,
    );
    expect((await verify()).body.ok).toBe(true);
  });

  it('refuses an event that does not extend the chain head', async () => {
    const [last] = await t.sql<{ seq: string; hash: string }>(`SELECT seq, hash FROM audit_chain_head`);
    const insert = (seq: string, prevHash: string) =>
      t.sql(
        `INSERT INTO audit_events (seq, id, occurred_at, type, prev_hash, hash) VALUES ($1, gen_random_uuid(), now(), 'forged', $2, repeat('f', 64))`,
        [seq, prevHash],
      );
    await expect(insert(String(Number(last.seq) + 2), last.hash)).rejects.toThrow(/does not extend the chain head/);
    await expect(insert(String(Number(last.seq) + 1), '0'.repeat(64))).rejects.toThrow(/does not extend the chain head/);
    expect(await t.sql(`SELECT 1 FROM audit_events WHERE type = 'forged'`)).toEqual([]);
  });

  it('checks every row of a batch: one that breaks the chain anywhere refuses the whole statement; a sound one moves the head to its last', async () => {
    const [last] = await t.sql<{ seq: string; hash: string }>(`SELECT seq, hash FROM audit_chain_head`);
    const n = Number(last.seq);
    const insertMany = (rows: [number, string, string][]) =>
      t.sql(
        `INSERT INTO audit_events (seq, id, occurred_at, type, prev_hash, hash)
         SELECT x.seq, gen_random_uuid(), now(), 'batch', x.prev, x.hash FROM jsonb_to_recordset($1::jsonb) AS x(seq bigint, prev text, hash text)`,
        [JSON.stringify(rows.map(([seq, prev, hash]) => ({ seq, prev, hash })))],
      );
    const h = (c: string) => c.repeat(64);
    // The second row does not follow the first (its prev_hash), the first would extend the head.
    await expect(
      insertMany([
        [n + 1, last.hash, h('a')],
        [n + 2, h('b'), h('c')],
      ]),
    ).rejects.toThrow(/audit event \d+ does not extend/);
    // A gap in seq, and a repeated seq.
    await expect(
      insertMany([
        [n + 1, last.hash, h('a')],
        [n + 3, h('a'), h('c')],
      ]),
    ).rejects.toThrow(/does not extend/);
    await expect(
      insertMany([
        [n + 1, last.hash, h('a')],
        [n + 1, last.hash, h('c')],
      ]),
    ).rejects.toThrow(/does not extend|duplicate key/);
    expect(await t.sql(`SELECT 1 FROM audit_events WHERE type = 'batch'`)).toEqual([]);
    expect(await t.sql(`SELECT seq, hash FROM audit_chain_head`)).toEqual([last]);
    // In any order in the statement, the chain is read in seq order; the head moves to the last.
    await insertMany([
      [n + 2, h('a'), h('d')],
      [n + 1, last.hash, h('a')],
    ]);
    expect(await t.sql(`SELECT seq, hash FROM audit_chain_head`)).toEqual([{ seq: String(n + 2), hash: h('d') }]);
    // An empty insert leaves the head where it is.
    await insertMany([]);
    expect(await t.sql(`SELECT seq, hash FROM audit_chain_head`)).toEqual([{ seq: String(n + 2), hash: h('d') }]);
  });

  it('keeps the purge checkpoint for the purge itself', async () => {
    await expect(audit.record(PURGE_EVENT, { data: { continuesFromSeq: '1', continuesFromHash: 'x' } })).rejects.toThrow(
      /written by the purge only/,
    );
  });

  it('reports a broken chain through the endpoint, naming the problem', async () => {
    const [row] = await t.sql<{ id: string }>(`SELECT id FROM audit_events WHERE seq = 5`);
    await t.sql(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`);
    await t.sql(`UPDATE audit_events SET data = '{"i": 999}' WHERE id = $1`, [row.id]);
    await t.sql(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`);
    expect((await verify()).body).toEqual({ ok: false, events: 4, firstBadId: row.id, problem: 'event seq 5 was altered' });
  });

  it('is for platform admins only', async () => {
    const ra = await createStaff(t, 'roster_admin', { country: 'GT' });
    await t.http().get('/api/v1/audit/verify').set('Authorization', `Bearer ${ra.token}`).expect(403);
  });

  describe('finds tampering (each on a chain of its own)', () => {
    let c: Chain;
    afterEach(() => c?.close());

    it('an altered row', async () => {
      c = await freshChain(10);
      const id = await c.idAt(7);
      await c.tamper(`UPDATE audit_events SET actor_role = 'platform_admin' WHERE seq = 7`);
      expect(await c.audit.verify()).toEqual({ ok: false, events: 6, firstBadId: id, problem: 'event seq 7 was altered' });
    });

    it('an altered link', async () => {
      c = await freshChain(10);
      const id = await c.idAt(4);
      await c.tamper(`UPDATE audit_events SET prev_hash = repeat('a', 64) WHERE seq = 4`);
      expect(await c.audit.verify()).toMatchObject({ ok: false, events: 3, firstBadId: id });
    });

    it('a row deleted in the middle', async () => {
      c = await freshChain(10);
      const after = await c.idAt(7);
      await c.tamper(`DELETE FROM audit_events WHERE seq = 6`);
      expect(await c.audit.verify()).toEqual({ ok: false, events: 5, firstBadId: after, problem: 'events are missing before seq 7' });
    });

    it('the newest rows deleted (the tail), which no later row points at', async () => {
      c = await freshChain(10);
      expect(await c.audit.verify()).toEqual({ ok: true, events: 10 });
      await c.tamper(`DELETE FROM audit_events WHERE seq > 7`);
      expect(await c.audit.verify()).toEqual({
        ok: false,
        events: 7,
        problem: 'the newest events are missing: the last is seq 7, the chain head is at seq 10',
      });
    });

    it('the tail deleted, then new events appended: they still link to the head, past the gap', async () => {
      c = await freshChain(10);
      await c.tamper(`DELETE FROM audit_events WHERE seq > 7`);
      const next = await c.audit.record('test.after');
      expect(next.seq).toBe('11');
      expect(await c.audit.verify()).toEqual({ ok: false, events: 7, firstBadId: next.id, problem: 'events are missing before seq 11' });
    });

    it('every row deleted', async () => {
      c = await freshChain(5);
      await c.tamper(`DELETE FROM audit_events`);
      expect(await c.audit.verify()).toEqual({ ok: false, events: 0, problem: 'every event is missing: the chain head is at seq 5' });
    });

    it('the oldest rows deleted without a purge checkpoint', async () => {
      c = await freshChain(10);
      const first = await c.idAt(4);
      await c.tamper(`DELETE FROM audit_events WHERE seq < 4`);
      expect(await c.audit.verify()).toEqual({
        ok: false,
        events: 0,
        firstBadId: first,
        problem: 'the chain starts at seq 4, neither at its beginning nor where the latest audited purge left it',
      });
    });
  });

  describe('the retention purge', () => {
    let c: Chain;
    afterEach(() => c?.close());

    /** A chain whose first `old` events occurred before the returned cutoff and the rest after it. */
    async function chainAcrossCutoff(old: number, recent: number) {
      c = await freshChain(old);
      const [{ last }] = await c.sql(`SELECT max(occurred_at) AS last FROM audit_events`);
      const cutoff = new Date((last as Date).getTime() + 1);
      while (Date.now() <= cutoff.getTime()) await new Promise((r) => setTimeout(r, 2));
      for (let i = 0; i < recent; i++) await c.audit.record('test.recent', { data: { i } });
      return cutoff;
    }

    it('deletes a prefix, records where the chain continues from, and verifies', async () => {
      const cutoff = await chainAcrossCutoff(6, 4);
      const [sixth] = await c.sql(`SELECT hash FROM audit_events WHERE seq = 6`);
      const result = await c.audit.purgeBefore(cutoff);
      expect(result.deleted).toBe(6);
      expect(result.event).toMatchObject({
        seq: '11',
        type: PURGE_EVENT,
        data: { continuesFromSeq: '6', continuesFromHash: sixth.hash, deleted: 6 },
      });
      expect((await c.sql(`SELECT seq FROM audit_events ORDER BY seq`)).map((r: { seq: string }) => Number(r.seq))).toEqual([
        7, 8, 9, 10, 11,
      ]);
      expect(await c.audit.verify()).toEqual({ ok: true, events: 5 });
      // Purging again finds nothing older, and changes nothing.
      expect(await c.audit.purgeBefore(cutoff)).toEqual({ deleted: 0 });
      expect(await c.audit.verify()).toEqual({ ok: true, events: 5 });
    });

    it('still finds rows deleted from the start after a purge', async () => {
      const cutoff = await chainAcrossCutoff(6, 4);
      await c.audit.purgeBefore(cutoff);
      const eighth = await c.idAt(8);
      await c.tamper(`DELETE FROM audit_events WHERE seq = 7`);
      expect(await c.audit.verify()).toMatchObject({ ok: false, events: 0, firstBadId: eighth });
    });

    it('a later purge that removes an earlier checkpoint leaves a chain that verifies', async () => {
      const cutoff = await chainAcrossCutoff(3, 0);
      await c.audit.purgeBefore(cutoff); // checkpoint at seq 4
      const [{ last }] = await c.sql(`SELECT max(occurred_at) AS last FROM audit_events`);
      const second = new Date((last as Date).getTime() + 1);
      while (Date.now() <= second.getTime()) await new Promise((r) => setTimeout(r, 2));
      await c.audit.record('test.recent');
      const result = await c.audit.purgeBefore(second);
      expect(result).toMatchObject({ deleted: 1, event: { seq: '6', data: { continuesFromSeq: '4' } } });
      expect(await c.audit.verify()).toEqual({ ok: true, events: 2 });
    });

    it('is refused in the database without the purge setting', async () => {
      c = await freshChain(3);
      await expect(c.sql(`DELETE FROM audit_events WHERE seq = 1`)).rejects.toThrow(/append-only/);
    });
  });
});
