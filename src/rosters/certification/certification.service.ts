import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditOutbox } from '../../audit/audit-outbox';
import type { Principal } from '../../auth/principal';
import type { Matter } from '../../common/domain';
import { AppConfig } from '../../config/config.schema';
import { MailService } from '../../mail/mail.service';
import type { CertificationRulesDto, ExpiringCertificateDto } from '../dto/certification.dto';

/** Certificates ending within this many days are listed for roster admins (and those already expired). */
export const EXPIRING_WITHIN_DAYS = 60;

/**
 * Certification of interpreters: which matters (and whether hearings) need a valid one in each country, and the
 * certificates that end soon. The ladder itself applies the rules (src/matching/sql/10-ladder.sql); this service
 * stores them and tells roster admins what to renew. `country` arguments are already checked codes.
 */
@Injectable()
export class CertificationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditOutbox,
    private readonly mail: MailService,
    private readonly config: AppConfig,
  ) {}

  /** The country's rules as the ladder applies them (`ladder_certification_rules`: its own, or the default). */
  async rules(country: string): Promise<CertificationRulesDto> {
    const [r] = await this.db.query(`SELECT matters, hearings, is_default FROM ladder_certification_rules($1)`, [country]);
    return { country, matters: r.matters, hearings: r.hearings, isDefault: r.is_default };
  }

  async setRules(country: string, rules: { matters: Matter[]; hearings: boolean }, actor: Principal): Promise<CertificationRulesDto> {
    const matters = [...new Set(rules.matters)].sort();
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO certification_rules (country, matters, hearings) VALUES ($1, $2, $3)
         ON CONFLICT (country) DO UPDATE SET matters = EXCLUDED.matters, hearings = EXCLUDED.hearings, updated_at = now()`,
        [country, matters, rules.hearings],
      );
      await this.audit.add(m, 'roster.certification_rules_set', {
        actorId: actor.sub,
        actorRole: actor.role,
        country,
        data: { matters: matters.join(','), hearings: rules.hearings },
      });
    });
    await this.audit.chained();
    return this.rules(country);
  }

  /** The roster's certificates that have expired or end within `days` (UTC days), soonest first. */
  async expiring(country: string, days = EXPIRING_WITHIN_DAYS): Promise<ExpiringCertificateDto[]> {
    const rows: { id: string; external_id: string; first_name: string; status: string; expires: string; days_left: number }[] =
      await this.db.query(
        `SELECT id, external_id, first_name, status, to_char(certification_expires, 'YYYY-MM-DD') AS expires,
                certification_expires - (now() AT TIME ZONE 'UTC')::date AS days_left
           FROM interpreters
          WHERE country = $1 AND certification_expires <= (now() AT TIME ZONE 'UTC')::date + $2::int
          ORDER BY certification_expires, external_id COLLATE "C"`,
        [country, days],
      );
    return rows.map((r) => ({
      id: r.id,
      externalId: r.external_id,
      firstName: r.first_name,
      status: r.status,
      expires: r.expires,
      daysLeft: r.days_left,
    }));
  }

  /**
   * The monthly reminder: each roster admin (not disabled) of a country whose roster has certificates that have
   * expired or end within EXPIRING_WITHIN_DAYS gets one email listing them (roster ids, first names, dates: no
   * caller data). Returns how many emails went out.
   */
  async sendReminders(): Promise<number> {
    if (!this.mail.enabled) return 0;
    const admins: { country: string; email: string }[] = await this.db.query(
      `SELECT country, email FROM users WHERE role = 'roster_admin' AND NOT disabled AND country IS NOT NULL ORDER BY country, email`,
    );
    let sent = 0;
    const byCountry = new Map<string, ExpiringCertificateDto[]>();
    for (const { country, email } of admins) {
      if (!byCountry.has(country)) byCountry.set(country, await this.expiring(country));
      const list = byCountry.get(country)!;
      if (!list.length) continue;
      if (
        await this.mail.send({
          to: email,
          subject: `Puente: certificates to renew in the ${country} roster`,
          text: this.describe(country, list),
        })
      )
        sent++;
    }
    return sent;
  }

  private describe(country: string, list: ExpiringCertificateDto[]): string {
    return [
      `Interpreters of the ${country} roster whose certification has expired or ends within ${EXPIRING_WITHIN_DAYS} days.`,
      'Where a valid certification is required (by default the legal matters and every hearing), they are not offered those calls once it has expired.',
      '',
      ...list.map(
        (c) =>
          `${c.externalId} ${c.firstName}: ${c.expires} (${c.daysLeft < 0 ? 'expired' : `${c.daysLeft} days left`})${c.status === 'suspended' ? ', suspended' : ''}`,
      ),
      '',
      `Update the roster (import its file again) from your console: ${this.config.PUBLIC_ORIGINS[0] ?? ''}/admin/`,
    ].join('\n');
  }
}
