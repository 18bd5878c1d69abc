import { NotFoundException } from '@nestjs/common';
import type { Principal } from '../auth/principal';

/**
 * A roster admin sees her own country's roster only; any other roster is, to her, not there (404, so the
 * answer does not reveal what other countries hold). A platform admin sees every roster where allowed.
 */
export function assertRosterAccess(actor: Principal, country: string, allowPlatformAdmin: boolean): void {
  if (allowPlatformAdmin && actor.role === 'platform_admin') return;
  if (actor.role === 'roster_admin' && actor.country === country) return;
  throw new NotFoundException(`no roster ${country} here`);
}
