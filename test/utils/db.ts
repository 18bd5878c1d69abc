import { Client } from 'pg';
import { randomBytes } from 'node:crypto';

/** The server that tests use; a database per test file is cloned from a migrated template. */
export const TEST_PG_BASE = process.env.TEST_DATABASE_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
/** Names are per test run (set by global-setup), so that runs on one machine never touch each other's databases. */
export const runId = () => process.env.PUENTE_TEST_RUN ?? 'adhoc';
export const templateDb = () => `puente_test_${runId()}_template`;

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

/** A fresh, migrated database for one test file (CREATE DATABASE ... TEMPLATE is a file copy: fast). */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `puente_test_${runId()}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${templateDb()}`);
  return {
    name,
    url: dbUrl(name),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined),
  };
}
