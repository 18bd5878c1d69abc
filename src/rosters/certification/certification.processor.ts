import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { CertificationService } from './certification.service';

export const CERTIFICATES_QUEUE = 'certificates';
/** The first of every month, 09:00 UTC. */
export const REMINDER_CRON = '0 9 1 * *';

/** The monthly reminder as a repeatable Bull job: one node sends each month's emails, and a restart loses none. */
@Processor(CERTIFICATES_QUEUE)
export class CertificationProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly certification: CertificationService,
    @InjectQueue(CERTIFICATES_QUEUE) private readonly queue: Queue,
  ) {}

  async onApplicationBootstrap() {
    await this.queue.add(
      'reminders',
      {},
      { repeat: { cron: REMINDER_CRON, tz: 'UTC' }, jobId: 'reminders', removeOnComplete: true, removeOnFail: 100 },
    );
  }

  @Process('reminders')
  reminders() {
    return this.certification.sendReminders();
  }
}
