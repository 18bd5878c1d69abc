import { PG, pgCode } from './pg-errors';

const RETRYABLE = new Set<string>([PG.SERIALIZATION_FAILURE, PG.DEADLOCK_DETECTED]);

/** Re-runs a transaction that PostgreSQL aborted to break a deadlock or a serialization conflict. */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !RETRYABLE.has(pgCode(e) ?? '')) throw e;
      await new Promise((r) => setTimeout(r, 5 * i + Math.random() * 20));
    }
  }
}
