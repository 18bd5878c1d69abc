import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { verify as verifyHash } from '@node-rs/argon2';
import { randomUUID } from 'node:crypto';
import { AuditOutbox } from '../audit/audit-outbox';
import { AppConfig } from '../config/config.schema';
import { ROLES, type Role } from '../common/domain';
import { TokenValidity } from '../users/token-validity';
import { UsersService } from '../users/users.service';
import { LoginLockout } from './login-lockout';
import type { Principal } from './principal';

// A real hash to verify against when the email is unknown, so a login takes as long either way.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3Y5bA0oA5Wv8aYgkN6t5mU9vPq3s5m0m3l3y3v0l9iU';

@Injectable()
export class AuthService {
  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersService,
    private readonly audit: AuditOutbox,
    private readonly config: AppConfig,
    private readonly validity: TokenValidity,
    private readonly lockout: LoginLockout,
  ) {}

  /**
   * Staff login from `address` (the client's, behind TRUST_PROXY). Refusals say nothing about which emails have
   * accounts: an unknown email is counted and locked out like a real one (see LoginLockout).
   */
  async login(email: string, password: string, address: string): Promise<{ accessToken: string; role: Role }> {
    const user = await this.users.findForLogin(email);
    const who = { actorId: user?.id ?? null, country: user?.country ?? null };
    try {
      await this.lockout.check(email, address);
    } catch (e) {
      await this.audit.record('auth.login_failed', { ...who, data: { lockedOut: true } });
      throw e;
    }
    const ok = await verifyHash(user?.passwordHash || DUMMY_HASH, password).catch(() => false);
    if (!user || !ok) {
      await this.audit.record('auth.login_failed', who);
      const count = await this.lockout.failed(email, address);
      if (count.pairLocked || count.emailLocked) {
        await this.audit.record('auth.locked_out', {
          ...who,
          data: { failures: count.pair, scope: count.pairLocked ? 'address' : 'email' },
        });
      }
      throw new UnauthorizedException('email or password is wrong');
    }
    // Only with the right password, so that a disabled account is not told apart from a wrong guess.
    if (user.disabled) {
      await this.audit.record('auth.login_failed', { ...who, data: { disabled: true } });
      throw new ForbiddenException('this account is disabled: ask your administrator');
    }
    await this.lockout.succeeded(email, address);
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
    if (!(await this.stillValid(principal))) throw new UnauthorizedException('the token was revoked');
    return principal;
  }

  /**
   * False once the account was revoked, disabled or removed after the token was issued: checked on every REST
   * request and every socket event (one Redis read). Caller tokens cannot be revoked.
   */
  stillValid(principal: Principal): Promise<boolean> {
    if (principal.role === 'caller') return Promise.resolve(true);
    return this.validity.isValid(principal.sub, principal.iatMs ?? (principal.iat ?? 0) * 1000);
  }
}
