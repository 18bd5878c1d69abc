import { applyDecorators, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { strictValidationPipe } from '../common/validation';
import { WsExceptionFilter } from './ws-exception.filter';
import { WsRateLimitGuard } from './ws-rate-limit.guard';

/** What every feature gateway needs: rate limits, strict payload validation, errors in the ack. */
export const PuenteGateway = () =>
  applyDecorators(UseFilters(new WsExceptionFilter()), UseGuards(WsRateLimitGuard), UsePipes(strictValidationPipe()));
