import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { PUSH_QUEUE, PushService, type PushedOffer } from './push.service';

/** Push's timer: an offer not shown by her console in time (a Bull job, so that a node restart loses none). */
@Processor(PUSH_QUEUE)
export class PushProcessor {
  constructor(private readonly push: PushService) {}

  @Process('offer-unseen')
  unseen(job: Job<{ interpreterId: string; offer: PushedOffer }>) {
    return this.push.unseen(job.data.interpreterId, job.data.offer);
  }
}
