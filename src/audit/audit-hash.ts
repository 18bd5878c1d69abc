import { createHash } from 'node:crypto';
import type { AuditData } from './entities/audit-event.entity';

export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  seq: string;
  id: string;
  occurredAt: Date;
  type: string;
  actorId: string | null;
  actorRole: string | null;
  country: string | null;
  subjectId: string | null;
  data: AuditData;
}

/** Canonical JSON: keys sorted, so the hash does not depend on how jsonb reorders them. */
function canonical(data: AuditData): string {
  return JSON.stringify(Object.fromEntries(Object.entries(data ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** sha256 over the previous hash and every field of the event. */
export function auditHash(prevHash: string, e: HashedFields): string {
  const body = [
    prevHash,
    e.seq,
    e.id,
    e.occurredAt.toISOString(),
    e.type,
    e.actorId ?? '',
    e.actorRole ?? '',
    (e.country ?? '').trim(),
    e.subjectId ?? '',
    canonical(e.data),
  ].join('\u001f');
  return createHash('sha256').update(body).digest('hex');
}
