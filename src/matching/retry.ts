const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock detected

/** Re-runs a transaction that PostgreSQL aborted to break a deadlock or a serialization conflict. */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !RETRYABLE.has((e as { code?: string }).code ?? '')) throw e;
      await new Promise((r) => setTimeout(r, 5 * i + Math.random() * 20));
    }
  }
}
