import { IsIn } from 'class-validator';
import { PRESENCE_STATUSES, type PresenceStatus } from '../../common/domain';
import type { PresenceSetPayload } from '../../realtime/realtime.contract';

export { PRESENCE_STATUSES, type PresenceStatus };

export class SetPresenceDto implements PresenceSetPayload {
  @IsIn(PRESENCE_STATUSES)
  status: PresenceStatus;
}
