import { endpointAllowed } from './push-origins';

const DEFAULTS = ['https://fcm.googleapis.com', 'https://updates.push.services.mozilla.com', 'https://*.notify.windows.com'];

describe('endpointAllowed', () => {
  it.each([
    ['https://fcm.googleapis.com/fcm/send/abc', true],
    ['https://updates.push.services.mozilla.com/wpush/v2/x', true],
    ['https://db5p.notify.windows.com/w/?token=x', true],
    ['https://notify.windows.com/w', false],
    ['https://evil.notify.windows.com.attacker.example/w', false],
    ['https://fcm.googleapis.com.attacker.example/x', false],
    ['http://fcm.googleapis.com/fcm/send/abc', false],
    ['https://fcm.googleapis.com:8443/fcm/send/abc', false],
    ['https://user:pw@fcm.googleapis.com/x', false],
    ['https://127.0.0.1/x', false],
    ['http://169.254.169.254/latest/meta-data', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('%s → %s', (endpoint, ok) => {
    expect(endpointAllowed(endpoint, DEFAULTS)).toBe(ok);
  });

  it('admits a loopback origin only when it is listed, port included', () => {
    expect(endpointAllowed('http://127.0.0.1:4555/push/1', ['http://127.0.0.1:4555'])).toBe(true);
    expect(endpointAllowed('http://127.0.0.1:4556/push/1', ['http://127.0.0.1:4555'])).toBe(false);
    expect(endpointAllowed('http://127.0.0.1:4555/push/1', DEFAULTS)).toBe(false);
  });
});
