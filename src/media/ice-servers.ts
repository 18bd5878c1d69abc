import { createHmac } from 'node:crypto';
import type { AppConfig } from '../config/config.schema';

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/**
 * TURN servers for a client, from configuration: static credentials, or coturn's time-limited credentials
 * (`use-auth-secret`: username "<expiry>:<id>", password base64(HMAC-SHA1(secret, username))).
 */
export function iceServersFor(config: AppConfig, clientId: string, now = Date.now()): IceServer[] {
  if (!config.TURN_URLS.length) return [];
  if (config.TURN_SECRET) {
    const username = `${Math.floor(now / 1000) + 24 * 3600}:${clientId}`;
    const credential = createHmac('sha1', config.TURN_SECRET).update(username).digest('base64');
    return [{ urls: config.TURN_URLS, username, credential }];
  }
  return [{ urls: config.TURN_URLS, ...(config.TURN_USERNAME ? { username: config.TURN_USERNAME, credential: config.TURN_CREDENTIAL ?? '' } : {}) }];
}
