import { HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { verify as verifyHash } from '@node-rs/argon2';
import type Redis from 'ioredis';
import { createHash, randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/config.schema';
import { ROLES, type Role } from '../common/domain';
import { REDIS } from '../redis/redis.module';
import { UsersService } from '../users/users.service';
import type { Principal } from './principal';

// A real hash to verify against when the email is unknown, so a login takes as long either way.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3Y5bA0oA5Wv8aYgkN6t5mU9vPq3s5m0m3l3y3v0l9iU';

@Injectable()
export class AuthService {
  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async login(email: string, password: string): Promise<{ accessToken: string; role: Role }> {
    const user = await this.users.findForLogin(email);
    // Counted per email whether or not it has an account, so that a lockout says nothing about which exist.
    const failures = `login-failures:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
    if (Number(await this.redis.get(failures)) >= this.config.LOGIN_MAX_FAILURES) {
      await this.audit.record('auth.login_failed', { actorId: user?.id ?? null, country: user?.country ?? null, data: { lockedOut: true } });
      throw await this.lockedOut(failures);
    }
    const ok = await verifyHash(user?.passwordHash ?? DUMMY_HASH, password).catch(() => false);
    if (!user || !ok) {
      await this.audit.record('auth.login_failed', { actorId: user?.id ?? null, country: user?.country ?? null });
      const [[, count]] = (await this.redis.multi().incr(failures).expire(failures, this.config.LOGIN_LOCKOUT_SECONDS, 'NX').exec()) as [[null, number], unknown];
      if (count === this.config.LOGIN_MAX_FAILURES) {
        await this.audit.record('auth.locked_out', { actorId: user?.id ?? null, country: user?.country ?? null, data: { failures: count, seconds: this.config.LOGIN_LOCKOUT_SECONDS } });
      }
      throw new UnauthorizedException('email or password is wrong');
    }
    await this.redis.del(failures);
    await this.audit.record('auth.login', { actorId: user.id, actorRole: user.role, country: user.country });
    const principal: Principal = {
      sub: user.id,
      role: user.role,
      country: user.country,
      institutionId: user.institutionId,
      interpreterId: user.interpreterId,
      iatMs: Date.now(),
    };
    return { accessToken: await this.jwt.signAsync(principal, { expiresIn: this.config.JWT_TTL_SECONDS }), role: user.role };
  }

  private async lockedOut(key: string) {
    const ttl = Math.max(1, await this.redis.ttl(key));
    return new HttpException(
      { statusCode: 429, error: 'Too Many Requests', message: `too many failed logins for this email: try again in ${Math.ceil(ttl / 60)} minutes`, retryAfterSeconds: ttl },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }

  /** An anonymous caller token: a random subject, signed, and stored nowhere. */
  async callerToken(sub: string = randomUUID()): Promise<{ accessToken: string }> {
    const principal: Principal = { sub, role: 'caller' };
    return { accessToken: await this.jwt.signAsync(principal, { expiresIn: this.config.CALLER_TOKEN_TTL_SECONDS }) };
  }

  /** Verifies a token (HTTP or socket handshake) and returns its principal; throws 401 otherwise. */
  async verify(token: string | undefined): Promise<Principal> {
    if (!token) throw new UnauthorizedException('a bearer token is required');
    let principal: Principal;
    try {
      principal = await this.jwt.verifyAsync<Principal>(token);
    } catch {
      throw new UnauthorizedException('the token is invalid or expired');
    }
    if (!principal || typeof principal.sub !== 'string' || !(ROLES as readonly string[]).includes(principal.role)) {
      throw new UnauthorizedException('the token is invalid');
    }
    if (principal.role !== 'caller' && !(await this.users.tokenStillValid(principal.sub, principal.iatMs ?? (principal.iat ?? 0) * 1000))) {
      throw new UnauthorizedException('the token was revoked');
    }
    return principal;
  }
}
