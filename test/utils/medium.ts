import { DynamicModule, INestApplicationContext, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { ConfigModule } from '../../src/config/config.module';
import { AppConfig, loadConfig } from '../../src/config/config.schema';
import { DatabaseModule } from '../../src/database/database.module';
import { createTestDatabase } from './db';
import { testEnv } from './test-app';

/**
 * The middle tier (test/medium/*.medium-spec.ts): services, repositories and SQL against a clone of the migrated
 * template database, without HTTP, sockets or mediasoup. One per test file, in beforeAll: a clone costs tens of
 * milliseconds, a Nest context of a few modules a fraction of a second.
 */
export interface MediumDb {
  /** The clone's name and URL (dropped by close). */
  name: string;
  url: string;
  /** One connection of its own, for fixtures and checks; `BEGIN`/`ROLLBACK` around each case keeps cases apart. */
  client: Client;
  sql: <T = Record<string, unknown>>(query: string, params?: unknown[]) => Promise<T[]>;
  close: () => Promise<void>;
}

/** `catalogue: false`: without the language catalogue, for cases that insert the languages they need. */
export async function startMediumDb(options: { catalogue?: boolean } = {}): Promise<MediumDb> {
  const db = await createTestDatabase(options);
  const client = new Client({ connectionString: db.url });
  try {
    await client.connect();
  } catch (e) {
    await db.drop();
    throw e;
  }
  return {
    name: db.name,
    url: db.url,
    client,
    sql: async (query, params = []) => (await client.query(query, params)).rows,
    close: async () => {
      await client.end().catch(() => undefined);
      await db.drop();
    },
  };
}

export interface Medium extends MediumDb {
  config: AppConfig;
  /** The Nest context of the modules under test (no HTTP server): `get(SomeService)`. */
  context: INestApplicationContext;
  get: INestApplicationContext['get'];
  /** The modules' own TypeORM DataSource (its pool, its entities). */
  dataSource: DataSource;
}

/**
 * A Nest application context of `modules` (and the configuration and database modules they rest on) over a fresh
 * clone of the template database. Modules that need Redis, queues or sockets belong in an e2e test, or bring their
 * own module here. `env` overrides configuration as in startTestApp.
 */
export async function startMedium(
  modules: (Type | DynamicModule)[],
  env: Record<string, string> = {},
  options: { catalogue?: boolean } = {},
): Promise<Medium> {
  const db = await startMediumDb(options);
  try {
    // The clone is migrated already; the SQL sources too (the template ran every migrate step).
    const config = loadConfig(testEnv({ DATABASE_URL: db.url, DATABASE_MIGRATE: 'false', ...env }));
    @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule, ...modules] })
    class MediumModule {}
    const context = await NestFactory.createApplicationContext(MediumModule, { logger: false });
    return {
      ...db,
      config,
      context,
      get: context.get.bind(context),
      dataSource: context.get<DataSource>(getDataSourceToken()),
      close: async () => {
        await context.close();
        await db.close();
      },
    };
  } catch (e) {
    await db.close();
    throw e;
  }
}
