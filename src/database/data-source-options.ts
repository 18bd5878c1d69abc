import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    // Several nodes may start at once; TypeORM takes an advisory lock around migrations.
    logging: false,
    // A pool that runs dry must fail a request, not hang the node.
    extra: { max: 20, application_name: 'puente', connectionTimeoutMillis: 10_000 },
  };
}
