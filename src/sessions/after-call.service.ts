import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { rows } from '../database/sql';
import type { FeedbackAnswer, ReferredTo, WrapupSign } from '../realtime/realtime.contract';
import { REDIS } from '../redis/redis.module';
import { withScripts } from '../redis/redis-scripts';

/** How long after a call the woman may answer its one question (her page keeps it on screen meanwhile). */
export const FEEDBACK_WINDOW_SECONDS = 15 * 60;
/** How long after a call its interpreters may tick its wrap-up (her wrap-up time, extended, and then some). */
export const WRAPUP_NOTES_HOURS = 24;

const feedbackKey = (sessionId: string) => `feedback:${sessionId}`;

/** Adds ARGV[2..] to the set and gives it ARGV[1] seconds: one script call (a MULTI of SADD and EXPIRE was four commands). */
const ANSWERABLE = `
redis.call('SADD', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1`;

interface Answerable {
  feedbackAnswerable(key: string, seconds: number, ...subs: string[]): Promise<number>;
}

/**
 * After the call, as metadata of the session (never text): the woman's one answer, three faces, skippable
 * (`session:feedback`), and the interpreter's wrap-up ticks (`session:wrapup`). Who asked is forgotten when a call
 * ends (caller_sub), so who may answer is kept apart, in Redis, for FEEDBACK_WINDOW_SECONDS: her token's subject by
 * the session, set by every node that hears of the end (the same value), and taken by her one answer.
 */
@Injectable()
export class AfterCallService {
  private readonly redis: Redis & Answerable;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) redis: Redis,
  ) {
    this.redis = withScripts<Answerable>(redis, { feedbackAnswerable: { keys: 1, lua: ANSWERABLE } });
  }

  /** An ended call's callers may answer its one question (SessionsService, on every node that hears the end: the same set). */
  async answerable(sessionId: string, callerSubs: string[]) {
    if (!callerSubs.length) return;
    await this.redis.feedbackAnswerable(feedbackKey(sessionId), FEEDBACK_WINDOW_SECONDS, ...callerSubs);
  }

  /** Her one answer about a call she was in, that ended within the window; once. */
  async feedback(p: Principal, sessionId: string, answer: FeedbackAnswer): Promise<Record<string, never>> {
    // Taken, not read: a second answer (or anyone else's) finds nothing.
    const hers = await this.redis.srem(feedbackKey(sessionId), p.sub);
    if (!hers) throw new NotFoundException('no call of yours to answer about');
    await this.redis.del(feedbackKey(sessionId));
    await this.db.query(`UPDATE sessions SET feedback = $2 WHERE id = $1 AND feedback IS NULL`, [sessionId, answer]);
    return {};
  }

  /** Her wrap-up ticks about a call she interpreted (in any role), within WRAPUP_NOTES_HOURS of its end; the last ticks count. */
  async wrapupNotes(
    interpreterId: string,
    sessionId: string,
    referredTo: ReferredTo[],
    signs: WrapupSign[],
  ): Promise<Record<string, never>> {
    const done = await rows(
      this.db,
      `WITH u AS (
         UPDATE sessions s SET referred_to = $3::varchar(20)[], signs = $4::varchar(20)[]
         WHERE s.id = $1 AND s.ended_at > now() - make_interval(hours => $5)
           AND EXISTS (SELECT 1 FROM session_interpreters si WHERE si.session_id = s.id AND si.interpreter_id = $2)
         RETURNING s.id)
       SELECT id FROM u`,
      [sessionId, interpreterId, [...new Set(referredTo)], [...new Set(signs)], WRAPUP_NOTES_HOURS],
    );
    if (!done.length) throw new NotFoundException('no recent call of yours');
    return {};
  }
}
