import { createHmac } from 'node:crypto';
import { loadConfig } from '../config/config.schema';
import { iceServersFor } from './ice-servers';

describe('iceServersFor', () => {
  it('hands out nothing without TURN_URLS', () => {
    expect(iceServersFor(loadConfig({ NODE_ENV: 'test' }), 'x')).toEqual([]);
  });

  it('hands out static credentials', () => {
    const c = loadConfig({ NODE_ENV: 'test', TURN_URLS: 'turn:t.example:3478', TURN_USERNAME: 'u', TURN_CREDENTIAL: 'p' });
    expect(iceServersFor(c, 'x')).toEqual([{ urls: ['turn:t.example:3478'], username: 'u', credential: 'p' }]);
  });

  it("derives coturn's time-limited credentials from the shared secret", () => {
    const c = loadConfig({ NODE_ENV: 'test', TURN_URLS: 'turn:t.example:3478', TURN_SECRET: 'a-shared-secret-of-length' });
    const [s] = iceServersFor(c, 'peer-1', 1_000_000_000_000);
    expect(s.username).toBe(`${1_000_000_000 + 86400}:peer-1`);
    expect(s.credential).toBe(createHmac('sha1', 'a-shared-secret-of-length').update(s.username!).digest('base64'));
  });
});
