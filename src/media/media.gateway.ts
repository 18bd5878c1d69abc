import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { PuenteSocket } from '../realtime/puente-socket';
import type { Result } from '../realtime/realtime.contract';
import { rooms } from '../realtime/realtime.service';
import { PuenteGateway } from '../realtime/ws-gateway.decorators';
import {
  ConnectTransportDto,
  ConsumeDto,
  ConsumerIdDto,
  CreateTransportDto,
  JoinSessionDto,
  ProduceDto,
  TransportIdDto,
  VideoToggleDto,
} from './dto/media.dto';
import { MediaSignallingService } from './media-signalling.service';

/**
 * Media signalling (API.md): join a session, then WebRTC transports, producers and paused consumers. Each
 * event is handled by the node that hosts the session's router, wherever the client is connected; each
 * payload's DTO and answer are those of its operation in media-rpc.ts.
 */
@PuenteGateway()
@WebSocketGateway()
export class MediaGateway {
  constructor(private readonly signalling: MediaSignallingService) {}

  @SubscribeMessage('session:join')
  async join(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: JoinSessionDto): Result<'session:join'> {
    const result = await this.signalling.handle('join', socket, body);
    void socket.join(rooms.session(body.sessionId));
    return result;
  }

  @SubscribeMessage('media:createTransport')
  createTransport(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: CreateTransportDto): Result<'media:createTransport'> {
    return this.signalling.handle('createTransport', socket, body);
  }

  @SubscribeMessage('media:connectTransport')
  connectTransport(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: ConnectTransportDto): Result<'media:connectTransport'> {
    return this.signalling.handle('connectTransport', socket, body);
  }

  @SubscribeMessage('media:produce')
  produce(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: ProduceDto): Result<'media:produce'> {
    return this.signalling.handle('produce', socket, body);
  }

  @SubscribeMessage('media:video')
  video(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: VideoToggleDto): Result<'media:video'> {
    return this.signalling.handle('video', socket, body);
  }

  @SubscribeMessage('media:consume')
  consume(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: ConsumeDto): Result<'media:consume'> {
    return this.signalling.handle('consume', socket, body);
  }

  @SubscribeMessage('media:resumeConsumer')
  resumeConsumer(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: ConsumerIdDto): Result<'media:resumeConsumer'> {
    return this.signalling.handle('resumeConsumer', socket, body);
  }

  @SubscribeMessage('media:restartIce')
  restartIce(@ConnectedSocket() socket: PuenteSocket, @MessageBody() body: TransportIdDto): Result<'media:restartIce'> {
    return this.signalling.handle('restartIce', socket, body);
  }
}
