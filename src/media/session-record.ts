import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MEDIA_FAILED } from '../sessions/end-reasons';
import { SessionsService } from '../sessions/sessions.service';
import type { ParticipantRole } from './peer';

/**
 * What the media side writes to a session's record: which roles took part, that the call started (when a
 * second party is in it), and that it ended because its media could not be rebuilt. Metadata only.
 */
@Injectable()
export class SessionRecord {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sessions: SessionsService,
  ) {}

  /** Adds a role to the roles that took part in a live session. */
  joined(sessionId: string, role: ParticipantRole): Promise<void> {
    return this.sessions.markJoined(sessionId, role);
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
