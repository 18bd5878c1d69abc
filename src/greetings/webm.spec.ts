import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '../../test/utils/seeded-random';
import { parseWebmAudio, WebmError } from './webm';
import { ebml, UNKNOWN, webm } from './webm.fixture';

const { el, id, u } = ebml;

describe('WebM greeting check', () => {
  it('reads the duration of a MediaRecorder-style file from its last block', () => {
    expect(
      parseWebmAudio(
        webm({
          clusters: [
            [0, [0, 20, 40]],
            [5000, [0, 4960]],
            [9960, [0, 20]],
          ],
        }),
      ),
    ).toEqual({ codec: 'opus', durationMs: 9980 });
  });

  it('prefers the header Duration when there is one', () => {
    const info = el(
      0x1549a966,
      Buffer.concat([
        el(0x2ad7b1, u(1_000_000, 3)),
        el(
          0x4489,
          (() => {
            const b = Buffer.alloc(8);
            b.writeDoubleBE(12_345);
            return b;
          })(),
        ),
      ]),
    );
    const file = Buffer.concat([
      el(0x1a45dfa3, el(0x4282, 'webm')),
      id(0x18538067),
      UNKNOWN,
      info,
      el(0x1654ae6b, el(0xae, Buffer.concat([el(0x83, u(2)), el(0x86, 'A_OPUS')]))),
    ]);
    expect(parseWebmAudio(file).durationMs).toBe(12_345);
  });

  it.each([
    ['not EBML', Buffer.from('OggS\0\0\0\0'), 'not a WebM file'],
    ['Matroska, not WebM', webm({ doc: 'matroska' }), 'not a WebM file'],
    ['Vorbis', webm({ codec: 'A_VORBIS' }), 'must be Opus'],
    ['video', webm({ type: 1, codec: 'V_VP8' }), 'one audio track'],
    ['two tracks', webm({ tracks: 2 }), 'one audio track'],
    ['no blocks', webm({ clusters: [] }), 'empty'],
    ['cut in a header', webm().subarray(0, 35), 'truncated'],
  ])('refuses %s', (_name, file, message) => {
    expect(() => parseWebmAudio(file)).toThrow(WebmError);
    expect(() => parseWebmAudio(file)).toThrow(message);
  });
});

describe('WebM greeting check on a real recording, whole, cut and damaged', () => {
  // One second of a tone, recorded by Chromium's MediaRecorder as the clients record (audio/webm;codecs=opus).
  const real = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'recordings', 'chromium-mediarecorder.webm'));

  it('reads what the clients upload', () => {
    expect(parseWebmAudio(real)).toEqual({ codec: 'opus', durationMs: 900 });
  });

  it('refuses a header without any sound, and never takes a cut file for a longer one', () => {
    expect(() => parseWebmAudio(real.subarray(0, 150))).toThrow(/empty|truncated/);
    for (let end = 1; end < real.length; end += 97) {
      try {
        expect(parseWebmAudio(real.subarray(0, end)).durationMs).toBeLessThanOrEqual(900);
      } catch (e) {
        expect(e).toBeInstanceOf(WebmError);
      }
    }
  });

  it('answers damaged bytes with a WebmError or a finite length, never anything else (seeded mutations)', () => {
    const random = new SeededRandom(12);
    for (let run = 0; run < 400; run++) {
      const bytes = Buffer.from(real);
      for (let i = random.int(1, 8); i > 0; i--) bytes[random.int(0, bytes.length - 1)] = random.int(0, 255);
      try {
        const { durationMs } = parseWebmAudio(bytes);
        expect(Number.isFinite(durationMs) && durationMs >= 0).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(WebmError);
      }
    }
  });

  it('refuses a header Duration that is not a length, and lets none shorten the blocks', () => {
    const withDuration = (seconds: number) => {
      const d = Buffer.alloc(8);
      d.writeDoubleBE(seconds);
      const info = el(0x1549a966, Buffer.concat([el(0x2ad7b1, u(1_000_000, 3)), el(0x4489, d)]));
      return Buffer.concat([
        el(0x1a45dfa3, el(0x4282, 'webm')),
        id(0x18538067),
        UNKNOWN,
        info,
        el(0x1654ae6b, el(0xae, Buffer.concat([el(0x83, u(2)), el(0x86, 'A_OPUS')]))),
        id(0x1f43b675),
        UNKNOWN,
        el(0xe7, u(0, 2)),
        el(0xa3, Buffer.from([0x81, 0x4e, 0x20, 0, 0])),
      ]);
    };
    expect(parseWebmAudio(withDuration(1)).durationMs).toBe(20_000);
    expect(() => parseWebmAudio(withDuration(NaN))).toThrow('bad Duration');
    expect(() => parseWebmAudio(withDuration(-1))).toThrow('bad Duration');
  });
});
