import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import type { Principal } from '../auth/principal';
import { isCountryCode } from '../common/countries';
import type { InterpreterStatus } from '../common/domain';
import { EventBus } from '../events/event-bus';
import { InterpreterDto, InterpreterPageDto, SharingDto } from './dto/roster-responses.dto';
import { Interpreter } from './entities/interpreter.entity';
import { RosterSharing } from './entities/roster-sharing.entity';
import { ImportResult, RosterImportService, RosterInput } from './roster-import.service';
import { badField, isUuid } from '../common/validation';

/**
 * The national rosters: who interprets what, in which country, and which countries may draw on whom.
 * Callers of this service have already been authorised (the controller checks roles and country scope).
 */
@Injectable()
export class RostersService {
  private readonly logger = new Logger('Rosters');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(Interpreter) private readonly interpreters: Repository<Interpreter>,
    @InjectRepository(RosterSharing) private readonly sharing: Repository<RosterSharing>,
    private readonly importer: RosterImportService,
    private readonly audit: AuditOutbox,
    private readonly bus: EventBus,
  ) {}

  /** The roster entry with this id, or null. */
  async findInterpreter(id: string): Promise<{ id: string; country: string; firstName: string } | null> {
    if (!isUuid(id)) return null;
    const found = await this.interpreters.findOne({ where: { id }, select: { id: true, country: true, firstName: true } });
    return found ? { id: found.id, country: found.country, firstName: found.firstName } : null;
  }

  /** Where to send an interpreter's notifications (booking emails): the address her roster lists. */
  async emailOf(id: string): Promise<string | null> {
    if (!isUuid(id)) return null;
    const found = await this.interpreters.findOne({ where: { id }, select: { id: true, email: true } });
    return found?.email ?? null;
  }

  /** What presence needs to put her in the right waiting lines: status and the language rows she covers. */
  async presenceProfile(id: string): Promise<{ status: string; languageIds: string[] } | null> {
    if (!isUuid(id)) return null;
    const rows: { status: string; language_id: string | null }[] = await this.db.query(
      `SELECT i.status, il.language_id FROM interpreters i LEFT JOIN interpreter_languages il ON il.interpreter_id = i.id WHERE i.id = $1`,
      [id],
    );
    if (!rows.length) return null;
    return { status: rows[0].status, languageIds: rows.flatMap((r) => (r.language_id ? [r.language_id] : [])) };
  }

  /**
   * Upserts a roster file (CSV text or buffer, or JSON rows) into `country`'s roster by external_id.
   * Bad rows are reported and change nothing; good rows are written in one transaction; rows not in the
   * file are left alone. `actor` is null for system loads (the demo).
   */
  importRoster(country: string, input: RosterInput, actor: Principal | null): Promise<ImportResult> {
    return this.importer.import(this.country(country), input, actor);
  }

  /** One page of a roster, ordered by external_id, with the email (for administrators). */
  async list(country: string, page: { limit: number; offset: number }): Promise<InterpreterPageDto> {
    const code = this.country(country);
    const [{ total }] = await this.db.query('SELECT count(*)::int AS total FROM interpreters WHERE country = $1', [code]);
    const items = await this.interpreterViews(`i.country = $1 ORDER BY i.external_id COLLATE "C" LIMIT $2 OFFSET $3`, [
      code,
      page.limit,
      page.offset,
    ]);
    return { total, limit: page.limit, offset: page.offset, items };
  }

  /**
   * Suspends or reactivates one interpreter of `country`'s roster, audited. A suspended interpreter is offered
   * nothing (the ladder takes active interpreters only) and cannot be available; if she is available now,
   * presence sets her away and tells her (the bus's `interpreter.suspended`). A call she is in goes on.
   */
  async setStatus(country: string, id: string, status: InterpreterStatus, actor: Principal): Promise<InterpreterDto> {
    const code = this.country(country);
    const from = await this.db.transaction(async (m) => {
      const [found] = isUuid(id)
        ? await m.query(`SELECT status FROM interpreters WHERE id = $1 AND country = $2 FOR UPDATE`, [id, code])
        : [];
      if (!found) throw new NotFoundException(`no such interpreter in roster ${code}`);
      if (found.status === status) return found.status as string;
      await m.query(`UPDATE interpreters SET status = $2, updated_at = now() WHERE id = $1`, [id, status]);
      await this.audit.add(m, 'roster.interpreter_status_set', {
        actorId: actor.sub,
        actorRole: actor.role,
        country: code,
        subjectId: id,
        data: { status, from: found.status },
      });
      return found.status as string;
    });
    if (from !== status) await this.audit.chained();
    // Stored either way: the ladder offers a suspended interpreter nothing, even if Redis cannot set her away now.
    if (status === 'suspended')
      await this.bus.publishSettled('interpreter.suspended', [id], (e) =>
        this.logger.warn({ err: (e as Error)?.name }, 'a suspended interpreter could not be set away now'),
      );
    return (await this.interpreterViews('i.id = $1', [id]))[0];
  }

  /** Interpreters as administrators see them, `where` being the rest of the statement after WHERE. */
  private async interpreterViews(where: string, params: unknown[]): Promise<InterpreterDto[]> {
    const rows: InterpreterListRow[] = await this.db.query(
      `SELECT i.id, i.country, i.external_id, i.first_name, i.email, i.gender, i.status, i.specialties::text[] AS specialties,
              i.certification_body, i.certification_number, to_char(i.certification_expires, 'YYYY-MM-DD') AS certification_expires,
              i.certification_expires - (now() AT TIME ZONE 'UTC')::date AS certification_days_left,
              i.last_session_ended_at, i.created_at, i.updated_at,
              (SELECT coalesce(json_agg(json_build_object('languageId', l.id, 'iso6393', l.iso6393, 'variant', l.variant, 'level', il.level)
                                        ORDER BY l.iso6393, l.variant NULLS FIRST), '[]'::json)
                 FROM interpreter_languages il JOIN languages l ON l.id = il.language_id
                WHERE il.interpreter_id = i.id) AS languages,
              (SELECT coalesce(json_agg(json_build_object('iso6393', l.iso6393, 'level', r.level) ORDER BY l.iso6393), '[]'::json)
                 FROM interpreter_relay_languages r JOIN languages l ON l.id = r.language_id
                WHERE r.interpreter_id = i.id) AS relay
         FROM interpreters i
        WHERE ${where}`,
      params,
    );
    return rows.map(toInterpreterDto);
  }

  /** Who this roster is shared with, and which other rosters share with this country. */
  async getSharing(country: string): Promise<SharingDto> {
    const code = this.country(country);
    const [lends, borrows] = await Promise.all([
      this.sharing.find({ where: { ownerCountry: code }, order: { borrowerCountry: 'ASC' } }),
      this.sharing.find({ where: { borrowerCountry: code }, order: { ownerCountry: 'ASC' } }),
    ]);
    return { country: code, countries: lends.map((s) => s.borrowerCountry), borrowsFrom: borrows.map((s) => s.ownerCountry) };
  }

  /**
   * Replaces the list of countries whose requests may draw on `country`'s roster. The roster always
   * serves its own country, so listing it is a 400 rather than a silent no-op.
   */
  async setSharing(country: string, countries: string[], actor: Principal | null): Promise<SharingDto> {
    const code = this.country(country);
    const wanted = [...new Set(countries)].sort();
    const bad = wanted.find((c) => !isCountryCode(c));
    if (bad !== undefined) throw badField('countries', `countries must contain only RCM country codes (got ${JSON.stringify(bad)})`);
    if (wanted.includes(code)) throw badField('countries', `a roster always serves its own country: remove ${code} from countries`);
    await this.db.transaction(async (m) => {
      await m.delete(RosterSharing, { ownerCountry: code });
      if (wanted.length)
        await m.insert(
          RosterSharing,
          wanted.map((b) => ({ ownerCountry: code, borrowerCountry: b })),
        );
      await this.audit.add(m, 'roster.sharing_set', {
        actorId: actor?.sub ?? null,
        actorRole: actor?.role ?? 'system',
        country: code,
        data: { countries: wanted.join(','), count: wanted.length },
      });
    });
    await this.audit.chained();
    return this.getSharing(code);
  }

  /**
   * The rosters that may serve a caller in `borrower`: its own roster first, then every roster that shares
   * with it, in code order. Matching tries the first entry before the others.
   */
  async countriesSharingWith(borrower: string): Promise<string[]> {
    const code = this.country(borrower);
    const owners = await this.sharing.find({ where: { borrowerCountry: code }, order: { ownerCountry: 'ASC' } });
    return [code, ...owners.map((s) => s.ownerCountry)];
  }

  private country(value: string): string {
    const code = String(value ?? '').toUpperCase();
    if (!isCountryCode(code))
      throw badField('country', `country must be one of the RCM member states' codes (got ${JSON.stringify(value)})`);
    return code;
  }
}

/** One roster row as list() reads it. */
interface InterpreterListRow {
  id: string;
  country: string;
  external_id: string;
  first_name: string;
  email: string;
  gender: InterpreterDto['gender'];
  status: InterpreterDto['status'];
  specialties: InterpreterDto['specialties'];
  certification_body: string | null;
  certification_number: string | null;
  certification_expires: string | null;
  certification_days_left: number | null;
  last_session_ended_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  languages: InterpreterDto['languages'];
  relay: InterpreterDto['relayLevels'];
}

function toInterpreterDto(r: InterpreterListRow): InterpreterDto {
  return {
    id: r.id,
    country: r.country,
    externalId: r.external_id,
    firstName: r.first_name,
    email: r.email,
    languages: r.languages,
    relayLanguages: r.relay.map((l) => l.iso6393),
    relayLevels: r.relay,
    specialties: r.specialties,
    gender: r.gender,
    status: r.status,
    certification: {
      body: r.certification_body,
      number: r.certification_number,
      expires: r.certification_expires,
      daysLeft: r.certification_days_left,
    },
    lastSessionEndedAt: r.last_session_ended_at ? new Date(r.last_session_ended_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}
