import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Principal } from '../auth/principal';
import { OfferIdDto } from '../matching/dto/create-request.dto';
import type { PuenteSocket } from '../realtime/puente-socket';
import type { Result } from '../realtime/realtime.contract';
import { PuenteGateway } from '../realtime/ws-gateway.decorators';
import { PushService } from './push.service';

@PuenteGateway()
@WebSocketGateway()
export class PushGateway {
  constructor(private readonly push: PushService) {}

  @SubscribeMessage('offer:seen')
  seen(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: OfferIdDto): Result<'offer:seen'> {
    return this.push.seen(socket.data.principal as Principal, body.offerId);
  }
}
