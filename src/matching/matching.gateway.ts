import { ForbiddenException } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Principal } from '../auth/principal';
import { AddressCaps } from '../limits/address-caps.service';
import type { PuenteSocket } from '../realtime/puente-socket';
import type { Result } from '../realtime/realtime.contract';
import { PuenteGateway } from '../realtime/ws-gateway.decorators';
import { SessionIdDto } from '../sessions/dto/session-id.dto';
import { ReturnCodesService } from '../return-codes/return-codes.service';
import { ChooseDto, CreateRequestDto, OfferIdDto, RequestIdDto } from './dto/create-request.dto';
import { asksForCalls, MatchingService } from './matching.service';

const principal = (socket: PuenteSocket) => socket.data.principal as Principal;

function asCaller(socket: PuenteSocket): Principal {
  const p = principal(socket);
  if (!asksForCalls(p)) throw new ForbiddenException('requests are made by callers, or by officials of an institution');
  return p;
}

@PuenteGateway()
@WebSocketGateway()
export class MatchingGateway {
  constructor(
    private readonly matching: MatchingService,
    private readonly caps: AddressCaps,
    private readonly returnCodes: ReturnCodesService,
  ) {}

  /**
   * At most MAX_LIVE_REQUESTS_PER_ADDRESS live requests per address, whatever number of caller tokens it holds; and
   * RETURN_CODE_TRIES_PER_HOUR requests with a return code.
   */
  @SubscribeMessage('request:create')
  async create(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: CreateRequestDto): Result<'request:create'> {
    const caller = asCaller(socket);
    const address = this.caps.addressOf(socket);
    if (body.returnCode) await this.returnCodes.tried(address);
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
  cancel(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: RequestIdDto): Result<'request:cancel'> {
    return this.matching.cancelRequest(asCaller(socket), body.requestId);
  }

  @SubscribeMessage('request:choose')
  choose(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: ChooseDto): Result<'request:choose'> {
    return this.matching.chooseAnyInterpreter(asCaller(socket), body.requestId);
  }

  @SubscribeMessage('session:another')
  another(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: SessionIdDto): Result<'session:another'> {
    return this.matching.anotherInterpreter(asCaller(socket), body.sessionId);
  }

  @SubscribeMessage('offer:accept')
  accept(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: OfferIdDto): Result<'offer:accept'> {
    return this.matching.acceptOffer(principal(socket), body.offerId);
  }

  @SubscribeMessage('offer:decline')
  decline(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: OfferIdDto): Result<'offer:decline'> {
    return this.matching.declineOffer(principal(socket), body.offerId);
  }
}
