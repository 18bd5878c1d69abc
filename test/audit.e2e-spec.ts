import { AuditService } from '../src/audit/audit.service';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

describe('audit log (PostgreSQL)', () => {
  let t: TestApp;
  let audit: AuditService;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestApp();
    audit = t.app.get(AuditService);
    adminToken = (await createStaff(t, 'platform_admin')).token;
  });
  afterAll(() => t.close());

  const verify = () => t.http().get('/api/v1/audit/verify').set('Authorization', `Bearer ${adminToken}`).expect(200);
  const tamper = async (sql: string, params: unknown[]) => {
    await t.sql(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`);
    await t.sql(sql, params);
    await t.sql(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`);
  };

  it('chains events appended concurrently and verifies them', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => audit.record('test.event', { data: { i } })));
    const res = await verify();
    expect(res.body.ok).toBe(true);
    const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events`);
    expect(res.body.events).toBe(n);
    const seqs = await t.sql<{ seq: string }>(`SELECT seq FROM audit_events ORDER BY seq`);
    expect(seqs.map((r) => Number(r.seq))).toEqual(seqs.map((_, i) => i + 1));
  });

  it('refuses updates and deletes in the database itself', async () => {
    await expect(t.sql(`UPDATE audit_events SET type = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.sql(`DELETE FROM audit_events WHERE seq = 1`)).rejects.toThrow(/append-only/);
  });

  it('finds an altered row', async () => {
    const [row] = await t.sql<{ id: string }>(`SELECT id FROM audit_events WHERE seq = 5`);
    await tamper(`UPDATE audit_events SET data = '{"i": 999}' WHERE id = $1`, [row.id]);
    const res = await verify();
    expect(res.body).toMatchObject({ ok: false, firstBadId: row.id });
    expect(res.body.events).toBe(4);
  });

  it('finds a deleted row', async () => {
    const t2 = await startTestApp();
    try {
      const a2 = t2.app.get(AuditService);
      for (let i = 0; i < 10; i++) await a2.record('test.event', { data: { i } });
      const admin = await createStaff(t2, 'platform_admin');
      const [after] = await t2.sql<{ id: string }>(`SELECT id FROM audit_events WHERE seq = 7`);
      await t2.sql(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`);
      await t2.sql(`DELETE FROM audit_events WHERE seq = 6`);
      const res = await t2.http().get('/api/v1/audit/verify').set('Authorization', `Bearer ${admin.token}`).expect(200);
      expect(res.body).toMatchObject({ ok: false, events: 5, firstBadId: after.id });
    } finally {
      await t2.close();
    }
  });

  it('is for platform admins only', async () => {
    const ra = await createStaff(t, 'roster_admin', { country: 'GT' });
    await t.http().get('/api/v1/audit/verify').set('Authorization', `Bearer ${ra.token}`).expect(403);
  });
});
