import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuditData } from '../audit/entities/audit-event.entity';
import { rows } from '../database/sql';

/** Any 64-bit key: "outbox" in ASCII. One node at a time moves events into the chain, so that they keep their order. */
const DRAIN_LOCK = 0x6f7574626f78;
const BATCH = 200;
/** How long events may wait to be moved together (they are already safe in the outbox). */
const GATHER_MS = 250;

/** An audit event as matching and sessions write it: the fields of AuditService.record. */
export interface OutboxEvent {
  type: string;
  actorId?: string | null;
  actorRole?: string | null;
  country?: string | null;
  subjectId: string;
  data: AuditData;
}

/** `INSERT INTO` the outbox `from` a SELECT of (type, actor_id, actor_role, country, subject_id, data). */
export const outboxInsert = (select: string) => `INSERT INTO matching_audit_outbox (type, actor_id, actor_role, country, subject_id, data) ${select}`;

/**
 * The audit events of matching and sessions go into an outbox table inside the transaction that makes the
 * change (a plain insert: no lock, often part of the same statement), and are moved into the hash chain
 * (AuditService) shortly after, in the order they were written, by one node at a time under an advisory
 * lock, in batches. So the chain's global lock is never held inside a matching transaction, an event is
 * never lost (the move is one transaction), and the chain is complete within moments; the sweep moves
 * whatever a node that died left behind. Each event keeps the time it happened as `data.at`.
 */
@Injectable()
export class AuditOutbox implements OnModuleDestroy {
  private readonly logger = new Logger('AuditOutbox');
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private again = false;
  private closed = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  onModuleDestroy() {
    this.closed = true;
    clearTimeout(this.timer);
  }

  /** Writes events inside the caller's transaction (for events not written by the statement itself). */
  async add(m: Pick<EntityManager, 'query'>, events: OutboxEvent[]) {
    if (!events.length) return;
    await m.query(
      outboxInsert(
        `SELECT type, actor_id, actor_role, country, subject_id, data FROM jsonb_to_recordset($1::jsonb)
         AS x(type text, actor_id uuid, actor_role text, country char(2), subject_id uuid, data jsonb)`,
      ),
      [JSON.stringify(events.map((e) => ({ type: e.type, actor_id: e.actorId ?? null, actor_role: e.actorRole ?? null, country: e.country ?? null, subject_id: e.subjectId, data: e.data })))],
    );
  }

  /** Events were committed: move them soon (together with any that follow within a few milliseconds). */
  kick() {
    if (this.closed) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch((e) => this.logger.error({ err: (e as Error)?.name, code: (e as { code?: string })?.code }, 'moving audit events failed; the sweep retries'));
    }, GATHER_MS);
  }

  /** Moves every event in the outbox into the chain (the sweep, and tests, call this). */
  async flush(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const moved = await this.drain();
            if (moved === null) {
              // Another node is moving them: whatever it does not see now, this node moves a moment later.
              this.again = true;
              await new Promise((r) => setTimeout(r, 100));
              break;
            }
            if (moved < BATCH) break;
          }
        } while (this.again && !this.closed);
      } finally {
        this.draining = undefined;
      }
    })();
    return this.draining;
  }

  /** One batch, in outbox order; null if another node holds the drain. */
  private drain(): Promise<number | null> {
    return this.db.transaction(async (m) => {
      const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [DRAIN_LOCK]);
      if (!locked) return null;
      const events = await rows<{ id: string; type: string; actor_id: string | null; actor_role: string | null; country: string | null; subject_id: string; data: AuditData; at: Date }>(
        m,
        `DELETE FROM matching_audit_outbox WHERE id IN (SELECT id FROM matching_audit_outbox ORDER BY id LIMIT $1)
         RETURNING id, type, actor_id, actor_role, country, subject_id, data, at`,
        [BATCH],
      );
      events.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
      // The whole batch in two statements (not two per event): this drain is most of the audit's cost.
      await this.audit.recordMany(
        m,
        events.map((e) => ({
          type: e.type,
          meta: { actorId: e.actor_id, actorRole: e.actor_role, country: e.country, subjectId: e.subject_id, data: { ...e.data, at: new Date(e.at).toISOString() } },
        })),
      );
      return events.length;
    });
  }
}
