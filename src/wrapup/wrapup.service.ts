import { InjectQueue } from '@nestjs/bull';
import { ConflictException, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import type { Socket } from 'socket.io';
import { DataSource } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import type { Principal } from '../auth/principal';
import type { Matter } from '../common/domain';
import { rows } from '../database/sql';
import { EventBus } from '../events/event-bus';
import { MailService } from '../mail/mail.service';
import type { WrapupUpdate } from '../realtime/realtime.contract';
import { RealtimeService, rooms } from '../realtime/realtime.service';
import type { EndedWrapup } from '../sessions/sessions.repository';
import type { CallLimitsDto, DebriefRequestDto } from './dto/wrapup.dto';

export const WRAPUP_QUEUE = 'wrapup';
/** A second "I need a debrief" within this time is the same request: her roster admins are told once. */
export const DEBRIEF_REPEAT_MINUTES = 30;
/** How far back a roster admin's list of debrief requests goes. */
export const DEBRIEF_LIST_DAYS = 30;
const NOT_IN_WRAPUP: WrapupUpdate = { until: null, canExtend: false };

/**
 * Looking after interpreters between calls (issue 15): her wrap-up time after each call, the "I need a debrief" notice
 * to her roster admins, and each roster's daily cap on violence and trafficking calls.
 *
 * The wrap-up itself is kept in PostgreSQL (interpreters.wrapup_until): session_end stamps it in the transaction that
 * ends the call and matching_free refuses her until it is over, so no node can offer her anything meanwhile. This
 * service tells her console, ends it early when she says she is ready (PresenceService, `presence:set available`),
 * extends it once, and has the waiting line served to her when it runs out (a Bull job, so a restart loses none; the
 * matching sweep re-dispatches stalled requests if even that is lost).
 */
@Injectable()
export class WrapupService implements OnModuleInit {
  private readonly logger = new Logger('Wrapup');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(WRAPUP_QUEUE) private readonly queue: Queue,
    private readonly realtime: RealtimeService,
    private readonly bus: EventBus,
    private readonly mail: MailService,
    private readonly audit: AuditOutbox,
  ) {}

  onModuleInit() {
    this.bus.on('wrapup.started', (wrapups) => this.started(wrapups));
    this.realtime.onConnect((p, socket) => this.connected(p, socket));
  }

  /** Her wrap-up now (until null: none). */
  async of(interpreterId: string): Promise<WrapupUpdate> {
    const [r] = await rows<{ until: Date; extended: boolean }>(
      this.db,
      `SELECT wrapup_until AS until, wrapup_extended AS extended FROM interpreters WHERE id = $1 AND wrapup_until > now()`,
      [interpreterId],
    );
    return r ? { until: r.until.toISOString(), canExtend: !r.extended } : NOT_IN_WRAPUP;
  }

  /** She is ready before her wrap-up is over (`presence:set available`). True if she was in one. */
  async end(interpreterId: string): Promise<boolean> {
    const ended = await rows(
      this.db,
      `WITH e AS (UPDATE interpreters SET wrapup_until = NULL WHERE id = $1 AND wrapup_until > now() RETURNING id) SELECT id FROM e`,
      [interpreterId],
    );
    if (ended.length) this.realtime.toInterpreter(interpreterId, 'wrapup:update', NOT_IN_WRAPUP);
    return ended.length > 0;
  }

  /** `wrapup:extend`: once per wrap-up, by as long again as it was given (WRAPUP_SECONDS for that call's matter). */
  async extend(interpreterId: string): Promise<{ until: string }> {
    const [r] = await rows<{ until: Date }>(
      this.db,
      `WITH e AS (
         UPDATE interpreters SET wrapup_until = wrapup_until + (wrapup_until - last_session_ended_at), wrapup_extended = true
         WHERE id = $1 AND wrapup_until > now() AND NOT wrapup_extended RETURNING wrapup_until)
       SELECT wrapup_until AS until FROM e`,
      [interpreterId],
    );
    if (!r) throw new ConflictException('there is no wrap-up time to extend: it is over, or it was extended once already');
    const until = r.until.toISOString();
    this.realtime.toInterpreter(interpreterId, 'wrapup:update', { until, canExtend: false });
    await this.schedule(interpreterId, until);
    return { until };
  }

  /** The job at the end of her wrap-up: if it is over (by PostgreSQL's clock), she is told and served the waiting line. */
  async over(interpreterId: string) {
    const [r] = await rows<{ left_ms: number | null }>(
      this.db,
      `SELECT (extract(epoch FROM wrapup_until - now()) * 1000)::float8 AS left_ms FROM interpreters WHERE id = $1`,
      [interpreterId],
    );
    if (!r) return;
    // Extended meanwhile: the extension scheduled its own job. Early by the nodes' clocks: once more when it is due.
    if (r.left_ms !== null && r.left_ms > 0) {
      if (r.left_ms < 5000) await this.schedule(interpreterId, new Date(Date.now() + r.left_ms + 50).toISOString());
      return;
    }
    this.realtime.toInterpreter(interpreterId, 'wrapup:update', NOT_IN_WRAPUP);
    await this.bus.publish('wrapup.over', interpreterId);
  }

  /** A call's end started its interpreters' wrap-up (every node hears it: the job's id keeps it to one per wrap-up). */
  private async started(wrapups: EndedWrapup[]) {
    for (const w of wrapups) {
      const until = new Date(w.until).toISOString();
      this.realtime.emitLocal(rooms.interpreter(w.id), 'wrapup:update', { until, canExtend: w.canExtend });
      await this.schedule(w.id, until).catch((e) =>
        this.logger.warn({ err: (e as Error).name }, 'could not schedule the end of a wrap-up'),
      );
    }
  }

  /** Retried (a failed one would leave her consoles showing a wrap-up that is over, and the line unserved until the sweep). */
  private async schedule(interpreterId: string, until: string) {
    const at = new Date(until).getTime();
    await this.queue.add(
      'over',
      { interpreterId },
      {
        jobId: `wrapup:${interpreterId}:${at}`,
        delay: Math.max(0, at - Date.now()),
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Every console of hers that connects (a reload, another device, back after a dropped network) is told where she stands. */
  private async connected(p: Principal, socket: Socket) {
    if (p.role !== 'interpreter' || !p.interpreterId) return;
    socket.emit('wrapup:update', await this.of(p.interpreterId));
  }

  // ---- debrief ------------------------------------------------------------------------------------------------

  /**
   * "I need a debrief": recorded (who, when, the matter of her last call: metadata only) and her roster's admins are
   * emailed. Asked again within DEBRIEF_REPEAT_MINUTES, the same request is answered and nobody is emailed twice.
   */
  async debrief(interpreterId: string): Promise<DebriefRequestDto> {
    const made = await this.db.transaction(async (m) => {
      // Her row locked first: a double tap, or her phone and console at once, make one request, not two.
      const [me] = await rows<{ id: string }>(m, `SELECT id FROM interpreters WHERE id = $1 FOR UPDATE`, [interpreterId]);
      if (!me) throw new NotFoundException('this interpreter is not in a roster');
      const [known] = await rows<DebriefRow>(
        m,
        `${DEBRIEF_SELECT} WHERE d.interpreter_id = $1 AND d.requested_at > now() - make_interval(mins => $2) ORDER BY d.requested_at DESC LIMIT 1`,
        [interpreterId, DEBRIEF_REPEAT_MINUTES],
      );
      if (known) return { row: known, fresh: false };
      const [d] = await rows<{ id: string }>(
        m,
        `INSERT INTO debrief_requests (interpreter_id, country, matter)
         SELECT i.id, i.country,
           (SELECT coalesce(r.matter, b.matter) FROM session_interpreters si JOIN sessions s ON s.id = si.session_id
              LEFT JOIN interpretation_requests r ON r.id = s.request_id LEFT JOIN bookings b ON b.id = s.booking_id
             WHERE si.interpreter_id = i.id AND s.ended_at IS NOT NULL ORDER BY si.id DESC LIMIT 1)
         FROM interpreters i WHERE i.id = $1
         RETURNING id`,
        [interpreterId],
      );
      const [row] = await rows<DebriefRow>(m, `${DEBRIEF_SELECT} WHERE d.id = $1`, [d.id]);
      await this.audit.add(m, 'interpreter.debrief_requested', {
        actorId: interpreterId,
        actorRole: 'interpreter',
        country: row.country,
        subjectId: row.id,
        data: { matter: row.matter },
      });
      return { row, fresh: true };
    });
    if (made.fresh) {
      await this.audit.chained();
      // Emailed by a job (retried): a slow or failing mail server neither holds her tap nor loses the notice.
      await this.queue.add(
        'debrief-mail',
        { debriefId: made.row.id },
        { attempts: 5, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: true },
      );
    }
    return debriefDto(made.row);
  }

  /** The job that emails her roster's admins about one debrief request (who, when, which matter; nothing of the call). */
  async mailDebrief(debriefId: string) {
    const [d] = await rows<DebriefRow>(this.db, `${DEBRIEF_SELECT} WHERE d.id = $1`, [debriefId]);
    if (d) await this.tellAdmins(d);
  }

  /** A roster's debrief requests of the last DEBRIEF_LIST_DAYS, newest first. */
  async debriefs(country: string): Promise<DebriefRequestDto[]> {
    const found = await rows<DebriefRow>(
      this.db,
      `${DEBRIEF_SELECT} WHERE d.country = $1 AND d.requested_at > now() - make_interval(days => $2) ORDER BY d.requested_at DESC LIMIT 500`,
      [country, DEBRIEF_LIST_DAYS],
    );
    return found.map(debriefDto);
  }

  private async tellAdmins(d: DebriefRow) {
    if (!this.mail.enabled) return;
    const admins = await rows<{ email: string }>(
      this.db,
      `SELECT email FROM users WHERE role = 'roster_admin' AND country = $1 AND NOT disabled ORDER BY email`,
      [d.country],
    );
    const after = d.matter ? ` after a ${d.matter.replace('_', ' ')} call` : '';
    let failed = 0;
    for (const { email } of admins) {
      const sent = await this.mail.send({
        to: email,
        subject: `Puente: ${d.first_name} asks for a debrief`,
        text:
          `Interpreter ${d.first_name} (roster id ${d.external_id}) asked for a debrief at ${d.requested_at.toISOString()}${after}.\n` +
          `Please contact her. Puente keeps nothing of what was said in the call.\n`,
      });
      if (!sent) failed++;
    }
    // (A retry may email an admin twice: better than one who never hears.)
    if (failed) throw new Error(`${failed} debrief email(s) not sent`);
  }

  // ---- daily cap ----------------------------------------------------------------------------------------------

  async limits(country: string): Promise<CallLimitsDto> {
    const [r] = await rows<{ per_day: number }>(
      this.db,
      `SELECT violence_trafficking_per_day AS per_day FROM roster_call_limits WHERE country = $1`,
      [country],
    );
    return { country, violenceTraffickingPerDay: r?.per_day ?? null };
  }

  /** Sets (or, null, removes) the roster's cap on violence and trafficking calls per interpreter in 24 hours. Audited. */
  async setLimits(country: string, perDay: number | null, actor: Principal): Promise<CallLimitsDto> {
    await this.db.transaction(async (m) => {
      if (perDay === null) await m.query(`DELETE FROM roster_call_limits WHERE country = $1`, [country]);
      else
        await m.query(
          `INSERT INTO roster_call_limits (country, violence_trafficking_per_day) VALUES ($1, $2)
           ON CONFLICT (country) DO UPDATE SET violence_trafficking_per_day = EXCLUDED.violence_trafficking_per_day, updated_at = now()`,
          [country, perDay],
        );
      await this.audit.add(m, 'roster.call_limits_set', {
        actorId: actor.sub,
        actorRole: actor.role,
        country,
        data: { violenceTraffickingPerDay: perDay },
      });
    });
    await this.audit.chained();
    return this.limits(country);
  }
}

interface DebriefRow {
  id: string;
  interpreter_id: string;
  external_id: string;
  first_name: string;
  country: string;
  matter: Matter | null;
  requested_at: Date;
}

const DEBRIEF_SELECT = `SELECT d.id, d.interpreter_id, i.external_id, i.first_name, d.country, d.matter, d.requested_at
  FROM debrief_requests d JOIN interpreters i ON i.id = d.interpreter_id`;

const debriefDto = (d: DebriefRow): DebriefRequestDto => ({
  id: d.id,
  interpreterId: d.interpreter_id,
  externalId: d.external_id,
  firstName: d.first_name,
  matter: d.matter,
  requestedAt: d.requested_at.toISOString(),
});
