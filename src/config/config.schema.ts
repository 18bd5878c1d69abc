import { Transform, plainToInstance } from 'class-transformer';
import { DEFAULT_WRAPUP_SECONDS, parseWrapupSeconds, type WrapupSeconds } from '../wrapup/wrapup-seconds';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsIP,
  IsOptional,
  IsString,
  isFQDN,
  isIP,
  Matches,
  Max,
  Min,
  MaxLength,
  MinLength,
  ValidateBy,
  validateSync,
} from 'class-validator';
import { cpus } from 'node:os';
import { COUNTRY_CODES } from '../common/countries';

/** Published in this repository: accepted only when NODE_ENV is development or test. */
export const DEV_JWT_SECRET = 'puente-development-secret-do-not-use-in-production';

const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;
const toBool = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;

/** An address clients can be sent to: an IP address other than 0.0.0.0 or ::, or a host name (RFC 1123 labels). */
export function isAnnounceableAddress(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (isIP(value)) return !/^(0\.0\.0\.0|::|0:0:0:0:0:0:0:0)$/.test(value);
  return value.length <= 253 && isFQDN(value, { require_tld: false });
}

const IsAnnounceableAddress = () =>
  ValidateBy({
    name: 'isAnnounceableAddress',
    validator: {
      validate: isAnnounceableAddress,
      defaultMessage: (a) => `${a?.property} must be an IP address (not 0.0.0.0 or ::) or a host name (got "${a?.value}")`,
    },
  });

/**
 * Every setting Puente reads from the environment, validated once at start-up. Names are the
 * environment variables themselves so that an error names exactly what the operator must fix.
 *
 * Durations: a duration's name ends with its unit, spelled out, and its value is a number of that unit.
 * The unit is seconds (`_SECONDS`: OFFER_RING_SECONDS, JWT_TTL_SECONDS, MATCHING_SWEEP_SECONDS...), except
 * lengths measured against a hearing's own length, which the booking API gives in minutes (`durationMinutes`):
 * `_MINUTES` (BOOKING_BUFFER_MINUTES, BOOKING_OVERRUN_MINUTES), and the retention period, in days
 * (RETENTION_DAYS). Never milliseconds. Values are whole numbers, except the two sweep intervals, which take a
 * decimal (0.5) so that tests can sweep twice a second. Rates name their window the same way
 * (RATE_LIMIT_PER_MINUTE, CALLER_EVENTS_PER_10_SECONDS). A renamed setting is refused at start-up with its new
 * name (RENAMED_MS below), so a deployment never runs with a value it set but is no longer read.
 */
export class AppConfig {
  /** Unset counts as production: only development and test run with the published development JWT_SECRET. */
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'production';

  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/puente';

  @Transform(toBool)
  @IsBoolean()
  DATABASE_MIGRATE = true;

  @IsString()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Namespace for every Redis key and Bull queue, so deployments (and test runs) can share a Redis. */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'REDIS_PREFIX must be 1-40 letters, digits, _ or -' })
  REDIS_PREFIX = 'puente';

  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET = DEV_JWT_SECRET;

  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  JWT_TTL_SECONDS = 8 * 3600;

  @IsInt()
  @Min(60)
  @Max(24 * 3600)
  CALLER_TOKEN_TTL_SECONDS = 4 * 3600;

  /** Free failed logins per (email, address) before growing delays, up to LOGIN_LOCKOUT_SECONDS (src/auth/login-lockout.ts). */
  @IsInt()
  @Min(1)
  @Max(100)
  LOGIN_MAX_FAILURES = 5;

  @IsInt()
  @Min(10)
  @Max(24 * 3600)
  LOGIN_LOCKOUT_SECONDS = 900;

  @IsInt()
  @Min(1)
  @Max(64)
  MEDIASOUP_WORKERS = Math.max(1, cpus().length);

  @IsInt()
  @Min(1024)
  @Max(65535)
  MEDIASOUP_RTC_PORT = 40000;

  @IsIP()
  MEDIASOUP_LISTEN_IP = '0.0.0.0';

  /** Given to clients as where to send media: the public IP (or a host name that resolves to it). */
  @IsAnnounceableAddress()
  MEDIASOUP_ANNOUNCED_ADDRESS = '127.0.0.1';

  @IsOptional()
  @IsString()
  MEDIASOUP_WORKER_BIN?: string;

  @Transform(toList)
  @Matches(/^turns?:[^\s]+$/, { each: true, message: 'TURN_URLS must be a comma-separated list of turn: or turns: URLs' })
  TURN_URLS: string[] = [];

  @IsOptional()
  @IsString()
  TURN_USERNAME?: string;

  @IsOptional()
  @IsString()
  TURN_CREDENTIAL?: string;

  /** coturn's static-auth-secret: when set, clients get time-limited credentials derived from it. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'TURN_SECRET must be at least 16 characters' })
  TURN_SECRET?: string;

  @Transform(toList)
  @Matches(/^https?:\/\/[^\s/]+$/, {
    each: true,
    message: 'PUBLIC_ORIGINS must be a comma-separated list of http(s)://host[:port] origins',
  })
  PUBLIC_ORIGINS: string[] = ['http://localhost:3000', 'http://127.0.0.1:3000'];

  @IsInt()
  @Min(1)
  @Max(3650)
  RETENTION_DAYS = 365;

  /** How often one node runs the retention purge (a repeatable Bull job). */
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 3600)
  RETENTION_PURGE_EVERY_SECONDS = 6 * 3600;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>` (Prometheus's bearer credentials). With
   * NODE_ENV=production and no token, /metrics is closed.
   */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /**
   * Which proxies to trust for the client address (Express's `trust proxy`): `loopback` when a proxy runs on
   * the same host, a subnet such as `172.16.0.0/12` behind Docker, or `false`. Rate limits count per address.
   */
  @IsString()
  @Matches(/^[\w.:/, -]{1,200}$/, { message: 'TRUST_PROXY must be loopback, false, or addresses/subnets separated by commas' })
  TRUST_PROXY = 'loopback';

  /** REST requests per client address per minute, across all routes. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 600;

  /** Logins and caller tokens (every /auth/ route together) per client address per minute. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_AUTH_PER_MINUTE = 20;

  /** Join-code attempts (`POST /bookings/join`) per client address per minute. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_JOIN_PER_MINUTE = 10;

  /** Anonymous caller tokens (`POST /auth/caller`) per client address per hour. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_CALLER_TOKENS_PER_HOUR = 30;

  /** Open socket.io connections per client address, across all nodes. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MAX_SOCKETS_PER_ADDRESS = 50;

  /** Live interpretation requests (waiting, ringing or in a call) per client address, across all nodes. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MAX_LIVE_REQUESTS_PER_ADDRESS = 10;

  /** Socket events per anonymous caller token per 10 seconds, over all her connections on all nodes. */
  @IsInt()
  @Min(10)
  @Max(1_000_000)
  CALLER_EVENTS_PER_10_SECONDS = 150;

  /** Wrong join codes for one booking within an hour, after which its code is void and the official told. */
  @IsInt()
  @Min(1)
  @Max(100)
  JOIN_CODE_MAX_FAILURES = 5;

  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  ROSTER_IMPORT_MAX_BYTES = 10 * 1024 * 1024;

  /** How long an offer rings before it expires and the next interpreter is tried. */
  @IsInt()
  @Min(3)
  @Max(300)
  OFFER_RING_SECONDS = 20;

  /** How long an offer rings for an interpreter on call (reachable by push only: her phone, not her console). */
  @IsInt()
  @Min(3)
  @Max(300)
  OFFER_RING_ONCALL_SECONDS = 45;

  /**
   * Her wrap-up time after a call, per matter, before anything is offered to her again (issue 15): `matter:seconds`
   * pairs over the defaults (`legal` names the three legal matters), or one number for every matter (0: none).
   * Checked by wrapupProblems; read through `wrapupSeconds`.
   */
  @IsString()
  WRAPUP_SECONDS = DEFAULT_WRAPUP_SECONDS;

  /** WRAPUP_SECONDS per matter (valid: loadConfig refused it otherwise). */
  get wrapupSeconds(): WrapupSeconds {
    const parsed = parseWrapupSeconds(this.WRAPUP_SECONDS);
    if (!('seconds' in parsed)) throw new Error(parsed.problems.join('; '));
    return parsed.seconds;
  }

  /** How long a request may wait for an interpreter before it ends `unmatched`. */
  @IsInt()
  @Min(5)
  @Max(3600)
  REQUEST_WAIT_LIMIT_SECONDS = 300;

  /**
   * How long both legs of an on-demand relay chain may take to accept from when the chain was planned; then she is
   * served by one interpreter instead (the chain's source leg if she accepted, else the best single one) and the
   * one who asked is told.
   */
  @IsInt()
  @Min(3)
  @Max(3600)
  RELAY_WAIT_SECONDS = 60;

  /** A caller whose connection drops has this long to come back before her waiting request is `abandoned`. */
  @IsInt()
  @Min(1)
  @Max(600)
  CALLER_GRACE_SECONDS = 30;

  /** An interpreter whose connection drops keeps her presence this long before going offline. */
  @IsInt()
  @Min(1)
  @Max(600)
  INTERPRETER_GRACE_SECONDS = 30;

  /** Safety net: how often one node re-checks overdue offers, waiting requests and dead nodes. */
  @IsNumber({ maxDecimalPlaces: 3 })
  @Min(0.2)
  @Max(60)
  MATCHING_SWEEP_SECONDS = 5;

  /** The deployment's home roster (an RCM country, ISO 3166-1 alpha-2), used when a caller gives no country. */
  @IsOptional()
  @IsIn(COUNTRY_CODES, { message: `HOME_COUNTRY must be the code of an RCM country: one of ${COUNTRY_CODES.join(', ')}` })
  HOME_COUNTRY?: string;

  // ---- hearings booked ahead ----

  /** How long an interpreter asked to confirm a hearing has before the next candidate is asked. */
  @IsInt()
  @Min(5)
  @Max(7 * 24 * 3600)
  BOOKING_CONFIRM_SECONDS = 4 * 3600;

  /** If nobody has confirmed this long before a hearing, the official is told and other rosters are searched. */
  @IsInt()
  @Min(0)
  @Max(60 * 24 * 3600)
  BOOKING_WIDEN_BEFORE_SECONDS = 48 * 3600;

  /** Free time an interpreter keeps after each hearing, before the next may start. */
  @IsInt()
  @Min(0)
  @Max(240)
  BOOKING_BUFFER_MINUTES = 15;

  /** When reminders go out, in seconds before the hearing (24 hours and 15 minutes). */
  @Transform(toList)
  @Matches(/^\d{1,7}$/, { each: true, message: 'BOOKING_REMINDERS_SECONDS must be a comma-separated list of whole numbers of seconds' })
  BOOKING_REMINDERS_SECONDS: string[] = ['86400', '900'];

  /** How long before the start the official and the interpreter may join the hearing's call. */
  @IsInt()
  @Min(0)
  @Max(24 * 3600)
  BOOKING_JOIN_BEFORE_SECONDS = 600;

  /** How long past its planned end a hearing's call may go on before it is closed. */
  @IsInt()
  @Min(0)
  @Max(24 * 60)
  BOOKING_OVERRUN_MINUTES = 60;

  /** A hearing longer than this gets two interpreters who take turns (a team) for its lead leg. */
  @IsInt()
  @Min(15)
  @Max(24 * 60)
  BOOKING_TEAM_MINUTES = 120;

  /** How often one node re-checks bookings waiting for an interpreter and overdue answers. */
  @IsNumber({ maxDecimalPlaces: 3 })
  @Min(0.2)
  @Max(3600)
  BOOKING_SWEEP_SECONDS = 60;

  /** SMTP server for booking emails (smtp:// or smtps://, credentials in the URL); none: no email is sent. */
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  @MinLength(3)
  @MaxLength(200)
  SMTP_FROM = 'Puente <no-reply@puente.invalid>';

  /**
   * Web Push (src/push): the VAPID key pair that signs every push (base64url, as `npx web-push generate-vapid-keys`
   * prints them: the public key an uncompressed P-256 point, the private key its 32-byte scalar). Both or neither:
   * without them offers are never pushed. `npm run demo` generates a pair and keeps it in its database.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{87}$/, { message: 'VAPID_PUBLIC_KEY must be a base64url P-256 public key (87 characters)' })
  VAPID_PUBLIC_KEY?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'VAPID_PRIVATE_KEY must be a base64url P-256 private key (43 characters)' })
  VAPID_PRIVATE_KEY?: string;

  /** Who push services contact about this sender (RFC 8292): a mailto: or https: URL of the operator. */
  @Matches(/^(mailto:\S+@\S+|https:\/\/\S+)$/, { message: 'VAPID_SUBJECT must be a mailto: or https: URL' })
  VAPID_SUBJECT = 'mailto:operator@puente.invalid';

  /**
   * The only origins a push subscription's endpoint may have (the server calls that address): the browsers' push
   * services by default. An entry `https://*.example.com` admits the subdomains of example.com. Never an open relay.
   */
  @Transform(toList)
  @Matches(/^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/, {
    each: true,
    message: 'WEB_PUSH_ALLOWED_ORIGINS must be a comma-separated list of origins such as https://fcm.googleapis.com',
  })
  WEB_PUSH_ALLOWED_ORIGINS: string[] = [
    'https://fcm.googleapis.com',
    'https://updates.push.services.mozilla.com',
    'https://web.push.apple.com',
    'https://*.notify.windows.com',
  ];

  /** An offer her console has not said it showed (`offer:seen`) this long after it rang is pushed to her devices. */
  @IsInt()
  @Min(1)
  @Max(60)
  OFFER_SEEN_SECONDS = 5;
}

export class ConfigError extends Error {}

/**
 * TURN servers refuse a client without credentials, so TURN_URLS alone would hand every client a relay that
 * can never work, silently: refused at start-up instead, as is half a pair of static credentials.
 */
function turnProblems(c: AppConfig): string[] {
  const staticPair = !!(c.TURN_USERNAME || c.TURN_CREDENTIAL);
  if (staticPair && c.TURN_SECRET)
    return ['TURN_SECRET and TURN_USERNAME/TURN_CREDENTIAL are exclusive: use one way of TURN authentication'];
  if (staticPair && !(c.TURN_USERNAME && c.TURN_CREDENTIAL)) return ['TURN_USERNAME and TURN_CREDENTIAL must be set together'];
  if (c.TURN_URLS.length && !staticPair && !c.TURN_SECRET) {
    return ["TURN_URLS needs credentials: set TURN_SECRET (coturn's static-auth-secret) or TURN_USERNAME and TURN_CREDENTIAL"];
  }
  return [];
}

/** Settings in milliseconds renamed to the one unit convention (see AppConfig): old name → its name in seconds. */
export const RENAMED_MS: Record<string, keyof AppConfig> = {
  RETENTION_PURGE_EVERY_MS: 'RETENTION_PURGE_EVERY_SECONDS',
  MATCHING_SWEEP_MS: 'MATCHING_SWEEP_SECONDS',
  BOOKING_SWEEP_MS: 'BOOKING_SWEEP_SECONDS',
};

function renamedProblems(env: Record<string, string | undefined>): string[] {
  return Object.entries(RENAMED_MS)
    .filter(([old]) => env[old] !== undefined && env[old] !== '')
    .map(([old, to]) => {
      const ms = Number(env[old]);
      const example = Number.isFinite(ms) ? `: ${old}=${ms} is ${to}=${ms / 1000}` : '';
      return `${old} is no longer read: set ${to} instead, in seconds${example}`;
    });
}

/** Numbers that may have a decimal part (the sweep intervals, in seconds); every other number is whole. */
const DECIMAL = new Set(['MATCHING_SWEEP_SECONDS', 'BOOKING_SWEEP_SECONDS']);

const NUMERIC = new Set<string>();
for (const key of Object.keys(new AppConfig())) {
  if (typeof (new AppConfig() as unknown as Record<string, unknown>)[key] === 'number') NUMERIC.add(key);
}

/**
 * Anyone can sign tokens with a published secret (a platform admin's, say): outside development and test the
 * operator must give one of her own. `npm run demo` generates one per database (src/cli.ts).
 */
function secretProblems(c: AppConfig, given: string | undefined): string[] {
  if (c.NODE_ENV === 'development' || c.NODE_ENV === 'test') return [];
  if (!given)
    return [
      `JWT_SECRET is required (32 or more random characters, e.g. openssl rand -hex 32) unless NODE_ENV is development or test (NODE_ENV is ${c.NODE_ENV})`,
    ];
  if (given === DEV_JWT_SECRET) return ['JWT_SECRET must not be the published development value outside NODE_ENV development or test'];
  return [];
}

/**
 * Builds the configuration from environment variables; throws a ConfigError naming every bad variable.
 * `signsTokens: false` for commands that never sign or verify a token (migrate, create-admin): no JWT_SECRET rule.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: { signsTokens?: boolean } = {}): AppConfig {
  const known = Object.keys(new AppConfig()).concat([
    'MEDIASOUP_WORKER_BIN',
    'TURN_USERNAME',
    'TURN_CREDENTIAL',
    'TURN_SECRET',
    'HOME_COUNTRY',
    'SMTP_URL',
    'METRICS_TOKEN',
    'VAPID_PUBLIC_KEY',
    'VAPID_PRIVATE_KEY',
  ]);
  const raw: Record<string, unknown> = {};
  const problems: string[] = renamedProblems(env);
  for (const key of known) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    if (NUMERIC.has(key)) {
      const decimal = DECIMAL.has(key);
      if (!(decimal ? /^\d+(\.\d+)?$/ : /^-?\d+$/).test(value.trim())) {
        problems.push(`${key} must be ${decimal ? 'a number of seconds such as 5 or 0.5' : 'a whole number'} (got "${value}")`);
        continue;
      }
      raw[key] = Number(value);
    } else raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  for (const error of validateSync(config, { forbidUnknownValues: true })) {
    problems.push(...Object.values(error.constraints ?? {}).map((m) => (m.startsWith(error.property) ? m : `${error.property}: ${m}`)));
  }
  if (options.signsTokens !== false) problems.push(...secretProblems(config, env.JWT_SECRET));
  problems.push(...turnProblems(config));
  const wrapup = parseWrapupSeconds(config.WRAPUP_SECONDS);
  if ('problems' in wrapup) problems.push(...wrapup.problems);
  if (!config.VAPID_PUBLIC_KEY !== !config.VAPID_PRIVATE_KEY) problems.push('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set together');
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
