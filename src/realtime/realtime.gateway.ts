import { Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Principal } from '../auth/principal';
import { DomainMetrics } from '../metrics/domain.metrics';
import type { PuenteServer, PuenteSocket } from './puente-socket';
import type { ClientEvent } from './realtime.contract';
import { RealtimeService, rooms } from './realtime.service';
import type { WsErrorBody } from './ws-errors';
import { takeEventToken } from './ws-rate-limit.guard';

const unknownEvent: WsErrorBody = { error: { code: 'NOT_FOUND', message: 'unknown event' } };
const rateLimited: WsErrorBody = { error: { code: 'RATE_LIMITED', message: 'too many events: slow down' } };

/** Puts each authenticated socket in the rooms events are addressed to, and reports connections. */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('Realtime');

  constructor(
    private readonly realtime: RealtimeService,
    private readonly metrics: DomainMetrics,
  ) {}

  afterInit(server: PuenteServer) {
    this.realtime.attach(server);
  }

  async handleConnection(socket: PuenteSocket) {
    const p = socket.data.principal as Principal | undefined;
    if (!p) return socket.disconnect(true);
    if (p.role === 'caller') socket.join(rooms.caller(p.sub));
    else socket.join(rooms.user(p.sub));
    // An official may ask for an interpreter now: her request's news comes to the caller's room of her subject.
    if (p.role === 'official') socket.join(rooms.caller(p.sub));
    if (p.role === 'interpreter' && p.interpreterId) socket.join(rooms.interpreter(p.interpreterId));
    if (p.role === 'official' && p.institutionId) socket.join(rooms.institution(p.institutionId));
    this.metrics.sockets.inc({ role: p.role });
    // An event no gateway handles is still answered, so a client awaiting the acknowledgement is not left
    // hanging; it costs a token of the connection's rate limit like any other event.
    socket.onAny((event: string, ...args: unknown[]) => {
      // Any name arrives here, whatever the contract says: whether a gateway handles it is the question.
      if (socket.listeners(event as ClientEvent).length > 0) return;
      const limited = !takeEventToken(socket);
      const ack = args.at(-1);
      if (typeof ack === 'function') ack(limited ? rateLimited : unknownEvent);
    });
    await this.realtime.notify('connect', p, socket, (e) => this.logger.error({ err: (e as Error)?.message }, 'connect listener failed'));
  }

  async handleDisconnect(socket: PuenteSocket) {
    const p = socket.data.principal as Principal | undefined;
    if (!p) return;
    this.metrics.sockets.dec({ role: p.role });
    await this.realtime.notify('disconnect', p, socket, (e) =>
      this.logger.error({ err: (e as Error)?.message }, 'disconnect listener failed'),
    );
  }
}
