import { createHmac, randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/config.schema';

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/**
 * TURN servers for one join of a call, from configuration: static credentials, or coturn's time-limited
 * credentials (`use-auth-secret`: username "<expiry>:<id>", password base64(HMAC-SHA1(secret, username))). The id
 * is random for each join: coturn logs usernames next to client addresses, and nothing there may lead back to
 * a caller (or any participant) or tie two of her calls together.
 */
export function iceServersFor(config: AppConfig, now = Date.now(), id = randomBytes(12).toString('base64url')): IceServer[] {
  if (!config.TURN_URLS.length) return [];
  if (config.TURN_SECRET) {
    const username = `${Math.floor(now / 1000) + 24 * 3600}:${id}`;
    const credential = createHmac('sha1', config.TURN_SECRET).update(username).digest('base64');
    return [{ urls: config.TURN_URLS, username, credential }];
  }
  return [
    {
      urls: config.TURN_URLS,
      ...(config.TURN_USERNAME ? { username: config.TURN_USERNAME, credential: config.TURN_CREDENTIAL ?? '' } : {}),
    },
  ];
}
