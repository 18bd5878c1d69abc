import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import type { Principal } from '../auth/principal';
import type { CountryCode } from '../common/countries';
import { LanguagesService } from '../languages/languages.service';
import { CreateInstitutionDto, UpdateInstitutionDto } from './dto/institution.dto';
import { Institution } from './entities/institution.entity';
import { badField } from '../common/validation';
import { PG, pgCode } from '../database/pg-errors';

export type InstitutionView = Pick<Institution, 'id' | 'country' | 'name' | 'kind' | 'languageId'>;

/**
 * Institutions as records: created and edited by the roster admin of their country or a platform admin. What
 * an official may see is decided by her institution's id, so a name typed again elsewhere gains nothing.
 */
@Injectable()
export class InstitutionsService {
  constructor(
    @InjectRepository(Institution) private readonly institutions: Repository<Institution>,
    private readonly languages: LanguagesService,
    private readonly audit: AuditOutbox,
  ) {}

  async create(dto: CreateInstitutionDto, actor: Principal): Promise<InstitutionView> {
    this.assertCountry(dto.country, actor);
    const languageId = dto.languageId ? await this.language(dto.languageId) : await this.mainLanguage(dto.country as CountryCode);
    const row = this.institutions.create({ country: dto.country, name: dto.name.trim(), kind: dto.kind, languageId });
    await this.unique(() => this.institutions.insert(row), row);
    await this.audit.record('institution.created', {
      actorId: actor.sub,
      actorRole: actor.role,
      country: row.country,
      subjectId: row.id,
      data: { kind: row.kind },
    });
    return view(row);
  }

  async list(actor: Principal, country?: string): Promise<InstitutionView[]> {
    const wanted = actor.role === 'platform_admin' ? country : (country ?? actor.country ?? undefined);
    if (wanted) this.assertCountry(wanted, actor);
    const found = await this.institutions.find({ where: wanted ? { country: wanted } : {}, order: { country: 'ASC', name: 'ASC' } });
    return found.map(view);
  }

  async update(id: string, dto: UpdateInstitutionDto, actor: Principal): Promise<InstitutionView> {
    const row = await this.visible(id, actor);
    if (dto.name !== undefined) row.name = dto.name.trim();
    if (dto.kind !== undefined) row.kind = dto.kind;
    if (dto.languageId !== undefined) row.languageId = await this.language(dto.languageId);
    await this.unique(() => this.institutions.update({ id }, { name: row.name, kind: row.kind, languageId: row.languageId }), row);
    await this.audit.record('institution.updated', {
      actorId: actor.sub,
      actorRole: actor.role,
      country: row.country,
      subjectId: id,
      data: { fields: Object.keys(dto).join(',') },
    });
    return view(row);
  }

  /**
   * The institution an admin places an official in: one of her own country (404 otherwise, as for anything
   * outside her country). A platform admin places officials anywhere.
   */
  async forNewOfficial(id: string, actor: Principal | null): Promise<InstitutionView> {
    const row = await this.institutions.findOne({ where: { id } });
    if (!row || (actor && actor.role !== 'platform_admin' && actor.country !== row.country)) {
      throw new NotFoundException({
        statusCode: 404,
        message: [`institutionId ${id} is not an institution of your country`],
        fields: ['institutionId'],
      });
    }
    return view(row);
  }

  async findById(id: string): Promise<InstitutionView | null> {
    const row = await this.institutions.findOne({ where: { id } });
    return row ? view(row) : null;
  }

  /** Find or create by (country, name): for the demo and command-line set-up, not for the API. */
  async ensure(country: CountryCode, name: string, kind: Institution['kind']): Promise<InstitutionView> {
    const found = await this.institutions.findOne({ where: { country, name } });
    if (found) return view(found);
    const row = this.institutions.create({ country, name, kind, languageId: await this.mainLanguage(country) });
    await this.institutions.insert(row);
    return view(row);
  }

  private async visible(id: string, actor: Principal): Promise<Institution> {
    const row = await this.institutions.findOne({ where: { id } });
    if (!row || (actor.role !== 'platform_admin' && actor.country !== row.country)) throw new NotFoundException('no such institution');
    return row;
  }

  /** Another country than hers is outside a roster admin's world: 404 (API.md). */
  private assertCountry(country: string, actor: Principal) {
    if (actor.role !== 'platform_admin' && actor.country !== country) throw new NotFoundException(`no country ${country} here`);
  }

  private async language(id: string): Promise<string> {
    if (!(await this.languages.findById(id))) throw badField('languageId', 'languageId is not in the catalogue');
    return id;
  }

  /** The country's main language: one home for that rule, with the ladder's (ladder_main_language). */
  private async mainLanguage(country: CountryCode): Promise<string | null> {
    const [found] = await this.institutions.query(`SELECT ladder_main_language($1) AS id`, [country]);
    return found?.id ?? null;
  }

  private async unique(write: () => Promise<unknown>, row: Institution) {
    try {
      await write();
    } catch (e) {
      if (pgCode(e) === PG.UNIQUE_VIOLATION) {
        throw new ConflictException({
          statusCode: 409,
          message: [`${row.country} already has an institution named ${JSON.stringify(row.name)}`],
          fields: ['name'],
        });
      }
      throw e;
    }
  }
}

function view(i: Institution): InstitutionView {
  return { id: i.id, country: i.country, name: i.name, kind: i.kind, languageId: i.languageId };
}
