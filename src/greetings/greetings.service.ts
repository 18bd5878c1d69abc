import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import { RostersService } from '../rosters/rosters.service';
import { Greeting } from './entities/greeting.entity';
import { checkOpusUpload, requireConsent, type UploadedAudio } from './audio-upload';

/** 10 seconds (checkOpusUpload allows half a second of slack for where the recorder's last block falls). */
export const GREETING_MAX_MS = 10_000;
/** 10 s of Opus at the client's 32 kbit/s is about 40 KB; this leaves room for a browser's higher default. */
export const GREETING_MAX_BYTES = 256 * 1024;
export const GREETING_TYPE = 'audio/webm';

export interface GreetingInfo {
  languageId: string;
  contentType: string;
  size: number;
  durationMs: number;
  consentedAt: string;
}

const info = (g: Greeting): GreetingInfo => ({
  languageId: g.languageId,
  contentType: g.contentType,
  size: g.size,
  durationMs: g.durationMs,
  consentedAt: g.consentedAt.toISOString(),
});

/**
 * Interpreters' greetings: she records one per variant she interprets, with her consent, and may delete it;
 * callers hear, for a language, the most recent greeting of an active interpreter who still interprets it.
 */
@Injectable()
export class GreetingsService {
  constructor(
    @InjectRepository(Greeting) private readonly greetings: Repository<Greeting>,
    private readonly rosters: RostersService,
    private readonly audit: AuditOutbox,
  ) {}

  /** Her variants, each with its greeting if she recorded one. */
  async mine(interpreterId: string): Promise<{ languageId: string; greeting: GreetingInfo | null }[]> {
    const profile = await this.rosters.presenceProfile(interpreterId);
    if (!profile) throw new NotFoundException('this account is not in a roster');
    const recorded = new Map((await this.greetings.find({ where: { interpreterId } })).map((g) => [g.languageId, info(g)]));
    return profile.languageIds.map((languageId) => ({ languageId, greeting: recorded.get(languageId) ?? null }));
  }

  async save(interpreterId: string, languageId: string, file: UploadedAudio | undefined, consent: unknown): Promise<GreetingInfo> {
    requireConsent(consent, 'consent must be true: callers will hear this greeting');
    const profile = await this.rosters.presenceProfile(interpreterId);
    if (!profile?.languageIds.includes(languageId)) throw new ForbiddenException('a greeting is recorded only in a variant you interpret');
    const { durationMs, size, audio } = checkOpusUpload(file, { maxMs: GREETING_MAX_MS, accept: [GREETING_TYPE], what: 'a greeting' });
    const row = this.greetings.create({
      interpreterId,
      languageId,
      consentedAt: new Date(),
      contentType: GREETING_TYPE,
      size,
      durationMs,
      audio,
    });
    await this.greetings.manager.transaction(async (m) => {
      await m.getRepository(Greeting).save(row);
      await this.audit.add(m, 'greeting.recorded', { subjectId: interpreterId, data: { languageId, durationMs: row.durationMs } });
    });
    await this.audit.chained();
    return info(row);
  }

  async remove(interpreterId: string, languageId: string): Promise<void> {
    await this.greetings.manager.transaction(async (m) => {
      const { affected } = await m.getRepository(Greeting).delete({ interpreterId, languageId });
      if (!affected) throw new NotFoundException('no greeting recorded in this language');
      await this.audit.add(m, 'greeting.deleted', { subjectId: interpreterId, data: { languageId } });
    });
    await this.audit.chained();
  }

  /** The greetings callers can hear: one per language, from an active interpreter who still interprets it. */
  async available(): Promise<{ languageId: string; durationMs: number }[]> {
    const rows = await this.greetings.find({ order: { updatedAt: 'DESC' } });
    const out = new Map<string, number>();
    const profiles = new Map<string, Awaited<ReturnType<RostersService['presenceProfile']>>>();
    for (const g of rows) {
      if (out.has(g.languageId)) continue;
      if (!profiles.has(g.interpreterId)) profiles.set(g.interpreterId, await this.rosters.presenceProfile(g.interpreterId));
      const p = profiles.get(g.interpreterId);
      if (p?.status === 'active' && p.languageIds.includes(g.languageId)) out.set(g.languageId, g.durationMs);
    }
    return [...out].map(([languageId, durationMs]) => ({ languageId, durationMs }));
  }

  /** The audio of the greeting callers hear for this language. */
  async audioFor(languageId: string): Promise<{ contentType: string; audio: Buffer }> {
    const rows = await this.greetings.find({
      where: { languageId },
      order: { updatedAt: 'DESC' },
      select: { interpreterId: true, languageId: true },
    });
    for (const g of rows) {
      const p = await this.rosters.presenceProfile(g.interpreterId);
      if (p?.status !== 'active' || !p.languageIds.includes(languageId)) continue;
      const full = await this.greetings.findOne({
        where: { interpreterId: g.interpreterId, languageId },
        select: { contentType: true, audio: true, interpreterId: true, languageId: true },
      });
      if (full) return { contentType: full.contentType, audio: full.audio };
    }
    throw new NotFoundException('no greeting in this language');
  }
}
