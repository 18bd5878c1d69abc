import { IsBoolean, IsIn, IsObject, IsString, IsUUID, MaxLength } from 'class-validator';
import { INTERPRETER_ROLES, type InterpreterRole } from '../../common/domain';

export class JoinSessionDto {
  @IsUUID()
  sessionId: string;
}

/** A node asks the session's host to drop an interpreter released from the call (never a client). */
export class EvictDto {
  @IsUUID()
  sessionId: string;

  @IsIn(INTERPRETER_ROLES)
  role: InterpreterRole;
}

export class CreateTransportDto {
  @IsUUID()
  sessionId: string;

  @IsIn(['send', 'recv'])
  direction: 'send' | 'recv';
}

export class ConnectTransportDto {
  @IsUUID()
  transportId: string;

  /** Checked in depth by mediasoup; a malformed one is a VALIDATION error. */
  @IsObject()
  dtlsParameters: Record<string, unknown>;
}

export class ProduceDto {
  @IsUUID()
  transportId: string;

  @IsIn(['audio', 'video'])
  kind: 'audio' | 'video';

  @IsObject()
  rtpParameters: Record<string, unknown>;
}

export class ConsumeDto {
  @IsUUID()
  sessionId: string;

  @IsUUID()
  producerId: string;

  @IsObject()
  rtpCapabilities: Record<string, unknown>;
}

export class ConsumerIdDto {
  @IsUUID()
  consumerId: string;
}

export class TransportIdDto {
  @IsString()
  @MaxLength(64)
  @IsUUID()
  transportId: string;
}

/** `media:video`: she turns her camera on (then may produce one video) or off (her video producer closes). */
export class VideoToggleDto {
  @IsUUID()
  sessionId: string;

  @IsBoolean()
  on: boolean;
}
