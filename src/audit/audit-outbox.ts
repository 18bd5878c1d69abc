import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { pgCode } from '../database/pg-errors';
import { rows } from '../database/sql';
import { AuditService, PURGE_EVENT, type AuditMeta } from './audit.service';
import type { AuditData } from './entities/audit-event.entity';

/** Any 64-bit key: "outbox" in ASCII. One node at a time moves events into the chain, so that they keep their order. */
const DRAIN_LOCK = 0x6f7574626f78;
const BATCH = 200;
/** How long events may wait to be moved together (they are already safe in the outbox). */
const GATHER_MS = 250;
/** How long to wait before trying again when another node is moving events. */
const BUSY_MS = 100;

/**
 * `INSERT INTO` the outbox `from` a SELECT of (type, actor_id, actor_role, country, subject_id, data), for a
 * statement that writes its events itself (matching's CTEs). The time it happened is the insert's.
 */
export const outboxInsert = (select: string) =>
  `INSERT INTO matching_audit_outbox (type, actor_id, actor_role, country, subject_id, data) ${select}`;

/** The time it happened is the writer's clock, as when writers appended to the chain themselves. */
const INSERT_EVENT = `INSERT INTO matching_audit_outbox (type, actor_id, actor_role, country, subject_id, data, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`;

/**
 * The one way into the audit log. A writer inserts its events into an outbox table inside the transaction that
 * makes the change (a plain insert: no lock), or on their own when it has none; one drainer per node moves them
 * into the hash chain (AuditService.recordMany) in the order they were written, one node at a time under an
 * advisory lock, in batches. So no request's transaction ever holds the chain's lock, an event is never lost
 * (written with its change; the move is one transaction), and the sweep moves whatever a node that died left
 * behind. Each event keeps the time it happened as its `occurred_at`.
 *
 * Matching does not wait for its events to be chained (`kick`: moments later, in one batch); every other writer
 * answers only once its events are in the chain (`chained`, `record`), as when it appended them itself.
 */
@Injectable()
export class AuditOutbox implements OnModuleDestroy {
  private readonly logger = new Logger('AuditOutbox');
  private timer?: NodeJS.Timeout;
  /** The pass that is running, if any. */
  private running?: Promise<void>;
  /** Callers waiting for a pass that starts after they asked (so sees what they committed before). */
  private waiting?: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void };
  private closed = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  onModuleDestroy() {
    this.closed = true;
    clearTimeout(this.timer);
  }

  /** Writes an event inside the caller's transaction; once it has committed, `chained()` (or `kick()`). */
  async add(m: Pick<EntityManager, 'query'>, type: string, meta: AuditMeta = {}): Promise<void> {
    if (type === PURGE_EVENT) throw new Error(`${PURGE_EVENT} is written by the purge only`);
    await m.query(INSERT_EVENT, [
      type,
      meta.actorId ?? null,
      meta.actorRole ?? null,
      meta.country ?? null,
      meta.subjectId ?? null,
      meta.data ?? {},
      new Date(),
    ]);
  }

  /** Writes the event of a change that has no transaction, and waits until it is in the chain. */
  async record(type: string, meta: AuditMeta = {}): Promise<void> {
    await this.add(this.db, type, meta);
    await this.chained();
  }

  /**
   * Waits until every event committed before this call is in the chain. A failure to move them is logged, not
   * thrown: the change and its events are committed, and the sweep moves them.
   */
  async chained(): Promise<void> {
    await this.flush().catch((e) =>
      this.logger.error({ err: (e as Error)?.name, code: pgCode(e) }, 'moving audit events failed; the sweep retries'),
    );
  }

  /** Events were committed: move them soon (together with any that follow within a few milliseconds). */
  kick() {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.chained();
    }, GATHER_MS);
  }

  /**
   * Moves every event in the outbox into the chain (the sweep, writers through `chained`, and tests call this):
   * resolves after a pass that started after the call, so it has seen every event committed before it.
   * Callers that arrive during a pass share the next one.
   */
  flush(): Promise<void> {
    if (!this.waiting) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.waiting = { promise, resolve, reject };
    }
    const { promise } = this.waiting;
    this.running ??= this.passes();
    return promise;
  }

  private async passes() {
    try {
      while (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        try {
          await this.pass();
          w.resolve();
        } catch (e) {
          w.reject(e);
        }
      }
    } finally {
      // In the same turn as the last check: a caller arriving after it starts a new run.
      this.running = undefined;
    }
  }

  /** Drains the outbox: batch after batch, until one is not full. */
  private async pass() {
    for (;;) {
      const moved = await this.drain();
      if (moved === null) {
        // Another node is moving them: wait for its batch, then look again (it may not have seen ours).
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, BUSY_MS));
        continue;
      }
      if (moved < BATCH) return;
    }
  }

  /** One batch, in outbox order; null if another node holds the drain. */
  private drain(): Promise<number | null> {
    return this.db.transaction(async (m) => {
      const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [DRAIN_LOCK]);
      if (!locked) return null;
      const events = await rows<{
        id: string;
        type: string;
        actor_id: string | null;
        actor_role: string | null;
        country: string | null;
        subject_id: string | null;
        data: AuditData;
        at: Date;
      }>(
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
          meta: { actorId: e.actor_id, actorRole: e.actor_role, country: e.country, subjectId: e.subject_id, data: e.data },
          at: new Date(e.at),
        })),
      );
      return events.length;
    });
  }
}
