import { SeededRandom } from '../../test/utils/seeded-random';
import { AudioFormatError } from './audio-format-error';
import { parseOggOpus } from './ogg';
import { oggOpus, vorbisHead } from './ogg.fixture';

describe('Ogg Opus check', () => {
  it('reads the duration from the last granule position, less the pre-skip', () => {
    expect(parseOggOpus(oggOpus({ granules: [24_312, 48_312, 96_312], preSkip: 312 }))).toEqual({ codec: 'opus', durationMs: 2000 });
  });

  it('ignores pages on which no packet ends (granule -1)', () => {
    expect(parseOggOpus(oggOpus({ granules: [48_312, -1] })).durationMs).toBe(1000);
  });

  it.each([
    ['not Ogg', Buffer.from('\x1aE\xdf\xa3 webm'), 'not an Ogg file'],
    ['Vorbis', oggOpus({ head: vorbisHead() }), 'must be Opus (this is Vorbis)'],
    ['two streams', oggOpus({ granules: [48_312, 96_312], serials: [0x1234, 0x9999] }), 'one audio track'],
    ['no audio pages', oggOpus({ granules: [] }), 'empty'],
    ['cut in a page', oggOpus().subarray(0, oggOpus().length - 10), 'truncated'],
    ['garbage after the pages', Buffer.concat([oggOpus(), Buffer.from('junk that is not a page at all')]), 'without its OggS mark'],
  ])('refuses %s', (_name, file, message) => {
    expect(() => parseOggOpus(file)).toThrow(AudioFormatError);
    expect(() => parseOggOpus(file)).toThrow(message);
  });
});

describe('Ogg Opus check on damaged bytes', () => {
  it('answers with an AudioFormatError or a finite length, never anything else (seeded mutations and cuts)', () => {
    const random = new SeededRandom(7);
    const whole = oggOpus({ granules: [24_312, 48_312, 96_312] });
    for (let run = 0; run < 400; run++) {
      const bytes = Buffer.from(whole.subarray(0, random.chance(0.3) ? random.int(1, whole.length) : whole.length));
      for (let i = random.int(0, 6); i > 0; i--) bytes[random.int(0, bytes.length - 1)] = random.int(0, 255);
      try {
        const { durationMs } = parseOggOpus(bytes);
        expect(Number.isFinite(durationMs) && durationMs >= 0).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(AudioFormatError);
      }
    }
  });
});
