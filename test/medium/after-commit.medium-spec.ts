import { DataSource } from 'typeorm';
import { afterCommit } from '../../src/database/after-commit';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { startMediumDb, type MediumDb } from '../utils/medium';

/**
 * `afterCommit` against the real PostgreSQL through TypeORM: work runs once what it follows is committed, never if
 * that rolls back, and only at the outermost commit (what a session's end is announced by).
 */
describe('afterCommit', () => {
  let db: MediumDb;
  let ds: DataSource;
  beforeAll(async () => {
    db = await startMediumDb({ catalogue: false });
    ds = await new DataSource({ ...dataSourceOptions(db.url), entities: [] }).initialize();
    await ds.query(`CREATE TABLE marks (n int)`);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.close();
  });

  /** What another connection sees when the work runs. */
  const seen = (n: number) => db.sql<{ c: number }>(`SELECT count(*)::int AS c FROM marks WHERE n = $1`, [n]).then((r) => r[0].c);

  it('runs after the commit, when another connection sees what was written', async () => {
    const runs: Promise<number>[] = [];
    await ds.transaction(async (m) => {
      await m.query(`INSERT INTO marks VALUES (1)`);
      afterCommit(m, () => runs.push(seen(1)));
      expect(runs).toHaveLength(0);
    });
    expect(runs).toHaveLength(1);
    expect(await runs[0]).toBe(1);
  });

  it('never runs when the transaction rolls back, nor at the next commit of the same connection', async () => {
    let ran = 0;
    await expect(
      ds.transaction(async (m) => {
        await m.query(`INSERT INTO marks VALUES (2)`);
        afterCommit(m, () => ran++);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await ds.transaction((m) => m.query(`INSERT INTO marks VALUES (3)`));
    expect(ran).toBe(0);
    expect(await seen(2)).toBe(0);
  });

  it('waits for the outermost commit, not a nested transaction released', async () => {
    let ran = 0;
    await ds.transaction(async (m) => {
      await m.transaction(async (inner) => {
        afterCommit(inner, () => ran++);
      });
      expect(ran).toBe(0);
    });
    expect(ran).toBe(1);
  });

  it('drops what a nested transaction queued when it rolls back, and runs the rest at the outer commit', async () => {
    const ran: string[] = [];
    await ds.transaction(async (m) => {
      afterCommit(m, () => ran.push('outer'));
      await m.transaction(async (first) => afterCommit(first, () => ran.push('first')));
      await m
        .transaction(async (inner) => {
          afterCommit(inner, () => ran.push('inner'));
          throw new Error('inner rolled back');
        })
        .catch(() => undefined);
      await m.transaction(async (kept) => afterCommit(kept, () => ran.push('kept')));
    });
    expect(ran).toEqual(['outer', 'first', 'kept']);
  });

  it('runs at once outside any transaction (each statement commits on its own)', async () => {
    let ran = 0;
    await ds.manager.query(`INSERT INTO marks VALUES (4)`);
    afterCommit(ds.manager, () => ran++);
    expect(ran).toBe(1);
  });

  it('a failing piece of work is not the transaction failing, and the next one still runs', async () => {
    let ran = 0;
    await ds.transaction(async (m) => {
      afterCommit(m, () => {
        throw new Error('listener failed');
      });
      afterCommit(m, () => ran++);
    });
    expect(ran).toBe(1);
  });
});
