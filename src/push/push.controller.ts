import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { uuidParam } from '../common/validation';
import { CreatePushSubscriptionDto } from './dto/push-subscription.dto';
import { PushService } from './push.service';

@ApiTags('push')
@Controller()
export class PushController {
  constructor(private readonly push: PushService) {}

  @Get('push/public-key')
  @Public()
  @ApiOperation({ summary: "The server's VAPID public key (base64url), for PushManager.subscribe; 404 if push is not set up" })
  publicKey() {
    return this.push.publicKey();
  }

  @Post('interpreters/me/push-subscriptions')
  @Roles('interpreter')
  @ApiBearerAuth()
  @ApiOperation({ summary: "Receive offers by push on this device (PushSubscription.toJSON()'s endpoint and keys)" })
  @ApiResponse({ status: 409, description: 'She already has the most devices allowed' })
  @ApiResponse({ status: 422, description: 'The endpoint is not on an allowed push service, or a key is malformed' })
  subscribe(@Body() body: CreatePushSubscriptionDto, @CurrentUser() p: Principal) {
    return this.push.subscribe(p, body);
  }

  @Delete('interpreters/me/push-subscriptions/:id')
  @Roles('interpreter')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Stop offers by push on one of her devices' })
  unsubscribe(@Param('id', uuidParam('id')) id: string, @CurrentUser() p: Principal) {
    return this.push.unsubscribe(p, id);
  }
}
