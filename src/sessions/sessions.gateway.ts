import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Principal } from '../auth/principal';
import type { PuenteSocket } from '../realtime/puente-socket';
import type { Result } from '../realtime/realtime.contract';
import { rooms } from '../realtime/realtime.service';
import { PuenteGateway } from '../realtime/ws-gateway.decorators';
import { SessionIdDto } from './dto/session-id.dto';
import { SessionsService } from './sessions.service';
import { AfterCallService } from './after-call.service';
import { FeedbackDto, WrapupNotesDto } from './dto/after-call.dto';
import { interpreterIdOf } from '../auth/principal';
import { ForbiddenException } from '@nestjs/common';

/** `session:leave`: ends an on-demand call and frees the interpreter, or leaves a hearing's call. */
@PuenteGateway()
@WebSocketGateway()
export class SessionsGateway {
  constructor(
    private readonly sessions: SessionsService,
    private readonly afterCall: AfterCallService,
  ) {}

  @SubscribeMessage('session:leave')
  async leave(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: SessionIdDto): Result<'session:leave'> {
    const left = await this.sessions.leave(socket.data.principal as Principal, body.sessionId);
    // No longer in the call: her seat in a hearing may be given to whoever the official lets in next.
    await socket.leave(rooms.session(body.sessionId));
    return left;
  }

  @SubscribeMessage('session:feedback')
  feedback(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: FeedbackDto): Result<'session:feedback'> {
    const p = socket.data.principal as Principal;
    if (p.role !== 'caller') throw new ForbiddenException('the question after a call is for the woman who called');
    return this.afterCall.feedback(p, body.sessionId, body.answer);
  }

  @SubscribeMessage('session:wrapup')
  wrapup(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: WrapupNotesDto): Result<'session:wrapup'> {
    const id = interpreterIdOf(socket.data.principal as Principal, 'the wrap-up of a call is for its interpreters');
    return this.afterCall.wrapupNotes(id, body.sessionId, body.referredTo, body.signs);
  }
}
