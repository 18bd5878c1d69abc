import { ForbiddenException } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Principal } from '../auth/principal';
import type { PuenteSocket } from '../realtime/puente-socket';
import type { Result } from '../realtime/realtime.contract';
import { PuenteGateway } from '../realtime/ws-gateway.decorators';
import { SetPresenceDto } from './dto/set-presence.dto';
import { PresenceService } from './presence.service';

@PuenteGateway()
@WebSocketGateway()
export class PresenceGateway {
  constructor(private readonly presence: PresenceService) {}

  @SubscribeMessage('presence:set')
  async set(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: SetPresenceDto): Result<'presence:set'> {
    const p = socket.data.principal as Principal;
    if (p.role !== 'interpreter' || !p.interpreterId) throw new ForbiddenException('presence is for interpreters');
    return { status: await this.presence.set(p.interpreterId, body.status) };
  }
}
