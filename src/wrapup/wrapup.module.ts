import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module';
import { WrapupController, WrapupRosterController } from './wrapup.controller';
import { WrapupGateway } from './wrapup.gateway';
import { WrapupProcessor } from './wrapup.processor';
import { WRAPUP_QUEUE, WrapupService } from './wrapup.service';

/** Interpreters' wrap-up time after calls, debrief requests, and each roster's daily cap on violence and trafficking calls. */
@Module({
  imports: [MailModule, BullModule.registerQueue({ name: WRAPUP_QUEUE })],
  controllers: [WrapupController, WrapupRosterController],
  providers: [WrapupService, WrapupGateway, WrapupProcessor],
  exports: [WrapupService],
})
export class WrapupModule {}
