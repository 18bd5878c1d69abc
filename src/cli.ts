import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { generateVAPIDKeys } from 'web-push';
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

export interface DemoSecrets {
  jwtSecret: string;
  vapidPublicKey: string;
  vapidPrivateKey: string;
}

/**
 * The demo's keys on this database: its token signing key and its VAPID key pair (offers by Web Push), random,
 * generated on its first run and kept in the database (table demo_secret), so that its tokens and interpreters'
 * push subscriptions survive a restart and no two demo databases share them. Migrates first.
 */
export async function demoSecrets(databaseUrl: string): Promise<DemoSecrets> {
  await migrate({ DATABASE_URL: databaseUrl });
  const ds = await new DataSource(dataSourceOptions(databaseUrl)).initialize();
  try {
    const vapid = generateVAPIDKeys();
    await ds.query(`INSERT INTO demo_secret (jwt_secret) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [randomBytes(32).toString('hex')]);
    // A demo database from before push has its signing key and no VAPID pair yet.
    await ds.query(`UPDATE demo_secret SET vapid_public_key = $1, vapid_private_key = $2 WHERE vapid_public_key IS NULL`, [
      vapid.publicKey,
      vapid.privateKey,
    ]);
    const [row] = await ds.query(`SELECT jwt_secret, vapid_public_key, vapid_private_key FROM demo_secret`);
    return { jwtSecret: row.jwt_secret, vapidPublicKey: row.vapid_public_key, vapidPrivateKey: row.vapid_private_key };
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
      // The operator's JWT_SECRET and VAPID keys if she gave them; otherwise the demo's own (never the published
      // development value).
      const env = demoEnv(process.env);
      if (!env.JWT_SECRET || !env.VAPID_PUBLIC_KEY) {
        const own = await demoSecrets(loadConfig(env, { signsTokens: false }).DATABASE_URL);
        env.JWT_SECRET ||= own.jwtSecret;
        if (!env.VAPID_PUBLIC_KEY && !env.VAPID_PRIVATE_KEY) {
          env.VAPID_PUBLIC_KEY = own.vapidPublicKey;
          env.VAPID_PRIVATE_KEY = own.vapidPrivateKey;
        }
      }
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
