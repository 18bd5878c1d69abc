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
  events: number;
  firstBadId?: string;
}

// Any 64-bit key works; this one is "audit" in ASCII.
const CHAIN_LOCK = 0x6175646974;
const VERIFY_BATCH = 5000;

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Appends one event to the chain. Nodes serialise on a transaction-scoped advisory lock so that every
   * event links to exactly one predecessor. Pass `manager` to make the event part of a caller's transaction.
   */
  async record(type: string, meta: AuditMeta = {}, manager?: EntityManager): Promise<AuditEvent> {
    const run = (m: EntityManager) => this.append(m, type, meta);
    return manager ? run(manager) : this.db.transaction(run);
  }

  private async append(m: EntityManager, type: string, meta: AuditMeta): Promise<AuditEvent> {
    await m.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    const [last] = await m.query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
    const event = m.create(AuditEvent, {
      seq: String(last ? BigInt(last.seq) + 1n : 1n),
      id: randomUUID(),
      occurredAt: new Date(),
      type,
      actorId: meta.actorId ?? null,
      actorRole: meta.actorRole ?? null,
      country: meta.country ?? null,
      subjectId: meta.subjectId ?? null,
      data: meta.data ?? {},
      prevHash: last?.hash ?? GENESIS_HASH,
    });
    event.hash = auditHash(event.prevHash, event);
    await m.insert(AuditEvent, event);
    return event;
  }

  /**
   * Walks the chain in order. An altered row fails its own hash; a deleted row breaks the sequence and the
   * link of the row after it. Returns the first row at which the chain stops being provable.
   */
  async verify(): Promise<VerifyResult> {
    let prevHash = GENESIS_HASH;
    let prevSeq = 0n;
    let events = 0;
    for (;;) {
      const rows = await this.db
        .getRepository(AuditEvent)
        .createQueryBuilder('e')
        .where('e.seq > :after', { after: prevSeq.toString() })
        .orderBy('e.seq', 'ASC')
        .limit(VERIFY_BATCH)
        .getMany();
      for (const row of rows) {
        const seq = BigInt(row.seq);
        const linked = row.prevHash === prevHash && (prevSeq === 0n ? true : seq === prevSeq + 1n);
        if (!linked || auditHash(row.prevHash, row) !== row.hash) return { ok: false, events, firstBadId: row.id };
        prevHash = row.hash;
        prevSeq = seq;
        events++;
      }
      if (rows.length < VERIFY_BATCH) return { ok: true, events };
    }
  }
}
