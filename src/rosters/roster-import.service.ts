import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import type { Principal } from '../auth/principal';
import { LanguagesService } from '../languages/languages.service';
import { RosterFileError, RosterRecord, RowError } from './import/roster-columns';
import { decodeUtf8, readCsv, readJson } from './import/roster-file.reader';
import { findDuplicates, languageKeys, parseRow, ParsedRow, ResolvedRow, resolveRow } from './import/roster-row.parser';
import { badField } from '../common/validation';
import { EventBus } from '../events/event-bus';

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  rejected: RowError[];
}

/** A CSV text (or file), or the rows of a JSON body. */
export type RosterInput = string | Buffer | unknown[];

/** Everything the import writes about one interpreter, normalised so that equal means unchanged. */
/** A stored interpreter as loadExisting reads it (snake_case, as PostgreSQL names the columns). */
interface ExistingRow {
  id: string;
  external_id: string;
  first_name: string;
  email: string;
  gender: string | null;
  status: string;
  specialties: string[];
  certification_body: string | null;
  certification_number: string | null;
  certification_expires: string | null;
  languages: string[];
  relay: string[];
}

interface InterpreterState {
  firstName: string;
  email: string;
  gender: string | null;
  status: string;
  specialties: string[];
  certificationBody: string | null;
  certificationNumber: string | null;
  certificationExpires: string | null;
  /** `languageId:level`, sorted. */
  languages: string[];
  /** `languageId:level`, sorted. */
  relay: string[];
}

const BATCH = 1000;
// Imports of one country are serialised (two-key advisory lock: namespace, hash of the country), so the
// created/updated/unchanged counts are exact even if two administrators upload at once.
const IMPORT_LOCK_NAMESPACE = 0x526f7374; // "Rost"

@Injectable()
export class RosterImportService {
  private readonly logger = new Logger('Rosters');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly languages: LanguagesService,
    private readonly audit: AuditOutbox,
    private readonly bus: EventBus,
  ) {}

  async import(country: string, input: RosterInput, actor: Principal | null): Promise<ImportResult> {
    const records = this.read(input);
    const rejected: RowError[] = [];
    const parsed: ParsedRow[] = [];
    const duplicates = findDuplicates(records);
    for (const record of records) {
      const firstLine = duplicates.get(record.line);
      if (firstLine !== undefined) {
        rejected.push({ line: record.line, field: 'external_id', message: `duplicate of line ${firstLine}` });
        continue;
      }
      const { row, errors } = parseRow(record);
      if (row) parsed.push(row);
      else rejected.push(...errors);
    }

    const keys = languageKeys(parsed);
    const catalogue = keys.length ? await this.languages.resolveMany(keys) : new Map();
    const good: ResolvedRow[] = [];
    for (const row of parsed) {
      const resolved = resolveRow(row, catalogue);
      if (resolved.row) good.push(resolved.row);
      else rejected.push(...resolved.errors);
    }
    rejected.sort((a, b) => a.line - b.line);

    const counts = await this.db.transaction(async (m) => {
      const written = await this.write(m, country, good);
      await this.audit.add(m, 'roster.imported', {
        actorId: actor?.sub ?? null,
        actorRole: actor?.role ?? 'system',
        country,
        data: {
          created: written.created,
          updated: written.updated,
          unchanged: written.unchanged,
          rejected: new Set(rejected.map((r) => r.line)).size,
        },
      });
      return written;
    });
    await this.audit.chained();
    // As when her admin suspends her by hand; and her hearings are checked against a changed certification.
    const { suspended, certificationChanged, languagesChanged, ...figures } = counts;
    for (const id of suspended) await this.bus.publishSettled('interpreter.suspended', [id], (e) => this.unsettled(e));
    for (const id of languagesChanged) await this.bus.publishSettled('interpreter.languages_changed', [id], (e) => this.unsettled(e));
    for (const id of certificationChanged)
      await this.bus.publishSettled('interpreter.certification_changed', [id], (e) => this.unsettled(e));
    return { ...figures, rejected };
  }

  private unsettled(e: unknown) {
    this.logger.warn({ err: (e as Error)?.name }, 'an imported change to an interpreter could not be applied everywhere now');
  }

  private read(input: RosterInput): RosterRecord[] {
    try {
      if (Array.isArray(input)) return readJson(input);
      return readCsv(typeof input === 'string' ? input : decodeUtf8(input));
    } catch (e) {
      if (e instanceof RosterFileError) throw badField(e.field, e.message);
      throw e;
    }
  }

  /** Upserts the good rows by (country, external_id); rows already stored exactly so are left untouched. */
  private async write(m: EntityManager, country: string, rows: ResolvedRow[]) {
    await m.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [IMPORT_LOCK_NAMESPACE, country]);
    const existing = await this.loadExisting(
      m,
      country,
      rows.map((r) => r.externalId),
    );
    const changed: { id: string; externalId: string; state: InterpreterState }[] = [];
    const suspended: string[] = [];
    const certificationChanged: string[] = [];
    const languagesChanged: string[] = [];
    let created = 0;
    let updated = 0;
    for (const row of rows) {
      const before = existing.get(row.externalId);
      const state = merge(row, before?.state);
      if (before && sameState(before.state, state)) continue;
      if (before) updated++;
      else created++;
      changed.push({ id: before?.id ?? randomUUID(), externalId: row.externalId, state });
      if (before && before.state.status !== 'suspended' && state.status === 'suspended') suspended.push(before.id);
      else if (
        before &&
        (before.state.certificationBody !== state.certificationBody || before.state.certificationExpires !== state.certificationExpires)
      )
        certificationChanged.push(before.id);
      // Presence lists her by language, and matching rings her by her languages and relay languages (levels aside);
      // one suspended now is set away instead.
      if (
        before &&
        state.status !== 'suspended' &&
        (!sameList(idsOf(before.state.languages), idsOf(state.languages)) || !sameList(idsOf(before.state.relay), idsOf(state.relay)))
      )
        languagesChanged.push(before.id);
    }
    for (let i = 0; i < changed.length; i += BATCH) await this.writeBatch(m, country, changed.slice(i, i + BATCH));
    return { created, updated, unchanged: rows.length - created - updated, suspended, certificationChanged, languagesChanged };
  }

  private async loadExisting(m: EntityManager, country: string, externalIds: string[]) {
    const found = new Map<string, { id: string; state: InterpreterState }>();
    if (!externalIds.length) return found;
    const rows: ExistingRow[] = await m.query(
      `SELECT i.id, i.external_id, i.first_name, i.email, i.gender, i.status, i.specialties::text[] AS specialties,
              i.certification_body, i.certification_number, to_char(i.certification_expires, 'YYYY-MM-DD') AS certification_expires,
              ARRAY(SELECT l.language_id || ':' || l.level FROM interpreter_languages l WHERE l.interpreter_id = i.id ORDER BY 1) AS languages,
              ARRAY(SELECT r.language_id || ':' || r.level FROM interpreter_relay_languages r WHERE r.interpreter_id = i.id ORDER BY 1) AS relay
         FROM interpreters i
        WHERE i.country = $1 AND i.external_id = ANY($2::text[])`,
      [country, externalIds],
    );
    for (const r of rows) {
      found.set(r.external_id, {
        id: r.id,
        state: {
          firstName: r.first_name,
          email: r.email,
          gender: r.gender,
          status: r.status,
          specialties: r.specialties,
          certificationBody: r.certification_body,
          certificationNumber: r.certification_number,
          certificationExpires: r.certification_expires,
          // Sorted here, not in SQL: the database collation need not agree with JavaScript's order.
          languages: [...r.languages].sort(),
          relay: [...r.relay].sort(),
        },
      });
    }
    return found;
  }

  private async writeBatch(m: EntityManager, country: string, batch: { id: string; externalId: string; state: InterpreterState }[]) {
    const payload = batch.map(({ id, externalId, state: s }) => ({
      id,
      external_id: externalId,
      first_name: s.firstName,
      email: s.email,
      gender: s.gender,
      status: s.status,
      specialties: s.specialties,
      certification_body: s.certificationBody,
      certification_number: s.certificationNumber,
      certification_expires: s.certificationExpires,
    }));
    // One multi-row upsert per batch; RETURNING gives the stored id even if the row appeared meanwhile.
    const stored: { id: string; external_id: string }[] = await m.query(
      `INSERT INTO interpreters AS i (id, country, external_id, first_name, email, gender, status, specialties,
                                      certification_body, certification_number, certification_expires)
       SELECT r.id, $1, r.external_id, r.first_name, r.email, r.gender, r.status, r.specialties,
              r.certification_body, r.certification_number, r.certification_expires
         FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, external_id text, first_name text, email text, gender text,
              status text, specialties text[], certification_body text, certification_number text, certification_expires date)
       ON CONFLICT (country, external_id) DO UPDATE SET
              first_name = EXCLUDED.first_name, email = EXCLUDED.email, gender = EXCLUDED.gender, status = EXCLUDED.status,
              specialties = EXCLUDED.specialties, certification_body = EXCLUDED.certification_body,
              certification_number = EXCLUDED.certification_number, certification_expires = EXCLUDED.certification_expires,
              updated_at = now()
       RETURNING i.id, i.external_id`,
      [country, JSON.stringify(payload)],
    );
    const idOf = new Map(stored.map((r) => [r.external_id, r.id]));
    const ids = batch.map((b) => idOf.get(b.externalId)!);
    await m.query('DELETE FROM interpreter_languages WHERE interpreter_id = ANY($1::uuid[])', [ids]);
    await m.query('DELETE FROM interpreter_relay_languages WHERE interpreter_id = ANY($1::uuid[])', [ids]);

    const lang = { interpreter: [] as string[], language: [] as string[], level: [] as number[] };
    const relay = { interpreter: [] as string[], language: [] as string[], level: [] as number[] };
    batch.forEach((b, i) => {
      for (const entry of b.state.languages) {
        const [languageId, level] = entry.split(':');
        lang.interpreter.push(ids[i]);
        lang.language.push(languageId);
        lang.level.push(Number(level));
      }
      for (const entry of b.state.relay) {
        const [languageId, level] = entry.split(':');
        relay.interpreter.push(ids[i]);
        relay.language.push(languageId);
        relay.level.push(Number(level));
      }
    });
    await m.query(
      `INSERT INTO interpreter_languages (interpreter_id, language_id, level)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::smallint[])`,
      [lang.interpreter, lang.language, lang.level],
    );
    if (relay.interpreter.length) {
      await m.query(
        `INSERT INTO interpreter_relay_languages (interpreter_id, language_id, level) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::smallint[])`,
        [relay.interpreter, relay.language, relay.level],
      );
    }
  }
}

/** The row as it will be stored: a column the file does not have keeps the stored value (or the default). */
function merge(row: ResolvedRow, before: InterpreterState | undefined): InterpreterState {
  const keep = <T>(value: T | undefined, stored: T | undefined, fallback: T): T =>
    value !== undefined ? value : stored !== undefined ? stored : fallback;
  return {
    firstName: row.firstName,
    email: row.email,
    gender: keep(row.gender, before?.gender, null),
    status: keep(row.status, before?.status, 'active'),
    specialties: keep(row.specialties, before?.specialties, []),
    certificationBody: keep(row.certificationBody, before?.certificationBody, null),
    certificationNumber: keep(row.certificationNumber, before?.certificationNumber, null),
    certificationExpires: keep(row.certificationExpires, before?.certificationExpires, null),
    languages: row.languages.map((l) => `${l.languageId}:${l.level}`).sort(),
    relay: row.relayLanguages ? row.relayLanguages.map((r) => `${r.languageId}:${r.level}`).sort() : (before?.relay ?? []),
  };
}

const sameList = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);

/** The language ids of `languageId:level` entries, sorted (the entries are sorted by id already). */
const idsOf = (entries: string[]) => entries.map((l) => l.split(':')[0]);

function sameState(a: InterpreterState, b: InterpreterState): boolean {
  return (
    a.firstName === b.firstName &&
    a.email === b.email &&
    a.gender === b.gender &&
    a.status === b.status &&
    a.certificationBody === b.certificationBody &&
    a.certificationNumber === b.certificationNumber &&
    a.certificationExpires === b.certificationExpires &&
    sameList(a.specialties, b.specialties) &&
    sameList(a.languages, b.languages) &&
    sameList(a.relay, b.relay)
  );
}
