import { parseWebmAudio, WebmError } from './webm';
import { ebml, UNKNOWN, webm } from './webm.fixture';

const { el, id, u } = ebml;

describe('WebM greeting check', () => {
  it('reads the duration of a MediaRecorder-style file from its last block', () => {
    expect(parseWebmAudio(webm({ clusters: [[0, [0, 20, 40]], [5000, [0, 4960]], [9960, [0, 20]]] }))).toEqual({ codec: 'opus', durationMs: 9980 });
  });

  it('prefers the header Duration when there is one', () => {
    const info = el(0x1549a966, Buffer.concat([el(0x2ad7b1, u(1_000_000, 3)), el(0x4489, (() => { const b = Buffer.alloc(8); b.writeDoubleBE(12_345); return b; })())]));
    const file = Buffer.concat([el(0x1a45dfa3, el(0x4282, 'webm')), id(0x18538067), UNKNOWN, info, el(0x1654ae6b, el(0xae, Buffer.concat([el(0x83, u(2)), el(0x86, 'A_OPUS')])))]);
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
