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
