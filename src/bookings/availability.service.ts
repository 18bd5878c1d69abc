import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import { interpreterIdOf, type Principal } from '../auth/principal';
import { BookingsRepository } from './bookings.repository';
import type { SetAvailabilityDto } from './dto/set-availability.dto';

export interface Availability {
  timeZone: string | null;
  windows: { weekday: number; start: string; end: string }[];
}

const hhmm = (t: string) => t.slice(0, 5);

/** An interpreter's weekly windows for hearings, in her own time zone. */
@Injectable()
export class AvailabilityService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: BookingsRepository,
    private readonly audit: AuditOutbox,
  ) {}

  async get(p: Principal): Promise<Availability> {
    const id = interpreterIdOf(p, 'availability is for interpreters');
    const found = await this.repo.availabilityOf(id);
    return {
      timeZone: found[0]?.time_zone ?? null,
      windows: found.map((w) => ({
        weekday: w.weekday,
        start: hhmm(w.starts_at),
        end: w.ends_at.startsWith('24') ? '24:00' : hhmm(w.ends_at),
      })),
    };
  }

  /** Replaces all her windows at once (none: any time, since she confirms each hearing herself). */
  async set(p: Principal, dto: SetAvailabilityDto): Promise<Availability> {
    const id = interpreterIdOf(p, 'availability is for interpreters');
    const bad = dto.windows.findIndex((w) => w.end <= w.start);
    if (bad >= 0) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: [`windows.${bad}.end must be after windows.${bad}.start`],
        fields: [`windows.${bad}.end`],
      });
    }
    await this.db.transaction(async (m) => {
      await this.repo.replaceAvailability(m, id, dto.windows, dto.timeZone);
      await this.audit.add(m, 'availability.set', { actorId: id, actorRole: 'interpreter', data: { windows: dto.windows.length } });
    });
    await this.audit.chained();
    return this.get(p);
  }
}
