import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Principal } from '../auth/principal';
import type { PuenteSocket } from '../realtime/puente-socket';
import type { Result } from '../realtime/realtime.contract';
import { rooms } from '../realtime/realtime.service';
import { PuenteGateway } from '../realtime/ws-gateway.decorators';
import { SessionIdDto } from './dto/session-id.dto';
import { SessionsService } from './sessions.service';

/** `session:leave`: ends an on-demand call and frees the interpreter, or leaves a hearing's call. */
@PuenteGateway()
@WebSocketGateway()
export class SessionsGateway {
  constructor(private readonly sessions: SessionsService) {}

  @SubscribeMessage('session:leave')
  async leave(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: SessionIdDto): Result<'session:leave'> {
    const left = await this.sessions.leave(socket.data.principal as Principal, body.sessionId);
    // No longer in the call: her seat in a hearing may be given to whoever the official lets in next.
    await socket.leave(rooms.session(body.sessionId));
    return left;
  }
}
