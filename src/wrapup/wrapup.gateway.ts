import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { interpreterIdOf, type Principal } from '../auth/principal';
import type { PuenteSocket } from '../realtime/puente-socket';
import type { Result } from '../realtime/realtime.contract';
import { PuenteGateway } from '../realtime/ws-gateway.decorators';
import { EmptyBodyDto } from './dto/wrapup.dto';
import { WrapupService } from './wrapup.service';

@PuenteGateway()
@WebSocketGateway()
export class WrapupGateway {
  constructor(private readonly wrapup: WrapupService) {}

  @SubscribeMessage('wrapup:extend')
  extend(@ConnectedSocket() socket: PuenteSocket, @MessageBody() _body: EmptyBodyDto): Result<'wrapup:extend'> {
    return this.wrapup.extend(interpreterIdOf(socket.data.principal as Principal, 'wrap-up time is for interpreters'));
  }
}
