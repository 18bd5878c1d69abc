import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { LanguagesModule } from '../languages/languages.module';
import { MailModule } from '../mail/mail.module';
import { RostersModule } from '../rosters/rosters.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AvailabilityController } from './availability.controller';
import { AvailabilityService } from './availability.service';
import { BookingAssignmentService } from './booking-assignment.service';
import { BOOKINGS_QUEUE, BookingJobs } from './booking-jobs';
import { BookingNotifier } from './booking-notifier';
import { BookingsController } from './bookings.controller';
import { BookingsProcessor } from './bookings.processor';
import { BookingsRepository } from './bookings.repository';
import { BookingsService } from './bookings.service';

/** Hearings booked ahead: assignment by the ladder at a future time, confirmations, reminders, the hearing's call. */
@Module({
  imports: [BullModule.registerQueue({ name: BOOKINGS_QUEUE }), LanguagesModule, RostersModule, SessionsModule, UsersModule, MailModule],
  controllers: [BookingsController, AvailabilityController],
  providers: [
    BookingsService,
    BookingsRepository,
    BookingAssignmentService,
    BookingJobs,
    BookingNotifier,
    BookingsProcessor,
    AvailabilityService,
  ],
  exports: [BookingsService],
})
export class BookingsModule {}
