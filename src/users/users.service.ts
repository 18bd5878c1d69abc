import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { hash } from '@node-rs/argon2';
import { IsNull, Repository } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import type { Principal } from '../auth/principal';
import { passwordProblem } from '../auth/password-policy';
import { InstitutionsService } from '../institutions/institutions.service';
import { RostersService } from '../rosters/rosters.service';
import { CreateUserDto } from './dto/create-user.dto';
import { User } from './entities/user.entity';
import { badField } from '../common/validation';
import { PG } from '../database/pg-errors';

export interface PublicUser {
  id: string;
  email: string;
  role: string;
  country: string | null;
  institutionId: string | null;
  interpreterId: string | null;
  disabled: boolean;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly audit: AuditOutbox,
    private readonly rosters: RostersService,
    private readonly institutions: InstitutionsService,
  ) {}

  findForLogin(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email AND u.removed_at IS NULL', { email: email.trim().toLowerCase() })
      .getOne();
  }

  /** Where to send a staff member's notifications (booking emails): nowhere once disabled or removed. */
  async emailOf(userId: string): Promise<string | null> {
    const user = await this.users.findOne({ where: { id: userId }, select: { id: true, email: true, disabled: true } });
    return user && !user.disabled ? user.email : null;
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
    if (problem) throw badField('password', problem);
    if (dto.role === 'official') {
      if (!dto.institutionId) throw badField('institutionId', 'institutionId is required for officials');
      const institution = await this.institutions.forNewOfficial(dto.institutionId, actor);
      if (dto.country && dto.country !== institution.country)
        throw badField('institutionId', `institutionId is an institution of ${institution.country}, not ${dto.country}`);
      dto.country = institution.country;
    }
    if (dto.role !== 'platform_admin' && !dto.country) throw badField('country', `country is required for ${dto.role}`);
    if (dto.role === 'interpreter') {
      if (!dto.interpreterId) throw badField('interpreterId', 'interpreterId is required for interpreters');
      const interpreter = await this.rosters.findInterpreter(dto.interpreterId);
      if (!interpreter || interpreter.country !== dto.country) {
        throw new NotFoundException(`interpreterId ${dto.interpreterId} is not in the roster of ${dto.country}`);
      }
      // Only after the roster check, so that an admin of another country learns nothing about her.
      if (await this.users.exist({ where: { interpreterId: dto.interpreterId, removedAt: IsNull() } }))
        throw this.secondLogin(dto.interpreterId);
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
      const { code, constraint } = e as { code?: string; constraint?: string };
      if (code === PG.UNIQUE_VIOLATION && constraint === 'users_interpreter_id_unique') throw this.secondLogin(dto.interpreterId!);
      if (code === PG.UNIQUE_VIOLATION) throw new ConflictException(`email ${email} already has an account`);
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

  /** An interpreter has one login: a second one could take her calls under her name. */
  private secondLogin(interpreterId: string) {
    return new ConflictException({
      statusCode: 409,
      error: 'Conflict',
      message: [`interpreterId ${interpreterId} already has a login`],
      fields: ['interpreterId'],
    });
  }

  private toPublic(u: User): PublicUser {
    return {
      id: u.id,
      email: u.email,
      role: u.role,
      country: u.country,
      institutionId: u.institutionId,
      interpreterId: u.interpreterId,
      disabled: u.disabled ?? false,
    };
  }
}
