import { Module } from '@nestjs/common';
import { HoursController, HoursRosterController } from './hours.controller';
import { HoursService } from './hours.service';

/** Interpreters' hours, from session metadata: each sees her month; roster admins export theirs as CSV. */
@Module({ controllers: [HoursController, HoursRosterController], providers: [HoursService] })
export class HoursModule {}
