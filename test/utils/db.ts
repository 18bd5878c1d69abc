import { Client, Pool } from 'pg';
import { randomBytes } from 'node:crypto';

/** The server that tests use; a database per test file is cloned from a migrated template. */
export const TEST_PG_BASE = process.env.TEST_DATABASE_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
/** Names are per test run (set by global-setup), so that runs on one machine never touch each other's databases. */
export const runId = () => process.env.PUENTE_TEST_RUN ?? 'adhoc';
/**
 * Two templates: the migrated schema alone (`bare`: a deployment's database before its first start), and the same
 * with the language catalogue that every node loads at start-up (about 8,000 rows, which each app would otherwise
 * insert again into its fresh clone, trigram index and all).
 */
export const templateDb = (kind: 'bare' | 'catalogue' = 'catalogue') => `puente_test_${runId()}_template${kind === 'bare' ? '_bare' : ''}`;

export function dbUrl(name: string) {
  return `${TEST_PG_BASE}/${name}`;
}

export async function adminQuery<T = unknown>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> {
  const client = new Client({ connectionString: dbUrl(database) });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * A few connections kept open to one test database, for a test's own queries (t.sql). A connection per query (as
 * adminQuery makes) costs PostgreSQL a backend's start each time, 10-35 ms of CPU on this kind of VM, and tests
 * poll the database every 50 ms while they wait: the fuzzing of the REST routes spent 21 of its 25 s connecting.
 */
export function sqlPool(database: string) {
  const pool = new Pool({
    connectionString: dbUrl(database),
    max: 3,
    idleTimeoutMillis: 5000,
    allowExitOnIdle: true,
    application_name: 'puente-tests',
  });
  // A connection that the test itself terminates (a dropped database, a killed backend) is dropped from the pool.
  pool.on('error', () => undefined);
  return {
    sql: async <T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> =>
      (await pool.query(query, params)).rows as T[],
    end: () => pool.end().catch(() => undefined),
  };
}

/**
 * Drops a test database without making the test wait for it: DROP DATABASE forces a checkpoint of the whole server,
 * seconds while other databases are busy, and nothing after a test file's last step depends on it. A drop cut short
 * by the end of the run is finished by the global teardown, which drops whatever this run left.
 */
export function dropTestDatabase(name: string): Promise<void> {
  void adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  return Promise.resolve();
}

/**
 * A fresh, migrated database for one test file (CREATE DATABASE ... TEMPLATE is a file copy: fast), with the language
 * catalogue unless `catalogue: false`.
 */
export async function createTestDatabase(
  options: { catalogue?: boolean } = {},
): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `puente_test_${runId()}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${templateDb(options.catalogue === false ? 'bare' : 'catalogue')}`);
  return { name, url: dbUrl(name), drop: () => dropTestDatabase(name) };
}
