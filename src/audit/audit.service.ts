import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { auditHash, GENESIS_HASH } from './audit-hash';
import { AuditData, AuditEvent } from './entities/audit-event.entity';

export interface AuditMeta {
  actorId?: string | null;
  actorRole?: string | null;
  country?: string | null;
  subjectId?: string | null;
  data?: AuditData;
}

export interface VerifyResult {
  ok: boolean;
  /** Events proved intact, from the start of the chain. */
  events: number;
  /** The first event at which the chain stops being provable, when there is one (not for a missing tail). */
  firstBadId?: string;
  /** What is wrong, in words, when ok is false. */
  problem?: string;
}

export interface PurgeResult {
  deleted: number;
  /** The `audit.purged` event that records where the surviving chain continues from. */
  event?: AuditEvent;
}

/** Appended by purgeBefore() alone: the checkpoint that lets a chain start after its first event. */
export const PURGE_EVENT = 'audit.purged';
const VERIFY_BATCH = 5000;

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Appends one event to the chain, taking the chain's lock. Writers do not call this: they write through
   * AuditOutbox, whose one drainer chains their events in batches (`recordMany`); this is the chain's own
   * append (the purge's checkpoint goes the same way), kept for the chain's tests.
   */
  async record(type: string, meta: AuditMeta = {}, manager?: EntityManager): Promise<AuditEvent> {
    if (type === PURGE_EVENT) throw new Error(`${PURGE_EVENT} is written by the purge only`);
    const run = (m: EntityManager) => this.append(m, type, meta);
    return manager ? run(manager) : this.db.transaction(run);
  }

  /**
   * Appends several events, in this order, inside the caller's transaction, in two statements whatever their
   * number (the audit outbox moves events in batches): the head is locked and read once, the events are
   * chained here, and one INSERT writes them in seq order. The head trigger still checks every row against
   * the head the row before it moved, so a batch that did not extend the chain is refused whole. `at` is when
   * the event happened (its `occurred_at`; now when not given).
   */
  async recordMany(m: Pick<EntityManager, 'query'>, events: { type: string; meta: AuditMeta; at?: Date }[]): Promise<void> {
    if (!events.length) return;
    if (events.some((e) => e.type === PURGE_EVENT)) throw new Error(`${PURGE_EVENT} is written by the purge only`);
    const [head] = await m.query('SELECT seq, hash FROM audit_chain_head FOR UPDATE');
    let seq = BigInt(head.seq);
    let prevHash: string = head.hash;
    const chained = events.map(({ type, meta, at }) => {
      const e = chainedEvent(String(++seq), prevHash, type, meta, at);
      prevHash = e.hash;
      return e;
    });
    await m.query(
      `INSERT INTO audit_events (seq, id, occurred_at, type, actor_id, actor_role, country, subject_id, data, prev_hash, hash)
       SELECT seq, id, occurred_at, type, actor_id, actor_role, country, subject_id, data, prev_hash, hash
       FROM jsonb_to_recordset($1::jsonb) AS x(seq bigint, id uuid, occurred_at timestamptz, type varchar, actor_id uuid, actor_role varchar,
         country char(2), subject_id uuid, data jsonb, prev_hash char(64), hash char(64))
       ORDER BY seq`,
      [
        JSON.stringify(
          chained.map((e) => ({
            seq: e.seq,
            id: e.id,
            occurred_at: e.occurredAt.toISOString(),
            type: e.type,
            actor_id: e.actorId,
            actor_role: e.actorRole,
            country: e.country,
            subject_id: e.subjectId,
            data: e.data,
            prev_hash: e.prevHash,
            hash: e.hash,
          })),
        ),
      ],
    );
  }

  /**
   * Links the event to the stored chain head (migrations/1764000100000-audit-chain-head.ts). Locking the head row
   * serialises appends across nodes until the transaction ends, so every event has exactly one predecessor; the
   * database refuses an insert that does not extend the head, and moves the head in the same transaction.
   */
  private async append(m: EntityManager, type: string, meta: AuditMeta): Promise<AuditEvent> {
    const [head] = await m.query('SELECT seq, hash FROM audit_chain_head FOR UPDATE');
    const event = m.create(AuditEvent, chainedEvent(String(BigInt(head.seq) + 1n), head.hash, type, meta));
    await m.insert(AuditEvent, event);
    return event;
  }

  /**
   * The retention purge of the audit log: deletes every event that occurred before `before` (always a prefix of
   * the chain, up to the last such event) and, in the same transaction, appends an `audit.purged` event that
   * records the seq and hash the surviving chain continues from, so that verify accepts the new start and
   * still catches any deletion the purge did not record.
   */
  async purgeBefore(before: Date): Promise<PurgeResult> {
    return this.db.transaction(async (m) => {
      await m.query('SELECT 1 FROM audit_chain_head FOR UPDATE');
      const [last] = await m.query('SELECT seq, hash FROM audit_events WHERE occurred_at < $1 ORDER BY seq DESC LIMIT 1', [before]);
      if (!last) return { deleted: 0 };
      await m.query(`SELECT set_config('puente.audit_purge', 'on', true)`);
      const [, deleted] = (await m.query('DELETE FROM audit_events WHERE seq <= $1', [last.seq])) as [unknown, number];
      await m.query(`SELECT set_config('puente.audit_purge', 'off', true)`);
      const event = await this.append(m, PURGE_EVENT, {
        data: { continuesFromSeq: String(last.seq), continuesFromHash: last.hash, deleted },
      });
      return { deleted, event };
    });
  }

  /**
   * Walks the chain in order, in one snapshot (appends meanwhile are not seen, neither rows nor head). An altered
   * row fails its own hash; a deleted row breaks the sequence and the link of the row after it; deleted newest
   * rows leave the last row short of the stored head; deleted oldest rows leave a start that is neither the
   * genesis nor the point recorded by the latest `audit.purged` event.
   */
  async verify(): Promise<VerifyResult> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      const result = await this.walk(runner.manager);
      await runner.commitTransaction();
      return result;
    } catch (e) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw e;
    } finally {
      await runner.release();
    }
  }

  private async walk(m: EntityManager): Promise<VerifyResult> {
    const [head] = await m.query('SELECT seq, hash FROM audit_chain_head');
    const events = m.getRepository(AuditEvent);
    const first = await events.createQueryBuilder('e').orderBy('e.seq', 'ASC').limit(1).getOne();
    if (!first) {
      return head.seq === '0'
        ? { ok: true, events: 0 }
        : { ok: false, events: 0, problem: `every event is missing: the chain head is at seq ${head.seq}` };
    }

    let prevSeq = BigInt(first.seq) - 1n;
    let prevHash = GENESIS_HASH;
    if (prevSeq > 0n) {
      const [purge] = await m.query('SELECT data FROM audit_events WHERE type = $1 ORDER BY seq DESC LIMIT 1', [PURGE_EVENT]);
      const from = purge?.data as AuditData | undefined;
      if (from?.continuesFromSeq !== String(prevSeq) || from?.continuesFromHash !== first.prevHash) {
        return {
          ok: false,
          events: 0,
          firstBadId: first.id,
          problem: `the chain starts at seq ${first.seq}, neither at its beginning nor where the latest audited purge left it`,
        };
      }
      prevHash = first.prevHash;
    }

    let count = 0;
    for (;;) {
      const rows = await events
        .createQueryBuilder('e')
        .where('e.seq > :after', { after: prevSeq.toString() })
        .orderBy('e.seq', 'ASC')
        .limit(VERIFY_BATCH)
        .getMany();
      for (const row of rows) {
        const seq = BigInt(row.seq);
        if (seq !== prevSeq + 1n)
          return { ok: false, events: count, firstBadId: row.id, problem: `events are missing before seq ${row.seq}` };
        if (row.prevHash !== prevHash)
          return { ok: false, events: count, firstBadId: row.id, problem: `event seq ${row.seq} does not link to the event before it` };
        if (auditHash(row.prevHash, row) !== row.hash)
          return { ok: false, events: count, firstBadId: row.id, problem: `event seq ${row.seq} was altered` };
        prevHash = row.hash;
        prevSeq = seq;
        count++;
      }
      if (rows.length < VERIFY_BATCH) break;
    }
    if (String(prevSeq) !== String(head.seq) || prevHash !== head.hash) {
      return {
        ok: false,
        events: count,
        problem: `the newest events are missing: the last is seq ${prevSeq}, the chain head is at seq ${head.seq}`,
      };
    }
    return { ok: true, events: count };
  }
}

/** The event that follows `prevHash` at `seq`, hashed. */
function chainedEvent(seq: string, prevHash: string, type: string, meta: AuditMeta, occurredAt = new Date()): AuditEvent {
  const event = {
    seq,
    id: randomUUID(),
    occurredAt,
    type,
    actorId: meta.actorId ?? null,
    actorRole: meta.actorRole ?? null,
    country: meta.country ?? null,
    subjectId: meta.subjectId ?? null,
    data: meta.data ?? {},
    prevHash,
    hash: '',
  };
  event.hash = auditHash(prevHash, event);
  return event;
}
