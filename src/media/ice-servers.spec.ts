import { createHmac } from 'node:crypto';
import { loadConfig } from '../config/config.schema';
import { iceServersFor } from './ice-servers';

describe('iceServersFor', () => {
  it('hands out nothing without TURN_URLS', () => {
    expect(iceServersFor(loadConfig({ NODE_ENV: 'test' }))).toEqual([]);
  });

  it('hands out static credentials', () => {
    const c = loadConfig({ NODE_ENV: 'test', TURN_URLS: 'turn:t.example:3478', TURN_USERNAME: 'u', TURN_CREDENTIAL: 'p' });
    expect(iceServersFor(c)).toEqual([{ urls: ['turn:t.example:3478'], username: 'u', credential: 'p' }]);
  });

  it("derives coturn's time-limited credentials from the shared secret", () => {
    const c = loadConfig({ NODE_ENV: 'test', TURN_URLS: 'turn:t.example:3478', TURN_SECRET: 'a-shared-secret-of-length' });
    const [s] = iceServersFor(c, 1_000_000_000_000, 'call-1');
    expect(s.username).toBe(`${1_000_000_000 + 86400}:call-1`);
    expect(s.credential).toBe(createHmac('sha1', 'a-shared-secret-of-length').update(s.username!).digest('base64'));
  });

  it('names each join by a random id, never by who joins', () => {
    const c = loadConfig({ NODE_ENV: 'test', TURN_URLS: 'turn:t.example:3478', TURN_SECRET: 'a-shared-secret-of-length' });
    const [a] = iceServersFor(c);
    const [b] = iceServersFor(c);
    expect(a.username).toMatch(/^\d+:[\w-]{16}$/);
    expect(a.username).not.toBe(b.username);
  });
});
