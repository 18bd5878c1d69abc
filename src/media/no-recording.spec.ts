import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * No recording, by construction: the server only ever creates its participants' WebRTC transports. A
 * PlainTransport, PipeTransport or DirectTransport (or piping a router) is how media would leave mediasoup
 * for a file, a recorder or another process, so none of them may appear in the application's code.
 */
const FORBIDDEN =
  /createPlainTransport|createPipeTransport|createDirectTransport|pipeToRouter|PlainTransport|PipeTransport|DirectTransport|createWriteStream|ffmpeg|gstreamer/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('no recording path exists in the application', () => {
  const files = sources(join(__dirname, '..'));

  it('scans the whole application', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => f.endsWith('rooms.service.ts'))).toBe(true);
  });

  it.each(files.map((f) => [f.slice(f.indexOf('src/'))]))('%s creates no transport but WebRTC and writes no media', (rel) => {
    const text = readFileSync(join(__dirname, '..', '..', rel), 'utf8');
    expect(text.match(FORBIDDEN)?.[0] ?? null).toBeNull();
  });
});
