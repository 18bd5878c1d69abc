import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import type { Principal } from '../auth/principal';
import { PuenteGateway } from '../realtime/ws-gateway.decorators';
import { SessionIdDto } from '../sessions/dto/session-id.dto';
import { MatchingService } from './matching.service';

/** `session:leave` ends an on-demand call and frees the interpreter (media joins it in the next issue). */
@PuenteGateway()
@WebSocketGateway()
export class SessionLeaveGateway {
  constructor(private readonly matching: MatchingService) {}

  @SubscribeMessage('session:leave')
  leave(@ConnectedSocket() socket: Socket, @MessageBody() body: SessionIdDto) {
    return this.matching.sessionLeft(socket.data.principal as Principal, body.sessionId);
  }
}
