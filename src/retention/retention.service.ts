import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { COUNTRY_CODES } from '../common/countries';
import { AppConfig } from '../config/config.schema';
import { ReturnCodesService } from '../return-codes/return-codes.service';
import { assertRosterAccess } from '../rosters/roster-access';

const DAY_MS = 86_400_000;
const BATCH = 5000;

export interface PurgeReport {
  requests: number;
  bookings: number;
  /** Interpreters' "I need a debrief" notices (who, when, which matter): metadata of her country's too. */
  debriefRequests: number;
  /** Return codes past their 24 hours (whatever the country's retention: they are no use after). */
  returnCodes: number;
  auditEvents: number;
}

/**
 * Each member state's retention of metadata, and the purge that enforces it. Ended requests (with their
 * offers and sessions) and ended bookings (with theirs) go once older than their country's retention; a
 * request that names no country counts as the home roster's. The audit log is one hash chain across
 * countries and can only lose its oldest part, so it is kept for the longest retention any country has;
 * its events are pseudonymous metadata. Every purge is itself an audited, chained event.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly outbox: AuditOutbox,
    private readonly returnCodes: ReturnCodesService,
  ) {}

  async get(actor: Principal, country: string): Promise<{ country: string; days: number; isDefault: boolean }> {
    assertRosterAccess(actor, country, true);
    const [row] = await this.db.query(`SELECT days FROM country_retention WHERE country = $1`, [country]);
    return { country, days: row?.days ?? this.config.RETENTION_DAYS, isDefault: !row };
  }

  async set(actor: Principal, country: string, days: number) {
    assertRosterAccess(actor, country, true);
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO country_retention (country, days) VALUES ($1, $2) ON CONFLICT (country) DO UPDATE SET days = EXCLUDED.days, updated_at = now()`,
        [country, days],
      );
      await this.outbox.add(m, 'retention.set', { actorId: actor.sub, actorRole: actor.role, country, data: { days } });
    });
    await this.outbox.chained();
    return this.get(actor, country);
  }

  /** Days kept per country (its own setting or RETENTION_DAYS). */
  async policy(): Promise<Map<string, number>> {
    const set: { country: string; days: number }[] = await this.db.query(`SELECT country, days FROM country_retention`);
    const out = new Map<string, number>(COUNTRY_CODES.map((c) => [c, this.config.RETENTION_DAYS]));
    for (const s of set) out.set(s.country, s.days);
    return out;
  }

  async purge(now = new Date()): Promise<PurgeReport> {
    const policy = await this.policy();
    const report: PurgeReport = { requests: 0, bookings: 0, debriefRequests: 0, returnCodes: 0, auditEvents: 0 };
    const home = this.config.HOME_COUNTRY ?? null;
    for (const [country, days] of policy) {
      const before = new Date(now.getTime() - days * DAY_MS);
      report.requests += await this.inBatches(
        `DELETE FROM interpretation_requests WHERE id IN (
           SELECT id FROM interpretation_requests WHERE ended_at < $1 AND coalesce(country, $3) = $2 LIMIT ${BATCH})`,
        [before, country, home],
      );
      report.bookings += await this.inBatches(
        `DELETE FROM bookings WHERE id IN (
           SELECT id FROM bookings WHERE state IN ('completed', 'cancelled') AND ends_at < $1 AND country = $2 LIMIT ${BATCH})`,
        [before, country],
      );
      report.debriefRequests += await this.inBatches(
        `DELETE FROM debrief_requests WHERE id IN (SELECT id FROM debrief_requests WHERE requested_at < $1 AND country = $2 LIMIT ${BATCH})`,
        [before, country],
      );
    }
    // Requests naming no country, where the deployment has no home roster either.
    if (!home) {
      report.requests += await this.inBatches(
        `DELETE FROM interpretation_requests WHERE id IN (SELECT id FROM interpretation_requests WHERE ended_at < $1 AND country IS NULL LIMIT ${BATCH})`,
        [new Date(now.getTime() - this.config.RETENTION_DAYS * DAY_MS)],
      );
    }
    report.returnCodes = await this.returnCodes.purgeExpired();
    const longest = Math.max(this.config.RETENTION_DAYS, ...policy.values());
    report.auditEvents = (await this.audit.purgeBefore(new Date(now.getTime() - longest * DAY_MS))).deleted;
    if (Object.values(report).some((n) => n > 0)) {
      await this.outbox.record('retention.purged', { actorRole: 'system', data: { ...report } });
      this.logger.log(report, 'retention purge');
    }
    return report;
  }

  private async inBatches(sql: string, params: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = (await this.db.query(sql, params)) as [unknown, number];
      const n = Array.isArray(deleted) ? Number(deleted[1] ?? 0) : 0;
      total += n;
      if (n < BATCH) return total;
    }
  }
}
