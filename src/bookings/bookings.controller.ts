import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { EmptyDto } from '../auth/dto/login.dto';
import { CurrentUser, Public, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { uuidParam } from '../common/validation';
import { BookingsService } from './bookings.service';
import { CreateBookingDto } from './dto/create-booking.dto';
import { RedeemJoinCodeDto } from './dto/join-code.dto';
import { ListBookingsQuery } from './dto/list-bookings.query';

@ApiTags('bookings')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Invalid input (the offending fields are named)' })
@ApiResponse({ status: 403, description: 'Wrong role' })
@ApiResponse({ status: 404, description: "Another institution's booking, or not the interpreter's" })
@Controller('bookings')
export class BookingsController {
  constructor(private readonly bookings: BookingsService) {}

  @Post()
  @Roles('official')
  @ApiOperation({
    summary: 'Book an interpreter for a hearing of your institution',
    description:
      'Stored in UTC. `startsAt` with an offset is that instant; without one it is a wall-clock time in `timeZone` (default: the main zone of your country). ' +
      'The best free interpreter by the matching ladder is asked to confirm; `booking:update` tells you of every change.',
  })
  create(@CurrentUser() p: Principal, @Body() body: CreateBookingDto) {
    return this.bookings.create(p, body);
  }

  @Get()
  @Roles('official', 'interpreter')
  @ApiOperation({ summary: "Your institution's bookings (official) or yours (interpreter), by start time" })
  list(@CurrentUser() p: Principal, @Query() query: ListBookingsQuery) {
    return this.bookings.list(p, query);
  }

  @Public()
  @Post('join')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A remote woman joins a hearing (or an official\'s "interpreter now" call) with the one-time code the official gave her',
    description:
      'Anonymous: returns a caller token, the session to `session:join` and which `call` it is (`hearing`, `interpreter_now`). The code (10 digits) works once, while the call is open. ' +
      'A wrong, used, expired or not-yet-open code gets one same 404; a booking accepts JOIN_CODE_MAX_FAILURES wrong codes an hour (its code is then void and the official told by `booking:update` with `notice: join_code_voided`), ' +
      'and each address RATE_LIMIT_JOIN_PER_MINUTE attempts a minute (429).',
  })
  @ApiResponse({ status: 404, description: 'The code does not open a call now (one answer for every reason)' })
  @ApiResponse({ status: 429, description: 'Too many attempts from this address' })
  join(@Body() body: RedeemJoinCodeDto) {
    return this.bookings.redeemJoinCode(body.code);
  }

  @Get(':id')
  @Roles('official', 'interpreter')
  @ApiParam({ name: 'id', format: 'uuid' })
  get(@CurrentUser() p: Principal, @Param('id', uuidParam('id')) id: string) {
    return this.bookings.get(p, id);
  }

  @Post(':id/confirm')
  @HttpCode(200)
  @Roles('interpreter')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'The interpreter asked confirms she will interpret at the hearing' })
  confirm(@CurrentUser() p: Principal, @Param('id', uuidParam('id')) id: string, @Body() _body: EmptyDto) {
    return this.bookings.confirm(p, id);
  }

  @Post(':id/decline')
  @HttpCode(200)
  @Roles('interpreter')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'The interpreter declines (or can no longer come); the next candidate is asked' })
  decline(@CurrentUser() p: Principal, @Param('id', uuidParam('id')) id: string, @Body() _body: EmptyDto) {
    return this.bookings.decline(p, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('official')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Cancel the hearing: the interpreter is told, reminders are removed' })
  cancel(@CurrentUser() p: Principal, @Param('id', uuidParam('id')) id: string, @Body() _body: EmptyDto) {
    return this.bookings.cancel(p, id);
  }

  @Post(':id/session')
  @HttpCode(200)
  @Roles('official', 'interpreter')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: "Open the hearing's call (from a few minutes before the start): returns the session id for `session:join`" })
  session(@CurrentUser() p: Principal, @Param('id', uuidParam('id')) id: string, @Body() _body: EmptyDto) {
    return this.bookings.join(p, id);
  }

  @Post(':id/join-code')
  @HttpCode(200)
  @Roles('official')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'A one-time code for the woman to join remotely (shown once; a new one replaces the last)' })
  joinCode(@CurrentUser() p: Principal, @Param('id', uuidParam('id')) id: string, @Body() _body: EmptyDto) {
    return this.bookings.issueJoinCode(p, id);
  }

  @Get(':id/calendar.ics')
  @Roles('official', 'interpreter')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProduces('text/calendar')
  @Header('Content-Type', 'text/calendar; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="hearing.ics"')
  @ApiOperation({ summary: 'The hearing as an iCalendar event (stable UID, SEQUENCE bumped on change, METHOD:CANCEL once cancelled)' })
  async calendar(@CurrentUser() p: Principal, @Param('id', uuidParam('id')) id: string) {
    return new StreamableFile(Buffer.from(await this.bookings.calendar(p, id)));
  }
}
