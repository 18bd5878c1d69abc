import { createECDH, createPublicKey, randomBytes, randomUUID, verify, type ECDH } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from './matching-fixtures';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- http_ece has no types; web-push uses it to encrypt
const ece = require('http_ece') as { decrypt(body: Buffer, params: { version: string; privateKey: ECDH; authSecret: string }): Buffer };

/** One message the test push service accepted, decrypted with its device's keys. */
export interface ReceivedPush {
  device: string;
  status: number;
  headers: IncomingHttpHeaders;
  /** The VAPID JWT's claims, once its signature was checked against the server's public key. */
  claims: { aud: string; sub: string; exp: number };
  message: Record<string, unknown>;
}

/** A browser's subscription on the test push service: what the console would POST, and its secret keys. */
export interface TestDevice {
  id: string;
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
}

const b64urlJson = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

/**
 * A Web Push service on loopback, as a browser vendor runs one: each POST to a device's endpoint must carry a VAPID
 * JWT (RFC 8292) signed by `vapidPublicKey` for this origin and an aes128gcm body (RFC 8291) that only the device's
 * keys decrypt; a bad one is refused (401/400) and recorded in `refused`. A device answers 201, or what `answer` says
 * (404/410: it is gone).
 */
export async function startPushService(vapidPublicKey: string) {
  const devices = new Map<string, { ecdh: ECDH; auth: Buffer; status: number }>();
  const received: ReceivedPush[] = [];
  const refused: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1] ?? '';
      const device = devices.get(id);
      const refuse = (status: number, why: string) => {
        refused.push(why);
        res.writeHead(status).end();
      };
      if (!device) return refuse(404, 'unknown device');
      const auth = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(String(req.headers.authorization ?? ''));
      if (!auth || auth[2] !== vapidPublicKey) return refuse(401, 'no VAPID authorization with the server key');
      const [h, p, sig] = auth[1].split('.');
      const point = Buffer.from(vapidPublicKey, 'base64url');
      const key = createPublicKey({
        key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
        format: 'jwk',
      });
      const signed = verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
      const claims = b64urlJson(p) as ReceivedPush['claims'];
      const now = Date.now() / 1000;
      if (!signed || b64urlJson(h).alg !== 'ES256') return refuse(401, 'VAPID signature');
      if (claims.aud !== origin || !(claims.exp > now && claims.exp <= now + 24 * 3600)) return refuse(401, 'VAPID claims');
      if (req.headers['content-encoding'] !== 'aes128gcm') return refuse(400, 'content-encoding');
      let message: Record<string, unknown>;
      try {
        const plain = ece.decrypt(Buffer.concat(chunks), {
          version: 'aes128gcm',
          privateKey: device.ecdh,
          authSecret: device.auth.toString('base64url'),
        });
        message = JSON.parse(plain.toString('utf8'));
      } catch {
        return refuse(400, 'payload does not decrypt');
      }
      received.push({ device: id, status: device.status, headers: req.headers, claims, message });
      res.writeHead(device.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    refused,
    /** A new browser subscription on this service. */
    device(): TestDevice {
      const id = randomUUID();
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      devices.set(id, { ecdh, auth, status: 201 });
      return {
        id,
        subscription: {
          endpoint: `${origin}/push/${id}`,
          keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
        },
      };
    },
    /** The pushes this device received, once there are at least `n`. */
    pushesTo: (device: TestDevice, n: number) =>
      until(
        () => received.filter((r) => r.device === device.id),
        (r) => r.length >= n,
      ),
    /** What this device's endpoint answers from now on (404/410: the subscription is gone). */
    answer(device: TestDevice, status: number) {
      devices.get(device.id)!.status = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
