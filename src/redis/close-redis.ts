import type Redis from 'ioredis';
import { withTimeout } from '../common/with-timeout';

/**
 * Closes an ioredis connection without ever waiting for Redis: QUIT (which lets what was already written go
 * out) only on a ready connection and for at most `graceMs`, else a plain disconnect. A QUIT sent while the
 * client reconnects waits in its offline queue until Redis is back, and a node shutting down during an outage
 * would wait for it for ever.
 */
export async function closeRedis(client: Redis | undefined, graceMs = 500): Promise<void> {
  if (!client || client.status === 'end') return;
  if (client.status === 'ready') await withTimeout(client.quit(), graceMs).catch(() => undefined);
  client.disconnect();
}
