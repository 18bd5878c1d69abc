import type { EntityManager } from 'typeorm';

/**
 * Runs SQL and returns its rows. TypeORM's postgres driver answers UPDATE and DELETE with
 * `[rows, affected]` but SELECT and INSERT with `rows`; this hides the difference.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers name their row type; the default is for ad-hoc reads
export async function rows<T = Record<string, any>>(m: Pick<EntityManager, 'query'>, sql: string, params: unknown[] = []): Promise<T[]> {
  const res = await m.query(sql, params);
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number') return res[0] as T[];
  return res as T[];
}
