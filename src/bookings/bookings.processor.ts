import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job, Queue } from 'bull';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config.schema';
import { BookingAssignmentService } from './booking-assignment.service';
import { BOOKINGS_QUEUE, BookingJobs } from './booking-jobs';
import { BookingNotifier } from './booking-notifier';
import { BookingsService } from './bookings.service';

/**
 * The timers of bookings (answers running out, widening, reminders, the end of a hearing) as Bull jobs, and
 * a sweep one node at a time runs as a safety net: it re-asks for bookings nobody holds (someone may have
 * become free), and catches up on any timer whose job was lost between a commit and its scheduling.
 */
@Processor(BOOKINGS_QUEUE)
export class BookingsProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private watchdog?: NodeJS.Timeout;

  constructor(
    private readonly bookings: BookingsService,
    private readonly assignment: BookingAssignmentService,
    private readonly jobs: BookingJobs,
    private readonly notifier: BookingNotifier,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(BOOKINGS_QUEUE) private readonly queue: Queue,
  ) {}

  async onApplicationBootstrap() {
    await this.scheduleSweep();
    // As in matching: re-adding the repeatable job mends a chain broken by a node killed mid-run.
    this.watchdog = setInterval(() => void this.scheduleSweep().catch(() => undefined), Math.max(5000, this.config.BOOKING_SWEEP_SECONDS * 4000));
    this.watchdog.unref();
  }

  onApplicationShutdown() {
    clearInterval(this.watchdog);
  }

  private scheduleSweep() {
    return this.queue.add('sweep', {}, { repeat: { every: Math.round(this.config.BOOKING_SWEEP_SECONDS * 1000) }, jobId: 'sweep', removeOnComplete: true, removeOnFail: true });
  }

  @Process('offer-expire')
  expire(job: Job<{ offerId: string }>) {
    return this.assignment.expireOffer(job.data.offerId);
  }

  @Process('widen')
  widen(job: Job<{ bookingId: string }>) {
    return this.assignment.widen(job.data.bookingId);
  }

  @Process('end')
  end(job: Job<{ bookingId: string }>) {
    return this.endBooking(job.data.bookingId);
  }

  @Process('reminder')
  async remind(job: Job<{ bookingId: string; seconds: number }>) {
    const b = await this.assignment.load(job.data.bookingId);
    if (!b || (b.state !== 'requested' && b.state !== 'assigned' && b.state !== 'confirmed')) return;
    await this.notifier.tell(b, { notice: 'reminder', reminderSeconds: job.data.seconds }, { official: true, interpreterId: b.state === 'confirmed' ? b.interpreter_id : null });
  }

  @Process('sweep')
  async sweep() {
    const overdue: { id: string }[] = await this.db.query(`SELECT id FROM booking_offers WHERE outcome IS NULL AND expires_at < now() - interval '2 seconds' LIMIT 200`);
    for (const o of overdue) await this.assignment.expireOffer(o.id);
    const past: { id: string }[] = await this.db.query(
      `SELECT id FROM bookings WHERE state IN ('requested','assigned','confirmed') AND ends_at < now() - make_interval(mins => $1) LIMIT 200`,
      [this.config.BOOKING_OVERRUN_MINUTES],
    );
    for (const b of past) await this.endBooking(b.id);
    const late: { id: string }[] = await this.db.query(
      `SELECT id FROM bookings WHERE state IN ('requested','assigned') AND NOT widened AND starts_at < now() + make_interval(secs => $1) LIMIT 200`,
      [this.config.BOOKING_WIDEN_BEFORE_SECONDS],
    );
    for (const b of late) await this.assignment.widen(b.id);
    const waiting: { id: string }[] = await this.db.query(
      `SELECT b.id FROM bookings b WHERE b.state = 'requested' AND b.starts_at > now()
       AND NOT EXISTS (SELECT 1 FROM booking_offers o WHERE o.booking_id = b.id AND o.outcome IS NULL)
       ORDER BY b.starts_at LIMIT 100`,
    );
    for (const b of waiting) await this.assignment.assignNext(b.id, true);
    // Reminders whose job was lost (a node killed between a booking's commit and its scheduling).
    const soon: { id: string; starts_at: Date }[] = await this.db.query(
      `SELECT id, starts_at FROM bookings WHERE state IN ('requested','assigned','confirmed') AND starts_at BETWEEN now() AND now() + make_interval(secs => $1) LIMIT 500`,
      [Math.max(0, ...this.jobs.reminderOffsets) + 3600],
    );
    for (const b of soon) await this.jobs.scheduleReminders(b);
  }

  /** Past its call's closing time: a confirmed hearing is completed, one never filled is cancelled. */
  private async endBooking(bookingId: string) {
    const b = await this.assignment.load(bookingId);
    if (!b) return;
    const closes = b.ends_at.getTime() + this.config.BOOKING_OVERRUN_MINUTES * 60_000;
    if (Date.now() < closes) return;
    if (b.state === 'confirmed') await this.bookings.end(bookingId, 'completed', 'hearing_over', null);
    else await this.bookings.end(bookingId, 'cancelled', 'unfilled', null);
  }
}
