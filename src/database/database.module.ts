import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config.schema';
import { dataSourceOptions } from './data-source-options';
import { runMigrationsLocked } from './migrate';

/** PostgreSQL through TypeORM. The schema comes only from migrations/ (never `synchronize`). */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.DATABASE_URL, { wrapupSeconds: config.wrapupSeconds }),
        autoLoadEntities: true,
        migrationsRun: config.DATABASE_MIGRATE,
      }),
      // Migrations run here, under an advisory lock (TypeORM's own migrationsRun takes none), and before any
      // repository is handed out, so that modules may read their tables at start-up.
      dataSourceFactory: async (options) => {
        const ds = await new DataSource({ ...options!, migrationsRun: false }).initialize();
        if (options!.migrationsRun) await runMigrationsLocked(ds);
        return ds;
      },
    }),
  ],
})
export class DatabaseModule {}
