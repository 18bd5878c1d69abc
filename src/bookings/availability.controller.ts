import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { AvailabilityService } from './availability.service';
import { SetAvailabilityDto } from './dto/set-availability.dto';

@ApiTags('bookings')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Invalid input (the offending fields are named)' })
@ApiResponse({ status: 403, description: 'Not an interpreter' })
@Controller('interpreters/me/availability')
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  @Get()
  @Roles('interpreter')
  @ApiOperation({ summary: 'Your weekly windows for hearings' })
  get(@CurrentUser() p: Principal) {
    return this.availability.get(p);
  }

  @Put()
  @Roles('interpreter')
  @ApiOperation({ summary: 'Replace your weekly windows for hearings (in your time zone; none means any time)' })
  set(@CurrentUser() p: Principal, @Body() body: SetAvailabilityDto) {
    return this.availability.set(p, body);
  }
}
