import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { WRAPUP_QUEUE, WrapupService } from './wrapup.service';

@Processor(WRAPUP_QUEUE)
export class WrapupProcessor {
  constructor(private readonly wrapup: WrapupService) {}

  @Process('over')
  over(job: Job<{ interpreterId: string }>) {
    return this.wrapup.over(job.data.interpreterId);
  }

  @Process('debrief-mail')
  debriefMail(job: Job<{ debriefId: string }>) {
    return this.wrapup.mailDebrief(job.data.debriefId);
  }
}
