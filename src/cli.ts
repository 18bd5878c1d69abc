import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditModule } from './audit/audit.module';
import { ConfigModule } from './config/config.module';
import { AppConfig, ConfigError, loadConfig } from './config/config.schema';
import { DatabaseModule } from './database/database.module';
import { dataSourceOptions } from './database/data-source-options';
import { runMigrationsLocked } from './database/migrate';
import { serve } from './main';
import { UsersModule } from './users/users.module';
import { UsersService } from './users/users.service';

const USAGE = `usage: puente <command>
  serve                              migrate (unless DATABASE_MIGRATE=false) and serve
  migrate                            apply pending migrations
  demo                               migrate, load the demo roster and accounts, and serve
  create-admin EMAIL PASSWORD        create a platform admin`;

export async function migrate(config: Pick<AppConfig, 'DATABASE_URL'>) {
  const ds = await new DataSource(dataSourceOptions(config.DATABASE_URL)).initialize();
  try {
    const done = await runMigrationsLocked(ds);
    console.log(done.length ? `applied ${done.map((m) => m.name).join(', ')}` : 'database is up to date');
  } finally {
    await ds.destroy();
  }
}

/** A small context for commands that need the database but no HTTP server or media workers. */
function cliModule(config: AppConfig) {
  @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule, AuditModule, UsersModule] })
  class CliModule {}
  return CliModule;
}

async function createAdmin(config: AppConfig, email?: string, password?: string) {
  if (!email || !password) throw new ConfigError('usage: npm run cli -- create-admin EMAIL PASSWORD');
  const ctx = await NestFactory.createApplicationContext(cliModule(config), { logger: ['error'] });
  try {
    const user = await ctx.get(UsersService).create({ role: 'platform_admin', email, password }, null);
    console.log(`created platform admin ${user.email} (${user.id})`);
  } finally {
    await ctx.close();
  }
}

/**
 * The signing key of the demo on this database: random, generated on its first run and kept in the database
 * (table demo_secret), so that its tokens survive a restart and no two demo databases share one. Migrates first.
 */
export async function demoSecret(databaseUrl: string): Promise<string> {
  await migrate({ DATABASE_URL: databaseUrl });
  const ds = await new DataSource(dataSourceOptions(databaseUrl)).initialize();
  try {
    await ds.query(`INSERT INTO demo_secret (jwt_secret) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [randomBytes(32).toString('hex')]);
    const [{ jwt_secret }] = await ds.query(`SELECT jwt_secret FROM demo_secret`);
    return jwt_secret;
  } finally {
    await ds.destroy();
  }
}

/** What `npm run demo` does before serving: migrate, then load the demo roster and accounts. */
export async function prepareDemo(config: AppConfig) {
  const { loadDemo } = await import('./demo/demo-seed');
  await migrate(config);
  await loadDemo(config);
}

/**
 * The demo's environment: a caller who gives no country is served as if she called from Guatemala (its roster and
 * those sharing with it) unless HOME_COUNTRY says otherwise, so `npm run demo` works with nothing set.
 */
export function demoEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  if (env.HOME_COUNTRY) return env;
  console.log('demo: HOME_COUNTRY is not set; the demo uses GT (Guatemala) as the home roster');
  return { ...env, HOME_COUNTRY: 'GT' };
}

async function main(argv: string[]) {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
      await serve(process.env);
      return;
    case 'migrate':
      return migrate(loadConfig(process.env, { signsTokens: false }));
    case 'demo': {
      // The operator's JWT_SECRET if she gave one; otherwise the demo's own (never the published development value).
      const env = demoEnv(process.env);
      if (!env.JWT_SECRET) env.JWT_SECRET = await demoSecret(loadConfig(env, { signsTokens: false }).DATABASE_URL);
      const config = loadConfig(env);
      await prepareDemo(config);
      await serve(env);
      console.log(`Puente demo is running on http://localhost:${config.PORT} (see README.md for the demo accounts)`);
      return;
    }
    case 'create-admin':
      return createAdmin(loadConfig(process.env, { signsTokens: false }), args[0], args[1]);
    default:
      throw new ConfigError(USAGE);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    const response = e?.getResponse?.();
    const detail =
      response && typeof response === 'object' && Array.isArray(response.message) ? response.message.join('; ') : (e?.message ?? String(e));
    console.error(`puente: ${detail}`);
    process.exit(1);
  });
}
