import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../config/config.schema';
import type { BookingRow } from './booking-row';
import { removeJobs } from '../queue/remove-jobs';

export const BOOKINGS_QUEUE = 'bookings';

export const jobIds = {
  offerExpire: (offerId: string) => `booking-offer-expire:${offerId}`,
  widen: (bookingId: string) => `booking-widen:${bookingId}`,
  end: (bookingId: string) => `booking-end:${bookingId}`,
  reminder: (bookingId: string, seconds: number) => `booking-reminder:${bookingId}:${seconds}`,
};

/**
 * A booking's timers, as Bull delayed jobs in Redis so that they survive a restart of any node. Job ids are
 * derived from the booking, so scheduling twice is harmless and cancelling finds them.
 */
@Injectable()
export class BookingJobs {
  constructor(
    @InjectQueue(BOOKINGS_QUEUE) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  get reminderOffsets(): number[] {
    return this.config.BOOKING_REMINDERS_SECONDS.map(Number);
  }

  /** Widening, reminders and the end of the hearing. Reminders already due are skipped, not sent late. */
  async scheduleBooking(b: BookingRow) {
    const start = b.starts_at.getTime();
    await this.at('widen', { bookingId: b.id }, jobIds.widen(b.id), start - this.config.BOOKING_WIDEN_BEFORE_SECONDS * 1000);
    await this.at('end', { bookingId: b.id }, jobIds.end(b.id), b.ends_at.getTime() + this.config.BOOKING_OVERRUN_MINUTES * 60_000);
    await this.scheduleReminders(b);
  }

  /** Idempotent (a reminder already sent is past due and not scheduled again), so the sweep may repeat it. */
  async scheduleReminders(b: Pick<BookingRow, 'id' | 'starts_at'>) {
    for (const seconds of this.reminderOffsets) {
      const due = b.starts_at.getTime() - seconds * 1000;
      if (due > Date.now()) await this.at('reminder', { bookingId: b.id, seconds }, jobIds.reminder(b.id, seconds), due);
    }
  }

  async scheduleOfferExpiry(offerId: string, expiresAt: Date) {
    await this.at('offer-expire', { offerId }, jobIds.offerExpire(offerId), expiresAt.getTime());
  }

  /** Every pending timer of a booking (when it is cancelled). */
  async dropBooking(bookingId: string, offerIds: string[] = []) {
    await this.drop([
      jobIds.widen(bookingId),
      jobIds.end(bookingId),
      ...this.reminderOffsets.map((s) => jobIds.reminder(bookingId, s)),
      ...offerIds.map(jobIds.offerExpire),
    ]);
  }

  async drop(ids: string[]) {
    await removeJobs(this.queue, ids);
  }

  /** The scheduled time of a job, or null (for tests and the sweep). */
  async dueAt(id: string): Promise<number | null> {
    const job = await this.queue.getJob(id);
    return job ? job.timestamp + (job.opts.delay ?? 0) : null;
  }

  private at(name: string, data: object, jobId: string, when: number) {
    return this.queue.add(name, data, { jobId, delay: Math.max(0, when - Date.now()) });
  }
}
