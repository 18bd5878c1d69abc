import { adminQuery, runId } from './db';

/** Drops what this run created (test files drop their own databases without waiting; this finishes those and catches a crashed one's). */
export default async function globalTeardown() {
  const left = await adminQuery<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`puente_test_${runId()}_%`]);
  for (const { datname } of left) await adminQuery(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
}
