import { ConflictException, Injectable, NotFoundException, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import type { Principal } from '../auth/principal';
import { RealtimeService } from '../realtime/realtime.service';
import { User } from './entities/user.entity';
import { TokenValidity } from './token-validity';

/**
 * What an admin does to an existing account: revoke its tokens, disable or enable it, remove it. Each change
 * reaches every node at once: PostgreSQL first, then the Redis "valid after" that every request and socket
 * event reads, then every socket of the account, on every node, is cut. A platform admin acts on any account;
 * a roster admin on those of her own country but platform admins (anything else is 404: outside her country).
 */
@Injectable()
export class AccountsService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly audit: AuditOutbox,
    private readonly validity: TokenValidity,
    // Absent in command-line contexts, which have no sockets.
    @Optional() private readonly realtime?: RealtimeService,
  ) {}

  /** `POST /users/{id}/revoke`: every token it holds stops working (a lost phone); she may log in again. */
  async revoke(userId: string, actor: Principal): Promise<{ revoked: true }> {
    const user = await this.mine(userId, actor);
    await this.users.update({ id: user.id }, { tokensValidAfter: new Date() });
    await this.cut(user.id);
    await this.audit.record('user.tokens_revoked', {
      actorId: actor.sub,
      actorRole: actor.role,
      country: user.country,
      subjectId: user.id,
    });
    return { revoked: true };
  }

  /**
   * `PATCH /users/{id} {disabled}`: disabled, she cannot log in and every token and socket stops at once; enabled
   * again, she logs in anew (her old tokens stay dead: disabling also revoked them).
   */
  async setDisabled(userId: string, disabled: boolean, actor: Principal): Promise<{ id: string; disabled: boolean }> {
    const user = await this.mine(userId, actor);
    this.notSelf(user, actor, disabled ? 'disable' : 'enable');
    if (user.disabled === disabled) return { id: user.id, disabled };
    await this.users.update({ id: user.id }, disabled ? { disabled, tokensValidAfter: new Date() } : { disabled });
    if (disabled) await this.cut(user.id);
    else await this.validity.changed(user.id);
    await this.audit.record(disabled ? 'user.disabled' : 'user.enabled', {
      actorId: actor.sub,
      actorRole: actor.role,
      country: user.country,
      subjectId: user.id,
    });
    return { id: user.id, disabled };
  }

  /**
   * `DELETE /users/{id}`: the account can never be used again and its email and password are erased; the row
   * stays as the pseudonymous id that bookings, sessions and audit events name. Her email may be used anew.
   */
  async remove(userId: string, actor: Principal): Promise<void> {
    const user = await this.mine(userId, actor);
    this.notSelf(user, actor, 'remove');
    await this.users.update(
      { id: user.id },
      {
        removedAt: new Date(),
        disabled: true,
        tokensValidAfter: new Date(),
        email: `removed-${user.id}@removed.invalid`,
        passwordHash: '',
      },
    );
    await this.cut(user.id);
    await this.audit.record('user.removed', {
      actorId: actor.sub,
      actorRole: actor.role,
      country: user.country,
      subjectId: user.id,
      data: { role: user.role },
    });
  }

  /** The account, if it exists, is not removed and the actor may administer it; 404 otherwise. */
  private async mine(userId: string, actor: Principal): Promise<User> {
    const user = await this.users.findOne({
      where: { id: userId, removedAt: IsNull() },
      select: { id: true, country: true, role: true, disabled: true },
    });
    const ok =
      user &&
      (actor.role === 'platform_admin' ||
        (actor.role === 'roster_admin' && user.country === actor.country && user.role !== 'platform_admin'));
    if (!ok) throw new NotFoundException('no such account');
    return user;
  }

  /** An admin who locked herself out would need another to let her in again: refused. */
  private notSelf(user: User, actor: Principal, what: string) {
    if (user.id === actor.sub) throw new ConflictException(`you cannot ${what} your own account`);
  }

  /** Tokens refused from the next request or event on, on every node; then her sockets are cut. */
  private async cut(userId: string) {
    await this.validity.changed(userId);
    await this.realtime?.disconnectUser(userId);
  }
}
