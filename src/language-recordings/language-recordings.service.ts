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
import type { RejectReason } from './dto/language-recordings.dto';
import { LanguageRecording } from './entities/language-recording.entity';
import { KINDS, nounOf, type RecordingKind } from './recording-kinds';
import { PG, pgCode } from '../database/pg-errors';

export interface RecordingInfo {
  id: string;
  languageId: string;
  kind: RecordingKind;
  state: string;
  recorderRole: string;
  mine: boolean;
  contentType: string;
  size: number;
  durationMs: number;
  createdAt: string;
}

export interface MissingRecording {
  languageId: string;
  iso6393: string;
  variant: string | null;
  name: string;
  autonym: string | null;
  family: LanguageFamily | null;
  pending: boolean;
}

const info = (s: LanguageRecording, viewer: Principal): RecordingInfo => ({
  id: s.id,
  languageId: s.languageId,
  kind: s.kind,
  state: s.state,
  recorderRole: s.recorderRole,
  mine: s.recordedBy === viewer.sub,
  contentType: s.contentType,
  size: s.size,
  durationMs: s.durationMs,
  createdAt: new Date(s.createdAt).toISOString(),
});

/**
 * Recordings of a curated language (its spoken name, its notices: recording-kinds.ts): an interpreter (in a
 * variant she interprets) or a roster admin (of a country where the language is spoken) records one, with her
 * consent; it waits, unheard by callers, until a roster admin of a country where it is spoken, or a platform admin,
 * publishes it (replacing the one before) or rejects it (which deletes it). Callers hear only published ones.
 * Every change is audited with metadata only.
 */
@Injectable()
export class LanguageRecordingsService {
  constructor(
    @InjectRepository(LanguageRecording) private readonly recordings: Repository<LanguageRecording>,
    private readonly languages: LanguagesService,
    private readonly rosters: RostersService,
    private readonly audit: AuditOutbox,
  ) {}

  /** The languages callers can hear this kind of recording of. */
  async published(kind: RecordingKind): Promise<{ languageId: string }[]> {
    const rows = await this.recordings.find({
      where: { kind, state: 'published' },
      select: { languageId: true },
      order: { languageId: 'ASC' },
    });
    return rows.map((r) => ({ languageId: r.languageId }));
  }

  async publishedAudio(kind: RecordingKind, languageId: string): Promise<{ contentType: string; audio: Buffer }> {
    const row = await this.recordings.findOne({
      where: { kind, languageId, state: 'published' },
      select: { id: true, contentType: true, audio: true },
    });
    if (!row) throw new NotFoundException(`no ${nounOf(kind)} published for this language`);
    return row;
  }

  /** Records (or replaces) her own pending recording of this kind for this language. */
  async record(
    kind: RecordingKind,
    p: Principal,
    languageId: string,
    file: UploadedAudio | undefined,
    consent: unknown,
  ): Promise<RecordingInfo> {
    const rules = KINDS[kind];
    requireConsent(consent, rules.consent);
    const language = await this.curated(languageId);
    await this.mayRecord(p, language, rules.what);
    const audio = checkOpusUpload(file, { maxMs: rules.maxMs, accept: ['audio/webm', 'audio/ogg'], what: rules.what });
    return this.change(async (m) => {
      // One pending recording per person, language and kind: a new one replaces hers.
      const [row]: Record<string, unknown>[] = await m.query(
        `INSERT INTO language_recordings (kind, language_id, state, recorded_by, recorder_role, consented_at, content_type, size, duration_ms, audio)
         VALUES ($1, $2, 'pending', $3, $4, now(), $5, $6, $7, $8)
         ON CONFLICT (language_id, kind, recorded_by) WHERE state = 'pending' DO UPDATE
           SET consented_at = now(), content_type = excluded.content_type, size = excluded.size, duration_ms = excluded.duration_ms,
               audio = excluded.audio, updated_at = now()
         RETURNING id, created_at, (xmax <> 0) AS replaced`,
        [kind, language.id, p.sub, p.role, audio.contentType, audio.size, audio.durationMs, audio.audio],
      );
      await this.audited(m, kind, 'recorded', p, row.id as string, {
        languageId: language.id,
        durationMs: audio.durationMs,
        replaced: row.replaced as boolean,
      });
      return info(
        this.recordings.create({
          id: row.id as string,
          kind,
          languageId: language.id,
          state: 'pending',
          recordedBy: p.sub,
          recorderRole: p.role as LanguageRecording['recorderRole'],
          ...audio,
          createdAt: row.created_at as Date,
        }),
        p,
      );
    });
  }

  /** Withdraws her own pending recording of this kind for this language. */
  async withdraw(kind: RecordingKind, p: Principal, languageId: string): Promise<void> {
    await this.change(async (m) => {
      const [rows] = await m.query(
        `DELETE FROM language_recordings WHERE kind = $1 AND language_id = $2 AND recorded_by = $3 AND state = 'pending' RETURNING id`,
        [kind, languageId, p.sub],
      );
      if (!rows?.length) throw new NotFoundException(`you have no recording of ${KINDS[kind].what} waiting`);
      await this.audited(m, kind, 'withdrawn', p, rows[0].id, { languageId });
    });
  }

  /** Her own recordings of this kind that wait for a check. */
  async mine(kind: RecordingKind, p: Principal): Promise<RecordingInfo[]> {
    const rows = await this.recordings.find({ where: { kind, recordedBy: p.sub, state: 'pending' }, order: { createdAt: 'ASC' } });
    return rows.map((r) => info(r, p));
  }

  /** The recordings of this kind waiting for a check, of languages spoken in `country` (a roster admin: hers only). */
  async pending(kind: RecordingKind, p: Principal, country: CountryCode | undefined): Promise<RecordingInfo[]> {
    const scope = this.reviewScope(p, country);
    const qb = this.recordings
      .createQueryBuilder('s')
      .where(`s.kind = :kind AND s.state = 'pending'`, { kind })
      .orderBy('s.created_at', 'ASC');
    if (scope)
      qb.andWhere(`EXISTS (SELECT 1 FROM languages l WHERE l.id = s.language_id AND l.countries @> ARRAY[:scope]::varchar[])`, { scope });
    return (await qb.getMany()).map((r) => info(r, p));
  }

  /** A recording's audio, for whoever may check it and for the one who made it. */
  async recordingAudio(kind: RecordingKind, p: Principal, languageId: string, id: string): Promise<{ contentType: string; audio: Buffer }> {
    const row = await this.recordings.findOne({
      where: { id, kind, languageId },
      select: { id: true, recordedBy: true, contentType: true, audio: true },
    });
    if (!row) throw new NotFoundException('no such recording');
    if (row.recordedBy !== p.sub) await this.mayReview(p, languageId);
    return row;
  }

  /** Publishes a pending recording: callers hear it from now on, instead of the one before (which is deleted). */
  async publish(kind: RecordingKind, p: Principal, languageId: string, id: string): Promise<RecordingInfo> {
    await this.mayReview(p, languageId);
    try {
      return await this.change(async (m) => {
        // One publication at a time per language: the language row is the lock (NO KEY UPDATE leaves its references free).
        await m.query(`SELECT 1 FROM languages WHERE id = $1 FOR NO KEY UPDATE`, [languageId]);
        const row = await m.getRepository(LanguageRecording).findOne({ where: { id, kind, languageId, state: 'pending' } });
        if (!row) throw new NotFoundException('no such recording waiting');
        const [gone] = await m.query(
          `DELETE FROM language_recordings WHERE kind = $1 AND language_id = $2 AND state = 'published' RETURNING id`,
          [kind, languageId],
        );
        Object.assign(row, { state: 'published', publishedBy: p.sub, publishedAt: new Date() });
        await m.getRepository(LanguageRecording).update({ id }, { state: 'published', publishedBy: p.sub, publishedAt: row.publishedAt });
        await this.audited(m, kind, 'published', p, id, { languageId, replaced: gone.length > 0 });
        return info(row, p);
      });
    } catch (e) {
      if (pgCode(e) === PG.UNIQUE_VIOLATION) throw new ConflictException('another recording was published at the same moment');
      throw e;
    }
  }

  /** Rejects a pending recording: it is deleted. */
  async reject(kind: RecordingKind, p: Principal, languageId: string, id: string, reason: RejectReason | undefined): Promise<void> {
    await this.mayReview(p, languageId);
    await this.change(async (m) => {
      const [rows] = await m.query(
        `DELETE FROM language_recordings WHERE id = $1 AND kind = $2 AND language_id = $3 AND state = 'pending' RETURNING id`,
        [id, kind, languageId],
      );
      if (!rows?.length) throw new NotFoundException('no such recording waiting');
      await this.audited(m, kind, 'rejected', p, id, { languageId, reason: reason ?? null });
    });
  }

  /** Takes a published recording down (callers no longer hear it); the language is back on the to-do list. */
  async unpublish(kind: RecordingKind, p: Principal, languageId: string): Promise<void> {
    await this.mayReview(p, languageId);
    await this.change(async (m) => {
      const [rows] = await m.query(
        `DELETE FROM language_recordings WHERE kind = $1 AND language_id = $2 AND state = 'published' RETURNING id`,
        [kind, languageId],
      );
      if (!rows?.length) throw new NotFoundException(`no ${nounOf(kind)} published for this language`);
      await this.audited(m, kind, 'removed', p, rows[0].id, { languageId });
    });
  }

  /**
   * The to-do list: the curated languages of `country` that a caller can choose (relay languages are what
   * interpreters speak to officials, not offered to her) and that have no published recording of this kind yet.
   */
  async missing(kind: RecordingKind, country: CountryCode): Promise<MissingRecording[]> {
    const rows: { id: string; iso6393: string; variant: string | null; name: string; autonym: string | null; pending: boolean }[] =
      await this.recordings.query(
        `SELECT l.id, l.iso6393, l.variant, l.name, l.autonym,
              EXISTS (SELECT 1 FROM language_recordings s WHERE s.language_id = l.id AND s.kind = $2 AND s.state = 'pending') AS pending
       FROM languages l
       WHERE l.curated AND NOT l.is_relay AND l.countries @> ARRAY[$1]::varchar[]
         AND NOT EXISTS (SELECT 1 FROM language_recordings s WHERE s.language_id = l.id AND s.kind = $2 AND s.state = 'published')
       ORDER BY l.name, l.variant NULLS FIRST`,
        [country, kind],
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
  private async mayRecord(p: Principal, language: Language, what: string): Promise<void> {
    if (p.role === 'interpreter') {
      const profile = p.interpreterId ? await this.rosters.presenceProfile(p.interpreterId) : null;
      if (profile?.status !== 'active' || !profile.languageIds.includes(language.id)) {
        throw new ForbiddenException(`${what} is recorded only in a variant you interpret`);
      }
      return;
    }
    if (p.role === 'roster_admin' && p.country && language.countries.includes(p.country)) return;
    throw new ForbiddenException('a roster admin records for the languages spoken in her country');
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
    const done = await this.recordings.manager.transaction(work);
    await this.audit.chained();
    return done;
  }

  private audited(
    m: EntityManager,
    kind: RecordingKind,
    what: string,
    p: Principal,
    subjectId: string,
    data: Record<string, string | number | boolean | null>,
  ) {
    return this.audit.add(m, `${KINDS[kind].audit}.${what}`, {
      actorId: p.sub,
      actorRole: p.role,
      country: p.country ?? null,
      subjectId,
      data,
    });
  }
}
