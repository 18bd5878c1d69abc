import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { hash } from '@node-rs/argon2';
import { Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { passwordProblem } from '../auth/password-policy';
import { InstitutionsService } from '../institutions/institutions.service';
import { RostersService } from '../rosters/rosters.service';
import { CreateUserDto } from './dto/create-user.dto';
import { User } from './entities/user.entity';

export interface PublicUser {
  id: string;
  email: string;
  role: string;
  country: string | null;
  institutionId: string | null;
  interpreterId: string | null;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly audit: AuditService,
    private readonly rosters: RostersService,
    private readonly institutions: InstitutionsService,
  ) {}

  findForLogin(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: email.trim().toLowerCase() })
      .getOne();
  }

  /** Where to send a staff member's notifications (booking emails). */
  async emailOf(userId: string): Promise<string | null> {
    const user = await this.users.findOne({ where: { id: userId }, select: { id: true, email: true } });
    return user?.email ?? null;
  }

  /** False when the account is gone or its tokens were revoked at or after `issuedAtMs`. */
  async tokenStillValid(userId: string, issuedAtMs: number): Promise<boolean> {
    const user = await this.users.findOne({ where: { id: userId }, select: { id: true, tokensValidAfter: true } });
    if (!user) return false;
    return !user.tokensValidAfter || issuedAtMs > user.tokensValidAfter.getTime();
  }

  /**
   * `POST /users`: a platform admin creates anyone; a roster admin creates accounts in her country only. Another
   * country is outside hers, so it is 404 (API.md) as it is for her roster; a role she may not create is 403.
   */
  async create(dto: CreateUserDto, actor: Principal | null): Promise<PublicUser> {
    if (actor && actor.role === 'roster_admin') {
      if (dto.role === 'platform_admin') throw new ForbiddenException('a roster admin cannot create platform admins');
      if (dto.country && dto.country !== actor.country) throw new NotFoundException(`no country ${dto.country} here`);
      dto.country = actor.country ?? undefined;
    }
    const problem = passwordProblem(dto.password);
    if (problem) throw new BadRequestException({ message: [problem], fields: ['password'] });
    if (dto.role === 'official') {
      if (!dto.institutionId) throw this.missing('institutionId', 'institutionId is required for officials');
      const institution = await this.institutions.forNewOfficial(dto.institutionId, actor);
      if (dto.country && dto.country !== institution.country) throw this.missing('institutionId', `institutionId is an institution of ${institution.country}, not ${dto.country}`);
      dto.country = institution.country;
    }
    if (dto.role !== 'platform_admin' && !dto.country) throw this.missing('country', `country is required for ${dto.role}`);
    if (dto.role === 'interpreter') {
      if (!dto.interpreterId) throw this.missing('interpreterId', 'interpreterId is required for interpreters');
      const interpreter = await this.rosters.findInterpreter(dto.interpreterId);
      if (!interpreter || interpreter.country !== dto.country) {
        throw new NotFoundException(`interpreterId ${dto.interpreterId} is not in the roster of ${dto.country}`);
      }
    }
    const email = dto.email.trim().toLowerCase();
    if (await this.users.exist({ where: { email } })) throw new ConflictException(`email ${email} already has an account`);
    const user = this.users.create({
      email,
      passwordHash: await hash(dto.password),
      role: dto.role,
      country: dto.country ?? null,
      institutionId: dto.role === 'official' ? (dto.institutionId ?? null) : null,
      interpreterId: dto.role === 'interpreter' ? (dto.interpreterId ?? null) : null,
    });
    try {
      await this.users.insert(user);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new ConflictException(`email ${email} already has an account`);
      throw e;
    }
    await this.audit.record('user.created', {
      actorId: actor?.sub ?? null,
      actorRole: actor?.role ?? 'cli',
      country: user.country,
      subjectId: user.id,
      data: { role: user.role },
    });
    return this.toPublic(user);
  }

  /** Revokes every token the user holds now (issue 7 builds the endpoint on this). */
  async revokeTokens(userId: string): Promise<void> {
    await this.users.update({ id: userId }, { tokensValidAfter: new Date() });
  }

  /**
   * `POST /users/{id}/revoke`: every token of a staff member stops working at once (a lost phone, someone
   * leaving). A platform admin revokes anyone; a roster admin the accounts of her country (404 otherwise).
   */
  async revoke(userId: string, actor: Principal): Promise<{ revoked: true }> {
    const user = await this.users.findOne({ where: { id: userId }, select: { id: true, country: true, role: true } });
    const mine = user && (actor.role === 'platform_admin' || (actor.role === 'roster_admin' && user.country === actor.country && user.role !== 'platform_admin'));
    if (!mine) throw new NotFoundException('no such account');
    await this.revokeTokens(userId);
    await this.audit.record('user.tokens_revoked', { actorId: actor.sub, actorRole: actor.role, country: user.country, subjectId: userId });
    return { revoked: true };
  }

  private missing(field: string, message: string) {
    return new BadRequestException({ message: [message], fields: [field] });
  }

  private toPublic(u: User): PublicUser {
    return { id: u.id, email: u.email, role: u.role, country: u.country, institutionId: u.institutionId, interpreterId: u.interpreterId };
  }
}
