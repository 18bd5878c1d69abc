import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { rows } from '../database/sql';
import { SessionsService } from '../sessions/sessions.service';
import type { ParticipantRole } from './peer';

/**
 * What the media side writes to a session's record: which roles took part, that the call started (when a
 * second party is in it), and that it ended because its media could not be rebuilt. Metadata only.
 *
 * `joined` writes the `participant_roles` column (migration 1764200000000) directly because
 * SessionsService has no method for it yet; it belongs there (as `markJoined(sessionId, role)`), and moves
 * when the sessions module takes it over.
 */
@Injectable()
export class SessionRecord {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sessions: SessionsService,
  ) {}

  /** Adds a role to the roles that took part in a live session (once, in the order of first joining). */
  async joined(sessionId: string, role: ParticipantRole): Promise<void> {
    await rows(
      this.db,
      `UPDATE sessions SET participant_roles = array_append(participant_roles, $2::text)
       WHERE id = $1 AND ended_at IS NULL AND NOT ($2::text = ANY (participant_roles))`,
      [sessionId, role],
    );
  }

  /** The call really starts when a second party is in it; a first join alone does not start it. */
  async started(sessionId: string): Promise<void> {
    await this.sessions.markStarted(sessionId);
  }

  /** Ends a session whose media cannot be rebuilt on this node; true if this ended it. */
  async endUnrecoverable(sessionId: string): Promise<boolean> {
    return !!(await this.db.transaction((m) => this.sessions.end(m, sessionId, MEDIA_FAILED)));
  }
}

/** The end reason of a session whose media could not be rebuilt after its worker died. */
export const MEDIA_FAILED = 'media_failed';
