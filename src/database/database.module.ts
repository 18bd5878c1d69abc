import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config.schema';
import { dataSourceOptions } from './data-source-options';
import { runMigrationsLocked } from './migrate';

/**
 * The setting each connection carries (WRAPUP_SECONDS: src/database/data-source-options.ts) must reach PostgreSQL: an
 * `options` parameter in DATABASE_URL replaces it, and a pooler may drop it, and wrap-up time would silently be none.
 */
class ConnectionSettingsError extends Error {}

async function assertConnectionSettings(ds: DataSource, options: { extra?: { options?: string } }) {
  const wanted = /puente\.wrapup_seconds=(\S+)/.exec(options.extra?.options ?? '')?.[1];
  if (!wanted) return;
  const [{ v }] = await ds.query(`SELECT current_setting('puente.wrapup_seconds', true) AS v`);
  if (v !== wanted) {
    await ds.destroy();
    throw new ConnectionSettingsError(
      'PostgreSQL did not receive the connection setting puente.wrapup_seconds (WRAPUP_SECONDS): remove any options= parameter from DATABASE_URL, or connect without a pooler that drops startup options',
    );
  }
}

/** PostgreSQL through TypeORM. The schema comes only from migrations/ (never `synchronize`). */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.DATABASE_URL, { wrapupSeconds: config.wrapupSeconds }),
        autoLoadEntities: true,
        migrationsRun: config.DATABASE_MIGRATE,
        // A database that is not up yet is tried again; settings that cannot work are not.
        toRetry: (e: unknown) => !(e instanceof ConnectionSettingsError),
      }),
      // Migrations run here, under an advisory lock (TypeORM's own migrationsRun takes none), and before any
      // repository is handed out, so that modules may read their tables at start-up.
      dataSourceFactory: async (options) => {
        const ds = await new DataSource({ ...options!, migrationsRun: false }).initialize();
        await assertConnectionSettings(ds, options as { extra?: { options?: string } });
        if (options!.migrationsRun) await runMigrationsLocked(ds);
        return ds;
      },
    }),
  ],
})
export class DatabaseModule {}
