import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { EventBus } from '../events/event-bus';
import type {
  ConnectTransportDto,
  ConsumeDto,
  ConsumerIdDto,
  CreateTransportDto,
  JoinSessionDto,
  ProduceDto,
  TransportIdDto,
  VideoToggleDto,
} from '../media/dto/media.dto';
import type { ClientResults, MediaRpcRequests, Result } from './realtime.contract';
import type { RealtimeService } from './realtime.service';

/*
 * What the contract must refuse to compile. tsc checks this file with the rest (`npm run lint:types`); the test
 * below compiles it on its own, so that the unit tests fail too when a line marked @ts-expect-error compiles.
 */
type Extends<A, B> = [A] extends [B] ? true : false;
const holds = <T extends true>(): T | undefined => undefined;

export function typeChecks(realtime: RealtimeService, bus: EventBus) {
  // Server events: the payload must be the one of the event named.
  realtime.emit('room', 'offer:withdrawn', { offerId: 'o', reason: 'taken' });
  realtime.toCaller('sub', 'request:update', { requestId: 'r', state: 'queued', queuePosition: 1 });
  // @ts-expect-error a reason the contract does not name
  realtime.emit('room', 'offer:withdrawn', { offerId: 'o', reason: 'bored' });
  // @ts-expect-error an event the contract does not name
  realtime.emit('room', 'offer:gone', { offerId: 'o' });
  // @ts-expect-error another event's payload
  realtime.toCaller('sub', 'request:update', { offerId: 'o', reason: 'taken' });
  // @ts-expect-error a payload missing a field (offer:new carries expiresAt)
  realtime.toInterpreter('i', 'offer:new', {
    offerId: 'o',
    requestId: 'r',
    languageId: 'l',
    matter: 'violence',
    urgency: 'normal',
    minor: false,
  });

  // Client events: what a gateway's handler resolves to.
  const created: Awaited<Result<'request:create'>> = { requestId: 'r', state: 'queued' };
  // @ts-expect-error a state no request has
  const wrong: ClientResults['request:create'] = { requestId: 'r', state: 'ringing' };

  // The bus: listeners and deliveries typed by event name.
  bus.on('session.ended', (sessionId: string, reason?: string) => void [sessionId, reason]);
  bus.emit('session.ended', 's', 'media_failed');
  // @ts-expect-error a listener whose arguments the event does not carry
  bus.on('presence.lost', (interpreterId: number) => interpreterId);
  // @ts-expect-error an argument of the wrong type
  bus.emit('session.ended', 42);
  // @ts-expect-error a reason no session ends with
  bus.emit('session.ended', 's', 'bored');
  // @ts-expect-error an event the bus does not carry
  void bus.publish('session.started', 's');

  // The media DTOs (validated by the gateway) are the contract's payloads.
  holds<Extends<JoinSessionDto, MediaRpcRequests['session:join']>>();
  holds<Extends<CreateTransportDto, MediaRpcRequests['media:createTransport']>>();
  holds<Extends<ConnectTransportDto, MediaRpcRequests['media:connectTransport']>>();
  holds<Extends<ProduceDto, MediaRpcRequests['media:produce']>>();
  holds<Extends<ConsumeDto, MediaRpcRequests['media:consume']>>();
  holds<Extends<ConsumerIdDto, MediaRpcRequests['media:resumeConsumer']>>();
  holds<Extends<TransportIdDto, MediaRpcRequests['media:restartIce']>>();
  holds<Extends<VideoToggleDto, MediaRpcRequests['media:video']>>();
  // @ts-expect-error (the check itself works: a DTO of one event is not the payload of another)
  holds<Extends<ProduceDto, MediaRpcRequests['media:consume']>>();
  return [created, wrong];
}

const ROOT = join(__dirname, '..', '..');

describe('realtime contract (types)', () => {
  it('compiles, and every wrong payload marked @ts-expect-error above is refused', () => {
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (p) => readFileSync(p, 'utf8'));
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    // Only the declarations this file needs: not every @types package of the project.
    const program = ts.createProgram([__filename], { ...options, noEmit: true, incremental: false, types: ['node', 'jest'] });
    const file = program.getSourceFile(__filename)!;
    const problems = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
      const { line } = file.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  }, 120_000);
});
