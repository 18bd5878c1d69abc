import { ForbiddenException } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import type { Principal } from '../auth/principal';
import { AddressCaps } from '../limits/address-caps.service';
import { PuenteGateway } from '../realtime/ws-gateway.decorators';
import { CreateRequestDto, OfferIdDto, RequestIdDto } from './dto/create-request.dto';
import { MatchingService } from './matching.service';

const principal = (socket: Socket) => socket.data.principal as Principal;

function asCaller(socket: Socket): Principal {
  const p = principal(socket);
  if (p.role !== 'caller') throw new ForbiddenException('requests are made by callers');
  return p;
}

@PuenteGateway()
@WebSocketGateway()
export class MatchingGateway {
  constructor(
    private readonly matching: MatchingService,
    private readonly caps: AddressCaps,
  ) {}

  /** At most MAX_LIVE_REQUESTS_PER_ADDRESS live requests per address, whatever number of caller tokens it holds. */
  @SubscribeMessage('request:create')
  async create(@ConnectedSocket() socket: Socket, @MessageBody() body: CreateRequestDto) {
    const caller = asCaller(socket);
    const address = this.caps.addressOf(socket);
    const place = await this.caps.reserveRequest(address);
    try {
      const created = await this.matching.createRequest(caller, body);
      await this.caps.created(address, place, created.requestId);
      return created;
    } catch (e) {
      await this.caps.release(address, place);
      throw e;
    }
  }

  @SubscribeMessage('request:cancel')
  cancel(@ConnectedSocket() socket: Socket, @MessageBody() body: RequestIdDto) {
    return this.matching.cancelRequest(asCaller(socket), body.requestId);
  }

  @SubscribeMessage('offer:accept')
  accept(@ConnectedSocket() socket: Socket, @MessageBody() body: OfferIdDto) {
    return this.matching.acceptOffer(principal(socket), body.offerId);
  }

  @SubscribeMessage('offer:decline')
  decline(@ConnectedSocket() socket: Socket, @MessageBody() body: OfferIdDto) {
    return this.matching.declineOffer(principal(socket), body.offerId);
  }
}
