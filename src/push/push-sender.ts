import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { generateRequestDetails } from 'web-push';

export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushVapid {
  subject: string;
  publicKey: string;
  privateKey: string;
}

export interface PushOptions {
  /** How long the push service may hold it for a device that is off (an offer is worth nothing after it rang). */
  ttlSeconds: number;
  /** RFC 8030: `high` wakes a sleeping phone at once. */
  urgency: 'normal' | 'high';
  /** RFC 8030: a later message with the same topic replaces one not yet delivered (the offer by its withdrawal). */
  topic?: string;
}

const TIMEOUT_MS = 10_000;

/**
 * One Web Push message (RFC 8030), encrypted for the device (RFC 8291, aes128gcm) and signed with the VAPID key
 * (RFC 8292) by the `web-push` package; sent here rather than by web-push itself so that nothing follows a redirect
 * and a listed plain-http origin (a test push service) works too. Resolves with the push service's status.
 */
export function sendPush(target: PushTarget, payload: string, options: PushOptions, vapid: PushVapid): Promise<number> {
  const details = generateRequestDetails(target, payload, {
    vapidDetails: vapid,
    TTL: options.ttlSeconds,
    urgency: options.urgency,
    ...(options.topic && { topic: options.topic }),
  });
  const url = new URL(details.endpoint);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: details.method, headers: details.headers as Record<string, string>, timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('push service timed out')));
    req.on('error', reject);
    req.end(details.body ?? undefined);
  });
}
