import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { BOOKING_STATES, type BookingState } from '../booking-state';
import { DATE_TIME } from './create-booking.dto';

export class ListBookingsQuery {
  @ApiPropertyOptional({ description: 'Hearings starting at or after this instant (ISO 8601)' })
  @IsOptional()
  @IsString()
  @Matches(DATE_TIME, { message: 'from must be an ISO 8601 date and time' })
  from?: string;

  @ApiPropertyOptional({ description: 'Hearings starting before this instant (ISO 8601)' })
  @IsOptional()
  @IsString()
  @Matches(DATE_TIME, { message: 'to must be an ISO 8601 date and time' })
  to?: string;

  @ApiPropertyOptional({ enum: BOOKING_STATES })
  @IsOptional()
  @IsIn(BOOKING_STATES)
  state?: BookingState;
}
