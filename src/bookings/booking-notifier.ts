import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config.schema';
import { LanguagesService } from '../languages/languages.service';
import { MailService } from '../mail/mail.service';
import { RealtimeService, rooms } from '../realtime/realtime.service';
import { RostersService } from '../rosters/rosters.service';
import { UsersService } from '../users/users.service';
import { bookingCalendar } from './booking-calendar';
import type { BookingRow } from './booking-row';
import { localIso } from './booking-time';
import type { BookingUpdate } from '../realtime/realtime.contract';

export type { BookingNotice, BookingUpdate } from '../realtime/realtime.contract';

/** Whose console a message or calendar file links to. */
export type Console = 'official' | 'interpreter';

/** 86400 → "24 hours", 900 → "15 minutes", 9 → "9 seconds". */
export function inWords(seconds: number): string {
  const [n, unit] =
    seconds >= 3600 && seconds % 3600 === 0
      ? [seconds / 3600, 'hour']
      : seconds >= 60
        ? [Math.round(seconds / 60), 'minute']
        : [seconds, 'second'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

const SUBJECTS: Record<string, string> = {
  asked: 'Puente: can you interpret at this hearing?',
  confirmed: 'Puente: interpreter confirmed for the hearing',
  cancelled: 'Puente: hearing cancelled',
  widened: 'Puente: no interpreter has confirmed yet',
  unconfirmed: 'Puente: no interpreter has confirmed yet',
  no_interpreter: 'Puente: no interpreter is free for this hearing yet',
  declined: 'Puente: the interpreter can no longer come; looking for another',
  reminder: 'Puente: hearing reminder',
  join_code_voided: "Puente: the woman's join code no longer works",
};

/**
 * `booking:update` to the official who booked and the interpreter concerned, on every change, and the same
 * news by email when SMTP is configured. Messages carry the booking id, state, language and time, and never
 * the case reference.
 */
@Injectable()
export class BookingNotifier {
  constructor(
    private readonly realtime: RealtimeService,
    private readonly mail: MailService,
    private readonly users: UsersService,
    private readonly rosters: RostersService,
    private readonly languages: LanguagesService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Tells the official and, when given, the interpreter (who may no longer be the booking's). `seatConfirmed`: she has
   * just confirmed her seat; while a relay chain's or a team's other seats are still being filled, the booking is
   * not confirmed yet, but she gets her own confirmation and calendar event. `email: false`: live only.
   */
  async tell(
    b: BookingRow,
    update: Omit<BookingUpdate, 'bookingId' | 'state'>,
    to: { official: boolean; interpreterId?: string | null; seatConfirmed?: boolean; email?: boolean },
  ) {
    const payload: BookingUpdate = { bookingId: b.id, state: b.state, ...update };
    // Live to every official of the institution (a colleague may run the hearing); email to the one who booked.
    if (to.official) this.realtime.emit(rooms.institution(b.institution_id), 'booking:update', payload);
    if (to.interpreterId) this.realtime.toInterpreter(to.interpreterId, 'booking:update', payload);
    if (!this.mail.enabled || to.email === false) return;
    const recipients: [string | null, Console, string][] = [
      [to.official ? await this.users.emailOf(b.official_id) : null, 'official', update.notice ?? b.state],
      [
        to.interpreterId ? await this.rosters.emailOf(to.interpreterId) : null,
        'interpreter',
        update.notice ?? (to.seatConfirmed ? 'confirmed' : b.state),
      ],
    ];
    for (const [address, console, key] of recipients) {
      const subject = SUBJECTS[key];
      if (!address || !subject) continue;
      const withCalendar = key === 'confirmed' || key === 'cancelled';
      const method = key === 'cancelled' ? ('CANCEL' as const) : ('REQUEST' as const);
      const calendar = withCalendar ? { content: await this.calendar(b, console, key === 'confirmed'), method } : undefined;
      await this.mail.send({ to: address, subject, text: await this.describe(b, update, console), calendar });
    }
  }

  /** Tells everyone seated in the hearing (each leg, a team partner) but `except`; `email: false`: live only. */
  async tellSeated(b: BookingRow, update: Omit<BookingUpdate, 'bookingId' | 'state'>, to: { except?: string; email?: boolean } = {}) {
    for (const interpreterId of b.interpreter_ids)
      if (interpreterId !== to.except) await this.tell(b, update, { official: false, interpreterId, email: to.email });
  }

  /**
   * The hearing as an iCalendar event, linking to the console of whoever it is for; `confirmed`: confirmed for her
   * (her seat), whatever the booking's other seats.
   */
  async calendar(b: BookingRow, console: Console, confirmed = false): Promise<string> {
    const language = await this.languages.findById(b.language_id);
    return bookingCalendar(
      {
        id: b.id,
        state: confirmed && b.state !== 'cancelled' ? 'confirmed' : b.state,
        startsAt: b.starts_at,
        endsAt: b.ends_at,
        timeZone: b.time_zone,
        sequence: b.sequence,
        updatedAt: b.updated_at,
        languageName: language?.name ?? 'interpretation',
        institution: b.institution,
      },
      this.consoleUrl(console),
    );
  }

  private consoleUrl(console: Console) {
    return `${this.config.PUBLIC_ORIGINS[0] ?? ''}/${console}/`;
  }

  private async describe(b: BookingRow, update: Omit<BookingUpdate, 'bookingId' | 'state'>, console: Console): Promise<string> {
    const language = await this.languages.findById(b.language_id);
    const lines = [
      `Hearing ${b.id} (${b.institution})`,
      `Language: ${language?.name ?? b.language_id}${language?.autonym ? ` (${language.autonym})` : ''}`,
      `When: ${localIso(b.starts_at, b.time_zone)} (${b.time_zone}), ${b.duration_minutes} minutes`,
      `State: ${b.state}`,
    ];
    if (update.reminderSeconds !== undefined) lines.push(`This is a reminder: the hearing starts in ${inWords(update.reminderSeconds)}.`);
    if (update.notice === 'join_code_voided')
      lines.push('Her join code was tried wrongly too many times and no longer works: give her a new one from your console.');
    lines.push('', `Open your console: ${this.consoleUrl(console)}`);
    return lines.join('\n');
  }
}
