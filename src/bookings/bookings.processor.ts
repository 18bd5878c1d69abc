import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { AppConfig } from '../config/config.schema';
import { RepeatingSweep } from '../jobs/repeating-sweep';
import { BookingAssignmentService } from './booking-assignment.service';
import { BOOKINGS_QUEUE, BookingJobs } from './booking-jobs';
import { BookingNotifier } from './booking-notifier';
import { BookingsRepository } from './bookings.repository';
import { BookingsService } from './bookings.service';

/**
 * The timers of bookings (answers running out, widening, reminders, the end of a hearing) as Bull jobs, and
 * a sweep one node at a time runs as a safety net: it re-asks for bookings nobody holds (someone may have
 * become free), and catches up on any timer whose job was lost between a commit and its scheduling.
 */
@Processor(BOOKINGS_QUEUE)
export class BookingsProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sweeps: RepeatingSweep;

  constructor(
    private readonly bookings: BookingsService,
    private readonly assignment: BookingAssignmentService,
    private readonly jobs: BookingJobs,
    private readonly notifier: BookingNotifier,
    private readonly config: AppConfig,
    private readonly repo: BookingsRepository,
    @InjectQueue(BOOKINGS_QUEUE) queue: Queue,
  ) {
    this.sweeps = new RepeatingSweep(queue, config.BOOKING_SWEEP_SECONDS, 5000);
  }

  async onApplicationBootstrap() {
    await this.sweeps.start();
  }

  onApplicationShutdown() {
    this.sweeps.stop();
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
    const b = await this.repo.load(job.data.bookingId);
    if (!b || (b.state !== 'requested' && b.state !== 'assigned' && b.state !== 'confirmed')) return;
    const reminder = { notice: 'reminder' as const, reminderSeconds: job.data.seconds };
    await this.notifier.tell(b, reminder, { official: true });
    // Every interpreter of a confirmed hearing (each leg, a team partner).
    if (b.state === 'confirmed') await this.notifier.tellSeated(b, reminder);
  }

  @Process('sweep')
  async sweep() {
    for (const id of await this.repo.overdueOffers()) await this.assignment.expireOffer(id);
    for (const id of await this.repo.pastTheirCall(this.config.BOOKING_OVERRUN_MINUTES)) await this.endBooking(id);
    for (const id of await this.repo.dueToWiden(this.config.BOOKING_WIDEN_BEFORE_SECONDS)) await this.assignment.widen(id);
    for (const id of await this.repo.nobodyAsked()) await this.assignment.assignNext(id, true);
    // Reminders whose job was lost (a node killed between a booking's commit and its scheduling).
    for (const b of await this.repo.startingWithin(Math.max(0, ...this.jobs.reminderOffsets) + 3600)) await this.jobs.scheduleReminders(b);
  }

  /** Past its call's closing time: a confirmed hearing is completed, one never filled is cancelled. */
  private async endBooking(bookingId: string) {
    const b = await this.repo.load(bookingId);
    if (!b) return;
    const closes = b.ends_at.getTime() + this.config.BOOKING_OVERRUN_MINUTES * 60_000;
    if (Date.now() < closes) return;
    if (b.state === 'confirmed') await this.bookings.end(bookingId, 'completed', 'hearing_over', null);
    else await this.bookings.end(bookingId, 'cancelled', 'unfilled', null);
  }
}
