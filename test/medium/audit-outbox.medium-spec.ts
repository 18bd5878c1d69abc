import { DataSource } from 'typeorm';
import { AuditOutbox } from '../../src/audit/audit-outbox';
import { AuditService } from '../../src/audit/audit.service';
import { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase } from '../utils/db';

/**
 * The audit outbox against the real PostgreSQL, without HTTP: writers insert events with their own changes,
 * one drainer at a time chains them, and no writer ever needs the chain's lock. Two "nodes" (two data sources,
 * each with its own outbox) share one database, as two application nodes do.
 */
describe('the audit outbox', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const nodes: { ds: DataSource; audit: AuditService; outbox: AuditOutbox }[] = [];
  const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []): Promise<T[]> => nodes[0].ds.query(q, params);

  beforeAll(async () => {
    db = await createTestDatabase();
    for (let i = 0; i < 2; i++) {
      const ds = await new DataSource({ ...dataSourceOptions(db.url), entities: [AuditEvent] }).initialize();
      const audit = new AuditService(ds);
      nodes.push({ ds, audit, outbox: new AuditOutbox(ds, audit) });
    }
  });
  afterAll(async () => {
    for (const n of nodes) {
      n.outbox.onModuleDestroy();
      await n.ds.destroy();
    }
    await db?.drop();
  });

  const events = () =>
    sql<{ seq: string; type: string; data: Record<string, unknown>; occurred_at: Date }>(
      `SELECT seq, type, data, occurred_at FROM audit_events ORDER BY seq`,
    );

  it('chains the events of concurrent writers on two nodes exactly once, in a chain that verifies, and none of a rolled-back change', async () => {
    const before = (await events()).length;
    const writers = Array.from({ length: 60 }, async (_, i) => {
      const { ds, outbox } = nodes[i % 2];
      if (i % 3 === 0) return outbox.record('test.alone', { data: { i } });
      const change = ds.transaction(async (m) => {
        await outbox.add(m, 'test.with_change', { data: { i } });
        if (i % 10 === 1) throw new Error('rolled back');
      });
      await change.then(
        () => outbox.chained(),
        () => undefined,
      );
    });
    await Promise.all(writers);
    await Promise.all(nodes.map((n) => n.outbox.flush()));

    const chained = (await events()).slice(before);
    const written = chained.map((e) => e.data.i as number).sort((a, b) => a - b);
    const expected = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 3 === 0 || i % 10 !== 1);
    expect(written).toEqual(expected);
    expect(await sql(`SELECT 1 FROM matching_audit_outbox`)).toEqual([]);
    const seqs = (await events()).map((e) => Number(e.seq));
    expect(seqs).toEqual(seqs.map((_, k) => k + 1));
    expect(await nodes[1].audit.verify()).toEqual({ ok: true, events: seqs.length });
  });

  it('keeps the order one writer wrote in, the data as written, and when each event happened', async () => {
    const before = (await events()).length;
    const started = Date.now();
    await nodes[0].ds.transaction(async (m) => {
      for (let i = 0; i < 5; i++) await nodes[0].outbox.add(m, 'test.ordered', { actorRole: 'system', data: { i } });
    });
    // Chained later, by the other node: each keeps the time it was written, not the time it was chained.
    await new Promise((r) => setTimeout(r, 300));
    await nodes[1].outbox.flush();
    const chained = (await events()).slice(before);
    expect(chained.map((e) => e.data)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
    for (const e of chained) {
      expect(e.occurred_at.getTime()).toBeGreaterThanOrEqual(started);
      expect(e.occurred_at.getTime()).toBeLessThan(started + 300);
    }
  });

  it('lets a writer commit while the chain is locked: no writer takes the chain lock', async () => {
    const holder = nodes[1].ds.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query('SELECT 1 FROM audit_chain_head FOR UPDATE');
    try {
      await nodes[0].ds.transaction(async (m) => {
        await m.query(`SET LOCAL lock_timeout = '2s'`);
        await nodes[0].outbox.add(m, 'test.while_locked', { data: { n: 1 } });
      });
      expect(await sql(`SELECT type FROM matching_audit_outbox`)).toEqual([{ type: 'test.while_locked' }]);
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    await nodes[0].outbox.chained();
    expect(await sql(`SELECT type FROM audit_events WHERE type = 'test.while_locked'`)).toHaveLength(1);
  });

  it('answers a writer only once its event is in the chain, even while another node is draining', async () => {
    // The other node holds the drain (its advisory lock) for a moment: this node waits its turn.
    const other = nodes[1].ds.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    await other.query(`SELECT pg_advisory_xact_lock(${0x6f7574626f78})`);
    const recorded = nodes[0].outbox.record('test.waited', { data: { n: 2 } });
    await new Promise((r) => setTimeout(r, 300));
    expect(await sql(`SELECT 1 FROM audit_events WHERE type = 'test.waited'`)).toEqual([]);
    await other.commitTransaction();
    await other.release();
    await recorded;
    expect(await sql(`SELECT 1 FROM audit_events WHERE type = 'test.waited'`)).toHaveLength(1);
  });

  it('refuses the purge checkpoint from any writer', async () => {
    await expect(nodes[0].outbox.record('audit.purged', { data: {} })).rejects.toThrow(/written by the purge only/);
  });
});
