import type { NestExpressApplication } from '@nestjs/platform-express';
import { hash } from '@node-rs/argon2';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import type { AppOptions } from '../../src/app-options';
import { createApp } from '../../src/app.setup';
import { AppConfig, loadConfig } from '../../src/config/config.schema';
import type { StaffRole } from '../../src/common/domain';
import { createTestDatabase, sqlPool } from './db';
import { freePort, freePorts } from './ports';
import { insertStaffRow } from './staff-row';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  url: string;
  dbName: string;
  http: () => ReturnType<typeof request>;
  /** Runs SQL on this test's own database. */
  sql: <T = Record<string, unknown>>(query: string, params?: unknown[]) => Promise<T[]>;
  close: () => Promise<void>;
}

export { freePort, freePorts } from './ports';

/**
 * Every per-address and per-token limit raised out of the way: all the tests' clients share one address.
 * test/security/ puts back the ones it attacks.
 */
export const RAISED_LIMITS: Record<string, string> = {
  RATE_LIMIT_PER_MINUTE: '100000',
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  RATE_LIMIT_JOIN_PER_MINUTE: '100000',
  RATE_LIMIT_CALLER_TOKENS_PER_HOUR: '100000',
  MAX_SOCKETS_PER_ADDRESS: '100000',
  MAX_LIVE_REQUESTS_PER_ADDRESS: '100000',
  CALLER_EVENTS_PER_10_SECONDS: '100000',
};

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REDIS_PREFIX: `t${randomBytes(5).toString('hex')}`,
    MEDIASOUP_WORKERS: '1',
    MEDIASOUP_LISTEN_IP: '127.0.0.1',
    ...RAISED_LIMITS,
    ...overrides,
  };
}

/**
 * Environment overrides (upper-case names, string values) and, in lower case, how the app is built:
 * - `media: false` starts no mediasoup worker, for suites that make no call; any media operation in that app is
 *   answered with MediaOffError's message ("media is off in this application");
 * - `catalogue: false` starts on a database without the language catalogue, as a deployment's first start does
 *   (by default the clone has it already: test/utils/db.ts).
 */
export type TestAppOptions = { media?: boolean; catalogue?: boolean } & Record<string, string | boolean | undefined>;
const APP_BUILD_OPTIONS = ['media', 'catalogue'];

function splitOptions(options: TestAppOptions): { env: Record<string, string>; app: AppOptions } {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options)) {
    if (APP_BUILD_OPTIONS.includes(name) || value === undefined) continue;
    if (typeof value !== 'string') throw new Error(`startTestApp: ${name} must be a string (environment) or a known option`);
    env[name] = value;
  }
  return { env, app: options.media === false ? { media: false } : {} };
}

/**
 * The whole application against the real PostgreSQL (a fresh database of its own), Redis (its own key
 * prefix) and a real mediasoup worker (unless `media: false`), listening on a free port.
 */
export async function startTestApp(options: TestAppOptions = {}, serve: Pick<AppOptions, 'clientDirs'> = {}): Promise<TestApp> {
  const { env: overrides, app: built } = splitOptions(options);
  const appOptions: AppOptions = { ...built, ...serve };
  const db = overrides.DATABASE_URL ? null : await createTestDatabase({ catalogue: options.catalogue !== false });
  const port = await freePort();
  const rtcPort: Record<string, string> =
    appOptions.media === false ? {} : { MEDIASOUP_RTC_PORT: String(await freePorts(Number(overrides.MEDIASOUP_WORKERS ?? 1))) };
  const config = loadConfig(testEnv({ DATABASE_URL: db?.url ?? '', PORT: String(port), ...rtcPort, ...overrides }));
  const app = await createApp(config, appOptions);
  try {
    await app.listen(config.PORT, '127.0.0.1');
  } catch (e) {
    await app.close().catch(() => undefined);
    await db?.drop();
    throw e;
  }
  const dbName = db?.name ?? new URL(config.DATABASE_URL).pathname.slice(1);
  const own = sqlPool(dbName);
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    dbName,
    http: () => request(app.getHttpServer()),
    sql: own.sql,
    close: async () => {
      await app.close();
      await own.end();
      await db?.drop();
    },
  };
}

export const TEST_PASSWORD = 'Test-Password-2026';
let passwordHash: Promise<string> | undefined;

/**
 * Inserts a staff account directly (tests of the users API create theirs through it). The database requires an
 * interpreter account to name an interpreter of her own country's roster: without `interpreterId`, one is
 * added to the roster of `country` (GT when none is given), with no languages.
 */
export async function createStaff(
  t: TestApp,
  role: StaffRole,
  fields: { country?: string; institution?: string; interpreterId?: string; email?: string } = {},
): Promise<{ id: string; email: string; token: string }> {
  const email = fields.email ?? `${role}-${randomUUID().slice(0, 8)}@test.puente.example`;
  passwordHash ??= hash(TEST_PASSWORD);
  const country = fields.country ?? (role === 'interpreter' ? 'GT' : null);
  let interpreterId = fields.interpreterId ?? null;
  if (role === 'interpreter' && !interpreterId) {
    const externalId = `staff-${randomUUID().slice(0, 12)}`;
    [{ id: interpreterId }] = await t.sql<{ id: string }>(
      `INSERT INTO interpreters (country, external_id, first_name, email, certification_body) VALUES ($1, $2, 'Test', $3, 'TEST') RETURNING id`,
      [country, externalId, `${externalId}@test.puente.example`],
    );
  }
  const row = {
    id: await insertStaffRow(t.sql, {
      email,
      passwordHash: await passwordHash,
      role,
      country,
      institution: fields.institution,
      interpreterId,
    }),
  };
  const res = await t.http().post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD }).expect(200);
  return { id: row.id, email, token: res.body.accessToken };
}
