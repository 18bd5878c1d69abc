import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import type { Principal } from '../auth/principal';
import type { CountryCode } from '../common/countries';
import { checkOpusUpload, requireConsent, type UploadedAudio } from '../greetings/audio-upload';
import { familyOf, type LanguageFamily } from '../languages/data/language-families';
import type { Language } from '../languages/entities/language.entity';
import { LanguagesService } from '../languages/languages.service';
import { RostersService } from '../rosters/rosters.service';
import type { RejectReason } from './dto/spoken-names.dto';
import { SpokenName } from './entities/spoken-name.entity';
import { PG, pgCode } from '../database/pg-errors';

/** A name takes a second or two to say; five leaves room to breathe, and the console stops by itself then. */
export const SPOKEN_NAME_MAX_MS = 5_000;
/** 5 s of Opus is about 20 KB at the console's 32 kbit/s; this leaves room for a browser's own higher rate. */
export const SPOKEN_NAME_MAX_BYTES = 128 * 1024;

export interface SpokenNameInfo {
  id: string;
  languageId: string;
  state: string;
  recorderRole: string;
  mine: boolean;
  contentType: string;
  size: number;
  durationMs: number;
  createdAt: string;
}

export interface MissingSpokenName {
  languageId: string;
  iso6393: string;
  variant: string | null;
  name: string;
  autonym: string | null;
  family: LanguageFamily | null;
  pending: boolean;
}

const info = (s: SpokenName, viewer: Principal): SpokenNameInfo => ({
  id: s.id,
  languageId: s.languageId,
  state: s.state,
  recorderRole: s.recorderRole,
  mine: s.recordedBy === viewer.sub,
  contentType: s.contentType,
  size: s.size,
  durationMs: s.durationMs,
  createdAt: new Date(s.createdAt).toISOString(),
});

/**
 * Spoken names of languages: an interpreter (in a variant she interprets) or a roster admin (of a country where
 * the language is spoken) records one, with her consent; it waits, unheard by callers, until a roster admin of
 * a country where it is spoken, or a platform admin, publishes it (replacing the one before) or rejects it
 * (which deletes it). Callers hear only published ones. Every change is audited with metadata only.
 */
@Injectable()
export class SpokenNamesService {
  constructor(
    @InjectRepository(SpokenName) private readonly names: Repository<SpokenName>,
    private readonly languages: LanguagesService,
    private readonly rosters: RostersService,
    private readonly audit: AuditOutbox,
  ) {}

  /** The languages callers can hear the name of. */
  async published(): Promise<{ languageId: string }[]> {
    const rows = await this.names.find({ where: { state: 'published' }, select: { languageId: true }, order: { languageId: 'ASC' } });
    return rows.map((r) => ({ languageId: r.languageId }));
  }

  async publishedAudio(languageId: string): Promise<{ contentType: string; audio: Buffer }> {
    const row = await this.names.findOne({
      where: { languageId, state: 'published' },
      select: { id: true, contentType: true, audio: true },
    });
    if (!row) throw new NotFoundException('no spoken name published for this language');
    return row;
  }

  /** Records (or replaces) her own pending recording of this language's name. */
  async record(p: Principal, languageId: string, file: UploadedAudio | undefined, consent: unknown): Promise<SpokenNameInfo> {
    requireConsent(consent, 'consent must be true: callers will hear your voice saying this name');
    const language = await this.curated(languageId);
    await this.mayRecord(p, language);
    const audio = checkOpusUpload(file, { maxMs: SPOKEN_NAME_MAX_MS, accept: ['audio/webm', 'audio/ogg'], what: 'a spoken name' });
    return this.change(async (m) => {
      // One pending recording per person and language: a new one replaces hers.
      const [row]: Record<string, unknown>[] = await m.query(
        `INSERT INTO language_spoken_names (language_id, state, recorded_by, recorder_role, consented_at, content_type, size, duration_ms, audio)
         VALUES ($1, 'pending', $2, $3, now(), $4, $5, $6, $7)
         ON CONFLICT (language_id, recorded_by) WHERE state = 'pending' DO UPDATE
           SET consented_at = now(), content_type = excluded.content_type, size = excluded.size, duration_ms = excluded.duration_ms,
               audio = excluded.audio, updated_at = now()
         RETURNING id, created_at, (xmax <> 0) AS replaced`,
        [language.id, p.sub, p.role, audio.contentType, audio.size, audio.durationMs, audio.audio],
      );
      await this.audited(m, 'spoken_name.recorded', p, row.id as string, {
        languageId: language.id,
        durationMs: audio.durationMs,
        replaced: row.replaced as boolean,
      });
      return info(
        this.names.create({
          id: row.id as string,
          languageId: language.id,
          state: 'pending',
          recordedBy: p.sub,
          recorderRole: p.role as SpokenName['recorderRole'],
          ...audio,
          createdAt: row.created_at as Date,
        }),
        p,
      );
    });
  }

  /** Withdraws her own pending recording of this language's name. */
  async withdraw(p: Principal, languageId: string): Promise<void> {
    await this.change(async (m) => {
      const [rows] = await m.query(
        `DELETE FROM language_spoken_names WHERE language_id = $1 AND recorded_by = $2 AND state = 'pending' RETURNING id`,
        [languageId, p.sub],
      );
      if (!rows?.length) throw new NotFoundException('you have no recording of this name waiting');
      await this.audited(m, 'spoken_name.withdrawn', p, rows[0].id, { languageId });
    });
  }

  /** Her own recordings that wait for a check. */
  async mine(p: Principal): Promise<SpokenNameInfo[]> {
    const rows = await this.names.find({ where: { recordedBy: p.sub, state: 'pending' }, order: { createdAt: 'ASC' } });
    return rows.map((r) => info(r, p));
  }

  /** The recordings waiting for a check, of languages spoken in `country` (a roster admin: hers only). */
  async pending(p: Principal, country: CountryCode | undefined): Promise<SpokenNameInfo[]> {
    const scope = this.reviewScope(p, country);
    const qb = this.names.createQueryBuilder('s').where(`s.state = 'pending'`).orderBy('s.created_at', 'ASC');
    if (scope)
      qb.andWhere(`EXISTS (SELECT 1 FROM languages l WHERE l.id = s.language_id AND l.countries @> ARRAY[:scope]::varchar[])`, { scope });
    return (await qb.getMany()).map((r) => info(r, p));
  }

  /** A recording's audio, for whoever may check it and for the one who made it. */
  async recordingAudio(p: Principal, languageId: string, id: string): Promise<{ contentType: string; audio: Buffer }> {
    const row = await this.names.findOne({
      where: { id, languageId },
      select: { id: true, recordedBy: true, contentType: true, audio: true },
    });
    if (!row) throw new NotFoundException('no such recording');
    if (row.recordedBy !== p.sub) await this.mayReview(p, languageId);
    return row;
  }

  /** Publishes a pending recording: callers hear it from now on, instead of the one before (which is deleted). */
  async publish(p: Principal, languageId: string, id: string): Promise<SpokenNameInfo> {
    await this.mayReview(p, languageId);
    try {
      return await this.change(async (m) => {
        // One publication at a time per language: the language row is the lock (NO KEY UPDATE leaves its references free).
        await m.query(`SELECT 1 FROM languages WHERE id = $1 FOR NO KEY UPDATE`, [languageId]);
        const row = await m.getRepository(SpokenName).findOne({ where: { id, languageId, state: 'pending' } });
        if (!row) throw new NotFoundException('no such recording waiting');
        const [gone] = await m.query(`DELETE FROM language_spoken_names WHERE language_id = $1 AND state = 'published' RETURNING id`, [
          languageId,
        ]);
        Object.assign(row, { state: 'published', publishedBy: p.sub, publishedAt: new Date() });
        await m.getRepository(SpokenName).update({ id }, { state: 'published', publishedBy: p.sub, publishedAt: row.publishedAt });
        await this.audited(m, 'spoken_name.published', p, id, { languageId, replaced: gone.length > 0 });
        return info(row, p);
      });
    } catch (e) {
      if (pgCode(e) === PG.UNIQUE_VIOLATION) throw new ConflictException('another recording of this name was published at the same moment');
      throw e;
    }
  }

  /** Rejects a pending recording: it is deleted. */
  async reject(p: Principal, languageId: string, id: string, reason: RejectReason | undefined): Promise<void> {
    await this.mayReview(p, languageId);
    await this.change(async (m) => {
      const [rows] = await m.query(
        `DELETE FROM language_spoken_names WHERE id = $1 AND language_id = $2 AND state = 'pending' RETURNING id`,
        [id, languageId],
      );
      if (!rows?.length) throw new NotFoundException('no such recording waiting');
      await this.audited(m, 'spoken_name.rejected', p, id, { languageId, reason: reason ?? null });
    });
  }

  /** Takes a published name down (callers no longer hear it); the language is back on the to-do list. */
  async unpublish(p: Principal, languageId: string): Promise<void> {
    await this.mayReview(p, languageId);
    await this.change(async (m) => {
      const [rows] = await m.query(`DELETE FROM language_spoken_names WHERE language_id = $1 AND state = 'published' RETURNING id`, [
        languageId,
      ]);
      if (!rows?.length) throw new NotFoundException('no spoken name published for this language');
      await this.audited(m, 'spoken_name.removed', p, rows[0].id, { languageId });
    });
  }

  /**
   * The to-do list: the curated languages of `country` that a caller can choose (relay languages are what
   * interpreters speak to officials, not offered to her) and that have no published spoken name yet.
   */
  async missing(country: CountryCode): Promise<MissingSpokenName[]> {
    const rows: { id: string; iso6393: string; variant: string | null; name: string; autonym: string | null; pending: boolean }[] =
      await this.names.query(
        `SELECT l.id, l.iso6393, l.variant, l.name, l.autonym,
              EXISTS (SELECT 1 FROM language_spoken_names s WHERE s.language_id = l.id AND s.state = 'pending') AS pending
       FROM languages l
       WHERE l.curated AND NOT l.is_relay AND l.countries @> ARRAY[$1]::varchar[]
         AND NOT EXISTS (SELECT 1 FROM language_spoken_names s WHERE s.language_id = l.id AND s.state = 'published')
       ORDER BY l.name, l.variant NULLS FIRST`,
        [country],
      );
    return rows.map((r) => ({
      languageId: r.id,
      iso6393: r.iso6393,
      variant: r.variant,
      name: r.name,
      autonym: r.autonym,
      family: familyOf(r.iso6393),
      pending: r.pending,
    }));
  }

  private async curated(languageId: string): Promise<Language> {
    const language = await this.languages.findById(languageId);
    if (!language?.curated) throw new NotFoundException('no language of the curated catalogue with this id');
    return language;
  }

  /** An active interpreter in a variant she interprets; a roster admin for a language spoken in her country. */
  private async mayRecord(p: Principal, language: Language): Promise<void> {
    if (p.role === 'interpreter') {
      const profile = p.interpreterId ? await this.rosters.presenceProfile(p.interpreterId) : null;
      if (profile?.status !== 'active' || !profile.languageIds.includes(language.id)) {
        throw new ForbiddenException('a spoken name is recorded only in a variant you interpret');
      }
      return;
    }
    if (p.role === 'roster_admin' && p.country && language.countries.includes(p.country)) return;
    throw new ForbiddenException('a roster admin records the names of languages spoken in her country');
  }

  /** A platform admin, or a roster admin of a country where the language is spoken (404 for anyone else, as for another country's data). */
  private async mayReview(p: Principal, languageId: string): Promise<void> {
    if (p.role === 'platform_admin') return;
    const language = await this.languages.findById(languageId);
    if (!(p.role === 'roster_admin' && p.country && language?.countries.includes(p.country)))
      throw new NotFoundException('no such recording');
  }

  /** null: every country (a platform admin who names none). */
  private reviewScope(p: Principal, country: CountryCode | undefined): string | null {
    if (p.role === 'platform_admin') return country ?? null;
    if (!p.country || (country && country !== p.country)) throw new NotFoundException(`no country ${country ?? ''} here`);
    return p.country;
  }

  /** A change in one transaction, answered once its audit event is in the chain. */
  private async change<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    const done = await this.names.manager.transaction(work);
    await this.audit.chained();
    return done;
  }

  private audited(m: EntityManager, type: string, p: Principal, subjectId: string, data: Record<string, string | number | boolean | null>) {
    return this.audit.add(m, type, { actorId: p.sub, actorRole: p.role, country: p.country ?? null, subjectId, data });
  }
}
