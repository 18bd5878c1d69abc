import { IsIn } from 'class-validator';

export const PRESENCE_STATUSES = ['available', 'away', 'offline'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];

export class SetPresenceDto {
  @IsIn(PRESENCE_STATUSES)
  status: PresenceStatus;
}
