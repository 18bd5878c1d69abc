import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { PRESENCE_QUEUE, PresenceService } from './presence.service';

@Processor(PRESENCE_QUEUE)
export class PresenceProcessor {
  constructor(private readonly presence: PresenceService) {}

  @Process('grace')
  grace(job: Job<{ interpreterId: string; epoch?: string }>) {
    return this.presence.graceOver(job.data.interpreterId, job.data.epoch ?? '');
  }
}
