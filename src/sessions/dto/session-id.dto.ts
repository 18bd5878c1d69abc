import { IsUUID } from 'class-validator';
import type { SessionIdPayload } from '../../realtime/realtime.contract';

export class SessionIdDto implements SessionIdPayload {
  @IsUUID()
  sessionId: string;
}
