import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import type { Principal } from '../auth/principal';
import { badField } from '../common/validation';
import { rows } from '../database/sql';
import type { CreateServiceDto, ServiceEntryDto, UpdateServiceDto } from './dto/service-entry.dto';
import type { ServiceKind } from './service-kinds';

/** At most this many entries answer one search (a directory of a country's services, not a dump). */
const SEARCH_LIMIT = 200;

interface ServiceRow {
  id: string;
  country: string;
  name: string;
  kind: ServiceKind;
  area: string;
  phone: string;
  hours: string | null;
  language_ids: string[];
  minors: boolean;
}

const COLUMNS = 'id, country, name, kind, area, phone, hours, language_ids, minors';

/**
 * The directory of services a woman may be referred to, one per roster (its roster admin keeps it). Read by
 * interpreters (during a call) and officials; never linked to a woman, a call or a request, and searches are not logged.
 */
@Injectable()
export class DirectoryService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditOutbox,
  ) {}

  async search(country: string, kind?: ServiceKind, area?: string): Promise<ServiceEntryDto[]> {
    const found = await rows<ServiceRow>(
      this.db,
      `SELECT ${COLUMNS} FROM services
       WHERE country = $1 AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR area ILIKE '%' || $3 || '%')
       ORDER BY kind, area, name LIMIT ${SEARCH_LIMIT}`,
      [country, kind ?? null, area ? escapeLike(area) : null],
    );
    return found.map(entry);
  }

  async create(country: string, dto: CreateServiceDto, actor: Principal): Promise<ServiceEntryDto> {
    await this.knownLanguages(dto.languageIds);
    const [made] = await this.db.transaction(async (m) => {
      const r = await rows<ServiceRow>(
        m,
        `INSERT INTO services (country, name, kind, area, phone, hours, language_ids, minors)
         VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8) RETURNING ${COLUMNS}`,
        [country, dto.name, dto.kind, dto.area, dto.phone, dto.hours ?? null, dto.languageIds ?? [], dto.minors ?? false],
      );
      await this.audit.add(m, 'directory.service_added', { actorId: actor.sub, actorRole: actor.role, country, subjectId: r[0].id });
      return r;
    });
    await this.audit.chained();
    return entry(made);
  }

  async update(country: string, id: string, dto: UpdateServiceDto, actor: Principal): Promise<ServiceEntryDto> {
    await this.knownLanguages(dto.languageIds);
    const [changed] = await this.db.transaction(async (m) => {
      const r = await rows<ServiceRow>(
        m,
        `UPDATE services SET name = coalesce($3, name), kind = coalesce($4, kind), area = coalesce($5, area), phone = coalesce($6, phone),
           hours = CASE WHEN $7::boolean THEN $8 ELSE hours END, language_ids = coalesce($9::uuid[], language_ids),
           minors = coalesce($10, minors), updated_at = now()
         WHERE id = $1 AND country = $2 RETURNING ${COLUMNS}`,
        [
          id,
          country,
          dto.name ?? null,
          dto.kind ?? null,
          dto.area ?? null,
          dto.phone ?? null,
          'hours' in dto,
          dto.hours ?? null,
          dto.languageIds ?? null,
          dto.minors ?? null,
        ],
      );
      if (!r.length) throw new NotFoundException('no such service in this directory');
      await this.audit.add(m, 'directory.service_changed', { actorId: actor.sub, actorRole: actor.role, country, subjectId: id });
      return r;
    });
    await this.audit.chained();
    return entry(changed);
  }

  async remove(country: string, id: string, actor: Principal): Promise<void> {
    await this.db.transaction(async (m) => {
      const r = await rows(m, `WITH d AS (DELETE FROM services WHERE id = $1 AND country = $2 RETURNING id) SELECT id FROM d`, [
        id,
        country,
      ]);
      if (!r.length) throw new NotFoundException('no such service in this directory');
      await this.audit.add(m, 'directory.service_removed', { actorId: actor.sub, actorRole: actor.role, country, subjectId: id });
    });
    await this.audit.chained();
  }

  /** Every language named is in the catalogue (else a 400 naming languageIds: nothing is stored). */
  private async knownLanguages(ids: string[] | undefined) {
    if (!ids?.length) return;
    const [{ n }] = await rows<{ n: number }>(this.db, `SELECT count(*)::int AS n FROM languages WHERE id = ANY ($1::uuid[])`, [ids]);
    if (n !== ids.length) throw badField('languageIds', 'languageIds must name languages of the catalogue');
  }
}

/** An area typed as text, not a LIKE pattern: % and _ are matched as themselves. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const entry = (r: ServiceRow): ServiceEntryDto => ({
  id: r.id,
  country: r.country,
  name: r.name,
  kind: r.kind,
  area: r.area,
  phone: r.phone,
  hours: r.hours,
  languageIds: r.language_ids,
  minors: r.minors,
});
