import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrationsLocked } from '../../src/database/migrate';
import { ensureClientBuilt, ensureServerBuilt } from './client-build';
import { adminQuery, dbUrl, templateDb } from './db';

/** Builds this run's migrated template database once (the migrations themselves are under test). */
export default async function globalSetup() {
  // Inherited by the test workers, which jest starts after this.
  process.env.PUENTE_TEST_RUN = randomBytes(4).toString('hex');
  await adminQuery(`CREATE DATABASE ${templateDb()}`);
  const ds = await new DataSource(dataSourceOptions(dbUrl(templateDb()))).initialize();
  await runMigrationsLocked(ds);
  await ds.destroy();
  // Once per run, before any worker starts: the compiled server (for tests that spawn nodes) and the web client
  // (two browser test files starting together on a fresh clone would otherwise both build client/dist, one
  // emptying it under the other's server).
  ensureServerBuilt();
  ensureClientBuilt();
}
