import { ForbiddenException } from '@nestjs/common';
import type { Role } from '../common/domain';

/** Who is making a request, as read from a verified token. A caller's `sub` is random and stored nowhere. */
export interface Principal {
  sub: string;
  role: Role;
  country?: string | null;
  institutionId?: string | null;
  interpreterId?: string | null;
  /** Issued-at, seconds since the epoch. */
  iat?: number;
  /** Issued-at in milliseconds (staff tokens), so that a revocation refuses every token issued before it. */
  iatMs?: number;
}

/** Her interpreter record, for what only interpreters do; anyone else is refused with `refusal` (403). */
export function interpreterIdOf(p: Principal, refusal: string): string {
  if (p.role !== 'interpreter' || !p.interpreterId) throw new ForbiddenException(refusal);
  return p.interpreterId;
}
