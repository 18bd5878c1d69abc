import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Principal } from '../auth/principal';
import { BookingsService } from '../bookings/bookings.service';
import type { PuenteSocket } from '../realtime/puente-socket';
import type { Result } from '../realtime/realtime.contract';
import { rooms } from '../realtime/realtime.service';
import { PuenteGateway } from '../realtime/ws-gateway.decorators';
import { SessionIdDto } from '../sessions/dto/session-id.dto';
import { SessionsService } from '../sessions/sessions.service';
import { MatchingService } from './matching.service';

/** `session:leave`: ends an on-demand call and frees the interpreter, or leaves a hearing's call. */
@PuenteGateway()
@WebSocketGateway()
export class SessionLeaveGateway {
  constructor(
    private readonly matching: MatchingService,
    private readonly bookings: BookingsService,
    private readonly sessions: SessionsService,
  ) {}

  @SubscribeMessage('session:leave')
  async leave(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: SessionIdDto): Result<'session:leave'> {
    const p = socket.data.principal as Principal;
    // A hearing's call belongs to its booking; an on-demand call to its request. One read tells which.
    const s = await this.sessions.find(body.sessionId);
    const left = s?.bookingId ? await this.bookings.sessionLeft(p, body.sessionId) : await this.matching.sessionLeft(p, body.sessionId, s);
    // No longer in the call: her seat in a hearing may be given to whoever the official lets in next.
    await socket.leave(rooms.session(body.sessionId));
    return left;
  }
}
