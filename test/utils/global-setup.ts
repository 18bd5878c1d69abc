import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrationsLocked } from '../../src/database/migrate';
import { LanguagesCatalogueLoader } from '../../src/languages/languages-catalogue.loader';
import { ensureClientBuilt, ensureServerBuilt } from './client-build';
import { adminQuery, dbUrl, templateDb } from './db';

/** Builds this run's migrated template databases once (the migrations themselves are under test). */
export default async function globalSetup() {
  // Inherited by the test workers, which jest starts after this.
  process.env.PUENTE_TEST_RUN = randomBytes(4).toString('hex');
  // Once per run, before any worker starts, the compiled server (for tests that spawn nodes) and the web client (two
  // browser test files starting together on a fresh clone would otherwise both build client/dist, one emptying it
  // under the other's server); meanwhile the template database is migrated.
  await Promise.all([migrateTemplate(), ensureServerBuilt(), ensureClientBuilt()]);
}

/** The templates of test/utils/db.ts: the migrated schema, then a copy of it with the language catalogue. */
async function migrateTemplate() {
  await adminQuery(`CREATE DATABASE ${templateDb('bare')}`);
  const bare = await new DataSource(dataSourceOptions(dbUrl(templateDb('bare')))).initialize();
  try {
    await runMigrationsLocked(bare);
  } finally {
    await bare.destroy();
  }
  await adminQuery(`CREATE DATABASE ${templateDb('catalogue')} TEMPLATE ${templateDb('bare')}`);
  const full = await new DataSource(dataSourceOptions(dbUrl(templateDb('catalogue')))).initialize();
  // The loader every node runs at start-up, silenced: its one line would land in the run's output.
  Logger.overrideLogger(['error', 'fatal']);
  try {
    await new LanguagesCatalogueLoader(full).onModuleInit();
  } finally {
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
    await full.destroy();
  }
}
